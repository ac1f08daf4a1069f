// Package audittest helps tests make the audit log fail the way a full
// disk or a read-only file would, without a seam in the code under test.
package audittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"landingd/ingest/audit"
)

// BlockAppends makes every append to the audit log in stateDir fail until
// the returned function (also run at cleanup) lifts it. For a user other
// than root it takes write permission off the live file; root ignores
// permissions, so for root the file is made immutable (chattr +i). It
// fails t when there is no live file, and skips t where the block cannot
// be made (no chattr, or a filesystem without the immutable flag).
func BlockAppends(t testing.TB, stateDir string) (restore func()) {
	t.Helper()
	live := filepath.Join(stateDir, audit.LiveName)
	if _, err := os.Stat(live); err != nil {
		t.Fatalf("no live audit file to block: %v", err)
	}
	var undo func() error
	if os.Geteuid() != 0 {
		if err := os.Chmod(live, 0o440); err != nil {
			t.Fatal(err)
		}
		undo = func() error { return os.Chmod(live, 0o640) }
	} else {
		if out, err := exec.Command("chattr", "+i", live).CombinedOutput(); err != nil {
			t.Skipf("cannot make the audit file immutable as root here: %v %s", err, out)
		}
		undo = func() error { return exec.Command("chattr", "-i", live).Run() }
	}
	// Check the block holds, as the code under test would meet it.
	if f, err := os.OpenFile(live, os.O_WRONLY|os.O_APPEND, 0); err == nil {
		f.Close()
		_ = undo()
		t.Skip("the audit file stays writable here")
	}
	done := false
	restore = func() {
		if !done {
			done = true
			if err := undo(); err != nil {
				t.Errorf("lift the audit block: %v", err)
			}
		}
	}
	t.Cleanup(restore)
	return restore
}
