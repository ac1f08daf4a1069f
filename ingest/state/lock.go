package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// LockName is the lock file's name inside the state folder.
const LockName = "landingd.lock"

// ErrLocked is returned (wrapped) by Lock when another process holds the
// state folder.
var ErrLocked = errors.New("state folder is locked")

// Lock takes the exclusive lock on stateDir (flock on
// <stateDir>/landingd.lock, never waiting) and writes this process's PID
// into the lock file. The lock is released by unlock or when the process
// dies, so a crash never leaves a stale lock. When another process holds
// it, the error wraps ErrLocked and names that process's PID. It also fails
// when the folder or file cannot be opened.
func Lock(stateDir string) (unlock func() error, err error) {
	path := filepath.Join(stateDir, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", stateDir, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock %s: another landingd (%s) holds the state folder: %w",
				stateDir, holder(path), ErrLocked)
		}
		return nil, fmt.Errorf("lock %s: %w", stateDir, err)
	}
	// The PID is informative only: the flock is the lock.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	var done bool
	return func() error {
		if done {
			return nil
		}
		done = true
		// Unlock before closing; the file stays, so the next Lock reuses it.
		err := unix.Flock(int(f.Fd()), unix.LOCK_UN)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("unlock %s: %w", stateDir, err)
		}
		return nil
	}, nil
}

// holder describes the lock's holder from the PID in the lock file.
func holder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "PID unknown"
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return "PID unknown"
	}
	return "PID " + strconv.Itoa(pid)
}
