#!/usr/bin/env bash
# Runs every fuzz target of the module for SECONDS each (default 30), one
# after the other (go test -fuzz takes one target at a time). New crashers
# land in the package's testdata/fuzz/<Target>/, where plain `go test`
# replays them from then on.
#
#   scripts/fuzz.sh 60
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-30}"
status=0
while IFS= read -r line; do
	file="${line%%:*}"
	target="$(sed -E 's/^.*func (Fuzz[A-Za-z0-9_]+).*/\1/' <<<"$line")"
	pkg="./$(dirname "$file")"
	echo "== $pkg $target (${secs}s)"
	if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "${secs}s"; then
		status=1
	fi
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' . | sort)
exit $status
