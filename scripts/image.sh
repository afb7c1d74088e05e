#!/usr/bin/env bash
# Builds customersd's container image (Containerfile) and checks what can be
# checked on a machine that builds images but may not run containers:
#   1. the static binary (CGO_ENABLED=0): no interpreter, no shared library;
#   2. that binary run from a root directory holding nothing else (chroot as
#      root, else unshare), with an empty environment, answering /readyz,
#      with its start-up time (exec to the first /readyz 200);
#   3. with podman or docker able to build: the image, its size (at most
#      MAX_IMAGE_MB), its configuration (non-root user, health check, entry
#      point, ports, /data volume) and its files (the binary, the CA bundle,
#      /data, /tmp: nothing else).
# Without podman or docker it says so and stops after 2, successfully.
#
#   scripts/image.sh [TAG]          # TAG: customersd:dev
# Environment: VERSION (default: git describe), MAX_IMAGE_MB (default 40).
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:-customersd:dev}"
max_mb="${MAX_IMAGE_MB:-40}"
work="$(mktemp -d)"
server_pid=""
cleanup() {
	if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
fail() {
	echo "image: FAIL: $*" >&2
	exit 1
}
now() { date +%s%N; }
ms_since() { echo $((($(now) - $1) / 1000000)); }

# 1. The static binary.
version="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}"
pkg=github.com/customersd/customersd/internal/cli
ldflags="-s -w -X $pkg.version=$version -X $pkg.commit=$(git rev-parse HEAD 2>/dev/null || true) -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
ctx="$work/context"
mkdir -p "$ctx/rootfs" "$ctx/rw/data" "$ctx/rw/tmp"
bin="$ctx/customersd"
start=$(now)
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin" ./cmd/customersd
echo "image: built the static binary in $(ms_since "$start") ms: $(du -h "$bin" | cut -f1), $("$bin" version | head -1)"
if readelf -l "$bin" | grep -q 'program interpreter' || readelf -d "$bin" | grep -q NEEDED; then
	fail "$bin is not static"
fi

# 2. From an empty root directory.
root="$work/root"
mkdir -p "$root"
cp "$bin" "$root/customersd"
if [[ "$(id -u)" == 0 ]]; then
	jail=("$(command -v chroot)" "$root")
elif unshare --user --map-root-user --root="$root" /customersd version >/dev/null 2>&1; then
	jail=("$(command -v unshare)" --user --map-root-user --root="$root")
else
	jail=()
	echo "image: neither chroot (not root) nor unshare (no user namespaces) works here: the empty-root run is skipped"
fi
if ((${#jail[@]})); then
	start=$(now)
	env -i "${jail[@]}" /customersd serve --addr 127.0.0.1:0 --database /customersd.db >"$work/stdout" 2>"$work/stderr" &
	server_pid=$!
	addr=""
	for _ in $(seq 3000); do
		addr="$(sed -n 's/.*msg="customersd listening" addr=\([^ ]*\).*/\1/p' "$work/stderr")"
		[[ -n "$addr" ]] && break
		kill -0 "$server_pid" 2>/dev/null || fail "the chrooted server exited: $(cat "$work/stderr")"
		sleep 0.01
	done
	[[ -n "$addr" ]] || fail "the chrooted server did not listen within 30 s"
	ready() {
		if command -v curl >/dev/null; then
			curl -fsS -o /dev/null "http://$addr/readyz" 2>/dev/null
		else
			"$bin" healthcheck --url "http://$addr/readyz" >/dev/null 2>&1
		fi
	}
	until ready; do
		[[ $(ms_since "$start") -lt 30000 ]] || fail "/readyz did not answer 200 within 30 s"
		sleep 0.005
	done
	startup_ms=$(ms_since "$start")
	env -i "${jail[@]}" /customersd healthcheck --url "http://$addr/readyz" >/dev/null || fail "healthcheck in the empty root failed"
	kill -TERM "$server_pid"
	wait "$server_pid" || fail "the chrooted server did not stop cleanly on SIGTERM"
	server_pid=""
	echo "image: the static binary answers /readyz from an empty root ($(basename "${jail[0]}")); exec to /readyz 200: ${startup_ms} ms; root holds: $(cd "$root" && echo *)"
fi

# 3. The image.
engine=""
if command -v podman >/dev/null && podman info >/dev/null 2>&1; then
	engine=podman
elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
	engine=docker
fi
if [[ -z "$engine" ]]; then
	echo "image: neither podman nor docker can build here: image not built (the binary and its empty-root run are checked)"
	exit 0
fi
# For outbound HTTPS (webhooks to https:// endpoints): an empty base has no CAs.
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
	mkdir -p "$ctx/rootfs/etc/ssl/certs"
	cp /etc/ssl/certs/ca-certificates.crt "$ctx/rootfs/etc/ssl/certs/"
fi
chmod 1777 "$ctx/rw/tmp"
cp Containerfile "$ctx/"
format=()
[[ "$engine" == podman ]] && format=(--format docker) # OCI images drop HEALTHCHECK
start=$(now)
"$engine" build -q "${format[@]}" -f "$ctx/Containerfile" -t "$tag" "$ctx" >/dev/null
echo "image: $engine built $tag in $(ms_since "$start") ms"

size=$("$engine" image inspect "$tag" --format '{{.Size}}')
echo "image: $tag is $((size / 1024 / 1024)) MiB ($size bytes)"
((size <= max_mb * 1024 * 1024)) || fail "$tag is larger than $max_mb MiB"

"$engine" image inspect "$tag" >"$work/inspect.json"
for want in '"User": "65532:65532"' '"customersd",' '"healthcheck"' '"8080/tcp"' '"8443/tcp"' '"/data"' '"CUSTOMERSD_DATABASE=/data/customersd.db"'; do
	grep -qF "$want" "$work/inspect.json" || fail "the image's configuration lacks $want"
done

"$engine" save -q -o "$work/image.tar" "$tag" >/dev/null
mkdir "$work/image"
tar -xf "$work/image.tar" -C "$work/image"
: >"$work/files"
while IFS= read -r layer; do
	tar --numeric-owner -tvf "$layer" | awk '{ print $6, $2 }' >>"$work/files"
done < <(find "$work/image" -type f \( -name '*.tar' -o -name 'layer.tar' \) ! -name image.tar)
# The runtime user owns /data and /tmp and nothing else.
if grep -E '^(\./)?(data|tmp)/? ' "$work/files" | grep -v ' 65532/65532$' | grep -q . ||
	grep -vE '^(\./)?(data|tmp)/? ' "$work/files" | grep -v ' 0/0$' | grep -q .; then
	fail "owners in the image: want 65532 for /data and /tmp only: $(sort -u "$work/files" | tr '\n' ';')"
fi
files="$(cut -d' ' -f1 "$work/files" | sed 's|^\./||; s|/$||' | grep -v '^$' | sort -u)"
want="$(printf '%s\n' data etc etc/ssl etc/ssl/certs etc/ssl/certs/ca-certificates.crt tmp usr usr/local usr/local/bin usr/local/bin/customersd)"
[[ -f "$ctx/rootfs/etc/ssl/certs/ca-certificates.crt" ]] || want="$(grep -v '^etc' <<<"$want")"
if [[ "$files" != "$(sort <<<"$want")" ]]; then
	fail "the image holds other files than the binary, the CA bundle, /data and /tmp: $(echo $files)"
fi
echo "image: $tag holds only: $(echo $files); the runtime user owns /data and /tmp only"
