package state

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// A child handed the holder's descriptor adopts the lock; a descriptor on
// another open of the same file, or on another file, is refused.
func TestLockAdoptsAnInheritedLock(t *testing.T) {
	dir := t.TempDir()
	f, unlock, err := LockFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	// dup shares the open file description, as a child's inherited
	// descriptor does.
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(InheritLockEnv, strconv.Itoa(fd))
	release, err := Lock(dir)
	if err != nil {
		t.Fatalf("adopting the inherited lock: %v", err)
	}
	if os.Getenv(InheritLockEnv) != "" {
		t.Error("the variable is still set for grandchildren")
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	// Releasing the adopted copy leaves the holder's lock in place.
	if _, err := Lock(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("after the child let go, the state is not locked: %v", err)
	}

	// Another open of the lock file does not hold the lock.
	other, err := os.Open(filepath.Join(dir, LockName))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	t.Setenv(InheritLockEnv, strconv.Itoa(int(other.Fd())))
	if _, err := Lock(dir); !errors.Is(err, ErrLocked) {
		t.Errorf("a descriptor without the lock was adopted: %v", err)
	}

	// A descriptor on some other file is refused.
	stray, err := os.CreateTemp(dir, "stray")
	if err != nil {
		t.Fatal(err)
	}
	defer stray.Close()
	t.Setenv(InheritLockEnv, strconv.Itoa(int(stray.Fd())))
	if _, err := Lock(dir); err == nil {
		t.Error("a descriptor on another file was adopted")
	}
}
