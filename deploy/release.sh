#!/usr/bin/env bash
# release.sh VERSION [TARGET...] builds landingd's release archives for a
# district or the county to download:
#
#   landingd_VERSION_linux_amd64.tar.gz    landingd_VERSION_linux_arm64.tar.gz
#   landingd_VERSION_darwin_arm64.tar.gz   landingd_VERSION_windows_amd64.zip
#   SHA256SUMS                             (check with: sha256sum -c SHA256SUMS)
#
# Each archive holds the binary (landingd or landingd.exe), README.md and
# LICENSE when present. Builds are reproducible: -trimpath, no cgo, and the
# version and commit stamped with -ldflags -X (landingd version prints
# them). TARGET (GOOS/GOARCH) limits the build to some targets; OUT (default
# dist/ under the repository) is where the archives go.
set -euo pipefail

if [ $# -lt 1 ] || [ -z "$1" ]; then
	echo "usage: deploy/release.sh VERSION [GOOS/GOARCH...]" >&2
	exit 2
fi
version="$1"
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(linux/amd64 linux/arm64 windows/amd64 darwin/arm64)

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$root/dist}"
commit="$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$root" status --porcelain 2>/dev/null || true)" ]; then
	commit="$commit-dirty"
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

archives=()
for target in "${targets[@]}"; do
	goos="${target%/*}"
	goarch="${target#*/}"
	name="landingd_${version}_${goos}_${goarch}"
	dir="$work/$name"
	mkdir -p "$dir"
	exe="landingd"
	[ "$goos" = windows ] && exe="landingd.exe"
	(cd "$root" && CGO_ENABLED=0 GOOS="$goos" GOARCH="$goarch" go build -trimpath \
		-ldflags "-s -w -X main.version=$version -X main.commit=$commit" \
		-o "$dir/$exe" ./cmd/landingd)
	for f in README.md LICENSE; do
		[ -f "$root/$f" ] && cp "$root/$f" "$dir/"
	done
	if [ "$goos" = windows ]; then
		rm -f "$out/$name.zip"
		(cd "$work" && zip -qrX "$out/$name.zip" "$name")
		archives+=("$name.zip")
	else
		(cd "$work" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -czf "$out/$name.tar.gz" "$name")
		archives+=("$name.tar.gz")
	fi
	echo "built $out/${archives[-1]}"
done
(cd "$out" && sha256sum "${archives[@]}" >SHA256SUMS)
echo "wrote $out/SHA256SUMS"
