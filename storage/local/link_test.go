package local

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestLinkRemoveTakesBackTheLink checks that a link-and-remove move whose
// remove fails leaves the file at its old name only, so that a retried
// move does not file it twice.
func TestLinkRemoveTakesBackTheLink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	from, to := filepath.Join(dir, "q4.csv"), filepath.Join(dir, "processed-q4.csv")
	if err := os.WriteFile(from, []byte("a,b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	busy := &fs.PathError{Op: "remove", Path: from, Err: errors.New("held open")}
	err := linkThenRemove(from, to, func(string) error { return busy })
	if !errors.Is(err, busy) {
		t.Fatalf("linkThenRemove = %v, want the remove's error", err)
	}
	if _, err := os.Lstat(from); err != nil {
		t.Errorf("the file left its old name: %v", err)
	}
	if _, err := os.Lstat(to); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the new name was not taken back: %v", err)
	}
	if err := linkThenRemove(from, to, os.Remove); err != nil {
		t.Fatalf("a second move: %v", err)
	}
	if _, err := os.Lstat(from); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after the second move the old name is still there: %v", err)
	}
	if got, err := os.ReadFile(to); err != nil || string(got) != "a,b\n" {
		t.Errorf("after the second move the new name holds %q, %v", got, err)
	}
}
