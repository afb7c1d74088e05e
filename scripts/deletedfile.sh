#!/usr/bin/env bash
# Writes acknowledged after the SQLite file is deleted (issue 12, defect 6).
#
#   scripts/deletedfile.sh [BINARY]
#
# Starts BINARY (default: this tree, built) on a temporary SQLite file with
# an unthrottled store, creates customers from WRITERS (default 16) clients
# for 2 s, runs `rm customersd.db*`, writes for AFTER (default 5s) more, and
# prints how many writes answered 2xx after the rm, the status counts, the
# /readyz status and the server's ERROR lines.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${1:-}"
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
port=$((20000 + RANDOM % 20000))
token="deleted-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
CUSTOMERSD_STORE_HASH=deleted CUSTOMERSD_ACCESS_TOKEN="$token" \
	"$bin" serve --addr "127.0.0.1:$port" --database "$tmp/customersd.db" >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
	sleep 0.2
done
echo "== $bin"
go run ./scripts/deletedfile -url "http://127.0.0.1:$port" -store deleted -token "$token" \
	-db "$tmp/customersd.db" -writers "${WRITERS:-16}" -after "${AFTER:-5s}"
echo "== server log: $(grep -c "level=ERROR" "$tmp/log" || true) ERROR lines, $(grep -c "while in use" "$tmp/log" || true) of them the database's own"
grep 'level=ERROR' "$tmp/log" | cut -c1-400 | sort | uniq -c | sort -rn | head -3 || true
