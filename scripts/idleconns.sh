#!/usr/bin/env bash
# idleconns.sh BINARY [N [SERVER_NOFILE]]: start BINARY on a temporary
# SQLite file with a file limit of SERVER_NOFILE (10000), open N (19000) idle
# sockets to it, time one normal GET, and count the server's accept errors.
# The client keeps the shell's limit (20000 here, which cannot be raised in
# this container), so the server's is lowered instead: N above it exhausts
# the server, not the client.
set -euo pipefail
bin=${1:?usage: idleconns.sh BINARY [N]}
n=${2:-19000}
nofile=${3:-10000}
addr=127.0.0.1:18091
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
cd "$(dirname "$0")/.."
go build -o "$dir/idleconns" ./scripts/idleconns
(ulimit -n "$nofile"; CUSTOMERSD_STORE_HASH=s1 CUSTOMERSD_ACCESS_TOKEN=idle-token-0123 CUSTOMERSD_BCRYPT_COST=4 \
	exec "$bin" serve --addr $addr --database "$dir/c.db" >"$dir/log" 2>&1) &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://$addr/healthz" && break; sleep 0.1; done
echo "server file limit: $(awk '/open files/ {print $4}' /proc/$pid/limits)"
"$dir/idleconns" -url "http://$addr/stores/s1/v2/customers" -token idle-token-0123 -n "$n"
echo "server max_conns: $(grep -m1 -o 'max_conns=[0-9]*' "$dir/log" || echo none)"
echo "server log: $(grep -c 'Accept error' "$dir/log" || true) accept errors, $(grep -c 'connection cap reached' "$dir/log" || true) cap warnings"
