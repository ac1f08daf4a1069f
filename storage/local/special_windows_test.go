//go:build windows

package local_test

import (
	"os"
	"os/exec"
	"testing"
)

// symlink makes a symbolic link at name pointing to target. Windows lets
// only an administrator or a machine in developer mode make one, so the
// test is skipped without that right.
func symlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Skipf("cannot make a symbolic link here: %v", err)
	}
}

// special makes a directory junction at name, a reparse point any user
// may make, pointing to a fresh folder.
func special(t *testing.T, name string) {
	t.Helper()
	if out, err := exec.Command("cmd", "/c", "mklink", "/J", name, t.TempDir()).CombinedOutput(); err != nil {
		t.Fatalf("mklink /J: %v: %s", err, out)
	}
}
