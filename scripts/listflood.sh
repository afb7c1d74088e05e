#!/usr/bin/env bash
# One store's list flood against another store's reads (issue 12, defect 5).
#
#   scripts/listflood.sh [BINARY] [--as-base]
#
# Seeds a SQLite file with a store of CUSTOMERS customers (default 100000)
# and a quiet store, starts BINARY (default: this tree, built) on it, runs
# FLOODERS (default 39) concurrent list requests with a date filter on the
# big store for DURATION (default 15s), and prints the quiet store's
# single-customer GET p50/p90. --as-base leaves the schema as it was before
# migration 0004_filter_indexes, for a binary built before it. The seeded
# file is kept in LISTFLOOD_CACHE (default /tmp/listflood-cache) between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${1:-}"
as_base="${2:-}"
customers="${CUSTOMERS:-100000}"
flooders="${FLOODERS:-39}"
duration="${DURATION:-15s}"
cache="${LISTFLOOD_CACHE:-/tmp/listflood-cache}"
query="${QUERY:-customers?min_date_created=2000-01-01&limit=250}"

tmp="$(mktemp -d)"
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "$bin" ]; then
	go build -o "$tmp/customersd" ./cmd/customersd
	bin="$tmp/customersd"
fi
mkdir -p "$cache"
seeded="$cache/seed-$customers${as_base:+-base}.db"
if [ ! -f "$seeded" ]; then
	echo "== seeding $customers customers into $seeded"
	rm -f "$seeded.tmp" # a run stopped while seeding leaves one
	go run ./scripts/listflood seed -db "$seeded.tmp" -customers "$customers" ${as_base:+-as-base}
	mv "$seeded.tmp" "$seeded"
fi
cp "$seeded" "$tmp/customersd.db"

port=$((20000 + RANDOM % 20000))
"$bin" serve --addr "127.0.0.1:$port" --database "$tmp/customersd.db" >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
	sleep 0.2
done
echo "== $bin: $flooders x GET /stores/flood/v2/$query for $duration"
go run ./scripts/listflood flood -url "http://127.0.0.1:$port" -flooders "$flooders" -duration "$duration" -query "$query"
echo "== server log: $(grep -c 'level=ERROR' "$tmp/log" || true) ERROR lines"
