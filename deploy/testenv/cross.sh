#!/usr/bin/env bash
# cross.sh runs the fast test tier (`go test -short ./...`) built for
# linux/arm64 under user-mode emulation (qemu-aarch64-static), and builds
# and vets the tests for windows/amd64 and darwin/arm64, which cannot run
# here. It is not part of test.sh: emulation makes the fast tier several
# times slower. Run it before a release:
#
#   bash deploy/testenv/cross.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export DEBIAN_FRONTEND=noninteractive
if ! command -v qemu-aarch64-static >/dev/null; then
	apt_get() { if [ "$(id -u)" = 0 ]; then apt-get "$@"; else sudo apt-get "$@"; fi; }
	apt_get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends qemu-user-static
fi

echo "== linux/arm64: go test -short ./... under qemu-aarch64-static"
# Tests that start a binary they built (the landingd binary, or the test
# binary itself) run it under the emulator too.
LANDINGD_TEST_EXEC=qemu-aarch64-static GOARCH=arm64 \
	go test -short -count=1 -exec qemu-aarch64-static ./...

for target in windows/amd64 darwin/arm64; do
	echo "== $target: go vet ./... (tests included)"
	GOOS=${target%/*} GOARCH=${target#*/} go vet ./...
done
echo "cross.sh: ok"
