#!/usr/bin/env bash
# Soak test: runs `customersd bench`'s mixed scenario for DURATION against a
# server and fails on any 5xx or request error (bench exits 2), on a bench
# that cannot run (exit 1), or on a server that died meanwhile.
#
#   scripts/soak.sh 10m                       # builds and starts a server on a temp SQLite DB
#   scripts/soak.sh 10m URL STORE TOKEN       # against a running server
#
# Environment: SOAK_CONCURRENCY (default 8), SOAK_CUSTOMERS (seeded first,
# default 1000), CUSTOMERSD_DATABASE for the started server (default: a
# SQLite file in a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 DURATION [URL STORE TOKEN]" >&2; exit 1; }
[ $# -eq 1 ] || [ $# -eq 4 ] || usage
duration="$1"
concurrency="${SOAK_CONCURRENCY:-8}"
customers="${SOAK_CUSTOMERS:-1000}"

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

echo "== building customersd"
go build -o "$tmp/customersd" ./cmd/customersd

if [ $# -eq 4 ]; then
	url="$2" store="$3" token="$4"
else
	store="soak"
	token="soak-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
	CUSTOMERSD_DATABASE="${CUSTOMERSD_DATABASE:-$tmp/soak.db}" \
	CUSTOMERSD_ADDR=127.0.0.1:0 \
	CUSTOMERSD_LOG_FORMAT=json \
	CUSTOMERSD_BCRYPT_COST=4 \
	CUSTOMERSD_STORE_HASH="$store" \
	CUSTOMERSD_ACCESS_TOKEN="$token" \
		"$tmp/customersd" serve 2>"$tmp/server.log" &
	server_pid=$!
	# Wait (up to 60 s) for the server to log the address it listens on.
	addr=""
	for _ in $(seq 600); do
		addr="$(sed -n 's/.*"msg":"customersd listening".*"addr":"\([^"]*\)".*/\1/p' "$tmp/server.log" | head -1)"
		[ -n "$addr" ] && break
		if ! kill -0 "$server_pid" 2>/dev/null; then
			echo "soak: the server exited at start-up:" >&2
			cat "$tmp/server.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	[ -n "$addr" ] || { echo "soak: the server did not start listening" >&2; cat "$tmp/server.log" >&2; exit 1; }
	url="http://$addr"
	echo "== server on $url (log: $tmp/server.log while it runs)"
fi

echo "== bench --scenario mix --duration $duration --concurrency $concurrency against $url"
status=0
"$tmp/customersd" bench --url "$url" --store "$store" --token "$token" --customers "$customers" \
	--scenario mix --duration "$duration" --concurrency "$concurrency" || status=$?

fail=0
case $status in
	0) ;;
	2) echo "soak: FAIL: requests errored or answered 5xx (see the report above)" >&2; fail=1 ;;
	*) echo "soak: FAIL: bench could not run (exit $status)" >&2; fail=1 ;;
esac
if [ -n "$server_pid" ]; then
	if ! kill -0 "$server_pid" 2>/dev/null; then
		echo "soak: FAIL: the server died during the run" >&2
		fail=1
	fi
	if grep -q '"level":"ERROR"' "$tmp/server.log"; then
		echo "soak: FAIL: the server logged errors:" >&2
		grep '"level":"ERROR"' "$tmp/server.log" | head -20 >&2
		fail=1
	fi
	if [ $fail -ne 0 ]; then
		echo "== last lines of the server log" >&2
		tail -20 "$tmp/server.log" >&2
	fi
fi
[ $fail -eq 0 ] && echo "soak: OK ($duration of mixed load, no errors, no 5xx)"
exit $fail
