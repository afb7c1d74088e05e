#!/usr/bin/env bash
# Runs the attacks of scripts/attack (issue 12, defects 1, 3 and 11) on a
# base binary and on this tree, and prints the figures of each:
#
#   scripts/attack-locks.sh BASE_BINARY [POSTGRES_URL]
#
# POSTGRES_URL names a database the attacks may wipe (its public schema is
# dropped); default postgres://postgres@127.0.0.1:5432/locks_attack.
# ATTACK_TRIALS (default 100), ATTACK_SECONDS (10) and ATTACK_ROWS (200000)
# size the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 BASE_BINARY [POSTGRES_URL]" >&2; exit 1; }
base="$1"
db="${2:-postgres://postgres@127.0.0.1:5432/locks_attack?sslmode=disable}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/customersd" ./cmd/customersd
go build -o "$tmp/attack" ./scripts/attack
for bin in "$base" "$tmp/customersd"; do
	echo "== $bin"
	"$tmp/attack" -bin "$bin" -db "$db" -n "${ATTACK_TRIALS:-100}" lostupdate
	"$tmp/attack" -bin "$bin" -db "$db" -seconds "${ATTACK_SECONDS:-10}" deadlock
	"$tmp/attack" -bin "$bin" -rows "${ATTACK_ROWS:-200000}" stall
done
