#!/usr/bin/env bash
# Cross-compiles static customersd binaries (CGO_ENABLED=0: SQLite is
# modernc.org/sqlite, pure Go) for linux, darwin and windows on amd64 and
# arm64, with the version, commit and commit date linked in ("customersd
# version" prints them), and writes their SHA-256 checksums. The build date
# is the commit's, and paths are trimmed, so the same commit gives the same
# bytes again.
#
#   scripts/release.sh [VERSION]     # VERSION: git describe
# Output: dist/VERSION/customersd_VERSION_OS_ARCH[.exe] and SHA256SUMS.
# Environment: OUT (default dist), TARGETS (default: all six "os/arch").
# Slow on a small machine (each target compiles everything once): not in CI.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}"
out="${OUT:-dist}/$version"
targets="${TARGETS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}"
commit="$(git rev-parse HEAD)"
date="$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ)"
pkg=github.com/customersd/customersd/internal/cli
ldflags="-s -w -X $pkg.version=$version -X $pkg.commit=$commit -X $pkg.buildDate=$date"

mkdir -p "$out"
rm -f "$out"/customersd_* "$out/SHA256SUMS"
for target in $targets; do
	os="${target%/*}" arch="${target#*/}" ext=""
	[[ "$os" == windows ]] && ext=.exe
	name="customersd_${version}_${os}_${arch}${ext}"
	start=$(date +%s)
	CGO_ENABLED=0 GOOS="$os" GOARCH="$arch" go build -trimpath -ldflags "$ldflags" -o "$out/$name" ./cmd/customersd
	printf 'release: %-44s %6s  %4d s\n' "$name" "$(du -h "$out/$name" | cut -f1)" $(($(date +%s) - start))
done
(cd "$out" && sha256sum customersd_* >SHA256SUMS)
echo "release: $out/SHA256SUMS"
cat "$out/SHA256SUMS"
# The binary for this machine, if built, says what it is.
self="$out/customersd_${version}_$(go env GOOS)_$(go env GOARCH)"
if [[ -x "$self" ]]; then
	"$self" version
fi
