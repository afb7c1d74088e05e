#!/usr/bin/env bash
# The bcrypt attacks of issue 12 (defects 4 and 5) against a customersd binary:
# starts it on a temporary SQLite file with the admin API on, runs
# scripts/guardattack, stops it.
#
#   scripts/guard-attack.sh guesses [BINARY] [-- SERVE FLAGS]   # 60 concurrent wrong passwords
#   scripts/guard-attack.sh starve  [BINARY] [-- SERVE FLAGS]   # store A's validate flood vs store B's GET
#
# BINARY defaults to one built from this tree. For Redis, pass serve flags:
#   scripts/guard-attack.sh guesses "" -- --redis redis://127.0.0.1:6379/7
# (a spare database number: nothing here flushes it; each run counts under a
# prefix of its own, since store and customer IDs repeat in every fresh
# database, and the keys expire).
# Environment: GUARD_FLOOD (starve's concurrent clients, default 32),
# GUARD_DURATION (starve's flood, default 8s), GUARD_COST (bcrypt cost, default 10).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:?usage: $0 guesses|starve [BINARY] [-- SERVE FLAGS]}"
shift
bin="${1:-}"
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "$bin" ]; then
	go build -o "$tmp/customersd" ./cmd/customersd
	bin="$tmp/customersd"
fi
go build -o "$tmp/guardattack" ./scripts/guardattack

admin="admin-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
CUSTOMERSD_ADMIN_TOKEN="$admin" CUSTOMERSD_ADDR=127.0.0.1:0 CUSTOMERSD_LOG_FORMAT=json \
CUSTOMERSD_DATABASE="$tmp/guard.db" CUSTOMERSD_BCRYPT_COST="${GUARD_COST:-10}" \
CUSTOMERSD_REDIS_PREFIX="customersd:guard-attack:$admin:" \
	"$bin" serve "$@" >"$tmp/server.out" 2>"$tmp/server.log" &
server_pid=$!
addr=""
for _ in $(seq 300); do
	addr="$(sed -n 's/.*"msg":"customersd listening".*"addr":"\([^"]*\)".*/\1/p' "$tmp/server.log" | head -1)"
	[ -n "$addr" ] && break
	kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$addr" ] || { echo "the server did not start" >&2; cat "$tmp/server.log" >&2; exit 1; }

"$tmp/guardattack" -url "http://$addr" -admin-token "$admin" -mode "$mode" \
	-flood "${GUARD_FLOOD:-32}" -duration "${GUARD_DURATION:-8s}"

# The limiter fails open: a Redis call that timed out let its request through
# uncounted. Say so, or such a run reads as a broken guard.
if grep -q '"ratelimit: backend failed' "$tmp/server.log"; then
	echo "note: the rate limit backend failed during the run (fail open):"
	grep '"ratelimit: backend failed' "$tmp/server.log" | grep -o '"error":.*' | cut -c1-200
fi
