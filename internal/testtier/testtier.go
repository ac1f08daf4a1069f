// Package testtier splits the test suite into two tiers. The fast tier,
// `go test -short ./...`, covers judging, state, publishing and the
// command's exit codes in about a minute with no servers installed. The
// full suite, `go test ./...` (what deploy/testenv/test.sh runs), adds
// the slow tests: real sshd, Azurite and Chromium, the built binary end
// to end, and long loops.
//
// A slow test calls Slow first, so that every skip in the fast tier reads
// the same way.
package testtier

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Slow skips t under -short, giving why the test is slow (for example
// "runs the built binary end to end"). Otherwise it does nothing.
func Slow(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("slow (%s): skipped with -short", why)
	}
}

// Command is exec.CommandContext for a program the tests built for the
// target (the landingd binary, or the test binary itself). When
// LANDINGD_TEST_EXEC names an emulator, such as qemu-aarch64-static for
// GOARCH=arm64 on an amd64 host (see deploy/testenv/cross.sh), the
// program runs under it, as `go test -exec` runs the test binaries.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	if emu := strings.Fields(os.Getenv("LANDINGD_TEST_EXEC")); len(emu) > 0 {
		return exec.CommandContext(ctx, emu[0], append(append(emu[1:], name), args...)...)
	}
	return exec.CommandContext(ctx, name, args...)
}
