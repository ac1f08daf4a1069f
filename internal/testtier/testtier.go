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

import "testing"

// Slow skips t under -short, giving why the test is slow (for example
// "runs the built binary end to end"). Otherwise it does nothing.
func Slow(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("slow (%s): skipped with -short", why)
	}
}
