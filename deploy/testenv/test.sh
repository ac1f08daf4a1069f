#!/usr/bin/env bash
# test.sh installs what the tests need on a fresh Debian machine and runs
# every check: gofmt, go vet, staticcheck, the whole test suite against a
# real OpenSSH sshd, a real Azurite and headless Chromium (all started by
# the tests themselves on 127.0.0.1), and a short fuzz run of each parser.
#
# Usage: bash deploy/testenv/test.sh        (from the repository root)
#
# Each stage's header gives the time so far, and the end lists how long
# each stage took. A failing go test or fuzz target does not stop the
# others: every fuzz target runs, and the failures are listed together at
# the end, when the script exits non-zero. FUZZTIME sets each target's
# budget (default 3000x: a count, not a time, so a loaded machine does the
# same work, only slower).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TESTENV="$ROOT/deploy/testenv"
cd "$ROOT"
export DEBIAN_FRONTEND=noninteractive
# npm is several times faster with the system CA bundle.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

# step starts a stage; its header gives the time since the script began,
# and the summary at the end lists how long each stage took.
started=$SECONDS
stage=""
stage_start=$SECONDS
times=()
step() {
	end_stage
	stage="$*"
	stage_start=$SECONDS
	printf '\n== %s  [%dm%02ds]\n' "$stage" $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60))
}
end_stage() {
	if [ -n "$stage" ]; then
		times+=("$(printf '%5ds  %s' $((SECONDS - stage_start)) "$stage")")
	fi
	stage=""
}

step "system packages"
need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
[ -x /usr/lib/openssh/sftp-server ] || need+=(openssh-sftp-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ "${#need[@]}" -gt 0 ]; then
	SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
	# Wait up to ten minutes for another apt-get or unattended-upgrades
	# to let go of the dpkg lock instead of failing at once.
	$SUDO apt-get -o DPkg::Lock::Timeout=600 update -q </dev/null >/dev/null
	$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}" </dev/null >/dev/null
fi
echo "sshd: $(/usr/sbin/sshd -V 2>&1 | head -1 || true)"

step "azurite (pinned in deploy/testenv/package-lock.json)"
if [ -f "$TESTENV/package-lock.json" ] && ! [ -x "$TESTENV/node_modules/.bin/azurite-blob" ]; then
	npm ci --prefix "$TESTENV" --no-audit --no-fund --loglevel=error </dev/null >/dev/null
fi

# The tests find the servers through these; with LANDINGD_TEST_REQUIRE set a
# missing server fails the suite instead of skipping.
export LANDINGD_AZURITE="$TESTENV/node_modules/.bin/azurite-blob"
export LANDINGD_SSHD=/usr/sbin/sshd
export LANDINGD_CHROMIUM="$(command -v chromium || true)"
if [ "${CI:-}" = "true" ]; then
	export LANDINGD_TEST_REQUIRE="${LANDINGD_TEST_REQUIRE:-sshd,azurite,chromium}"
fi

step "gofmt"
bad="$(gofmt -l cmd ingest transform storage config deploy bench 2>/dev/null || true)"
if [ -n "$bad" ]; then echo "not gofmt-clean:"; echo "$bad"; exit 1; fi

step "go vet"
go vet ./...

step "cross-compile: go vet for windows/amd64 and darwin/arm64"
GOOS=windows GOARCH=amd64 go vet ./...
GOOS=darwin GOARCH=arm64 go vet ./...

step "staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

failed=()

step "go test"
# go test's own closing lines end this stage's output: CI reads them.
if ! go test -count=1 -timeout 20m ./...; then
	failed+=("go test ./...")
fi

# A count, not a duration: Go 1.26's fuzz coordinator can report "context
# deadline exceeded" when a duration runs out (go.dev/issue/75804).
fuzztime="${FUZZTIME:-3000x}"
# A target whose every input checks a table with a linear programme (the
# independent checker) runs fewer inputs.
fuzzcount() {
	case "$1" in
	FuzzSuppressWholeTable) echo "${FUZZTIME_SLOW:-200x}" ;;
	*) echo "$fuzztime" ;;
	esac
}
step "fuzz: every parser's fuzz target for $fuzztime (FuzzSuppressWholeTable ${FUZZTIME_SLOW:-200x})"
# Every top-level folder that holds Go code, so a new package's targets run too.
dirs=$(git ls-files '*.go' | cut -d/ -f1 | grep -v "\.go$" | sort -u | tr '\n' ' ')
for target in $(grep -rhoE '^func (Fuzz[A-Za-z0-9_]+)' --include='*_test.go' $dirs | sed 's/^func //' | sort -u); do
	for pkg in $(grep -rlE "^func $target\(" --include='*_test.go' $dirs | xargs -n1 dirname | sort -u); do
		if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$(fuzzcount "$target")" "./$pkg"; then
			failed+=("fuzz $target ./$pkg")
		fi
	done
done
end_stage

echo
echo "stage times:"
printf '%s\n' "${times[@]}"
printf '%5ds  total\n' $((SECONDS - started))
if [ "${#failed[@]}" -gt 0 ]; then
	echo
	echo "FAILED (${#failed[@]}):"
	printf '  %s\n' "${failed[@]}"
	exit 1
fi
echo
echo "all checks passed"
