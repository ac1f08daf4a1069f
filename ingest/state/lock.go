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
//
// A process started by the holder to run one cycle (see InheritLockEnv)
// adopts the holder's lock instead of taking its own.
func Lock(stateDir string) (unlock func() error, err error) {
	_, unlock, err = LockFile(stateDir)
	return unlock, err
}

// InheritLockEnv names the environment variable through which the holder
// of the state lock (landingd serve) hands it to a child process that runs
// one cycle: it holds the number of an inherited file descriptor open on
// the lock file. The child shares the holder's lock; it never releases it.
const InheritLockEnv = "LANDINGD_STATE_LOCK_FD"

// LockFile is Lock, and also returns the locked file, for handing the lock
// to a child process (exec.Cmd.ExtraFiles) with InheritLockEnv.
func LockFile(stateDir string) (f *os.File, unlock func() error, err error) {
	if fd := os.Getenv(InheritLockEnv); fd != "" {
		unlock, err := adopt(stateDir, fd)
		return nil, unlock, err
	}
	path := filepath.Join(stateDir, LockName)
	f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("lock %s: %w", stateDir, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, nil, fmt.Errorf("lock %s: another landingd (%s) holds the state folder: %w",
				stateDir, holder(path), ErrLocked)
		}
		return nil, nil, fmt.Errorf("lock %s: %w", stateDir, err)
	}
	// The PID is informative only: the flock is the lock.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	var done bool
	return f, func() error {
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

// adopt takes over the lock a parent handed down on descriptor fdText. It
// checks that the descriptor is open on this state folder's lock file and
// holds its lock; the returned unlock only closes this process's copy, so
// the parent keeps the lock.
func adopt(stateDir, fdText string) (func() error, error) {
	path := filepath.Join(stateDir, LockName)
	fd, err := strconv.Atoi(fdText)
	if err != nil || fd < 3 {
		return nil, fmt.Errorf("lock %s: %s is not a file descriptor", stateDir, InheritLockEnv)
	}
	var got, want unix.Stat_t
	if err := unix.Fstat(fd, &got); err != nil {
		return nil, fmt.Errorf("lock %s: inherited descriptor %d: %w", stateDir, fd, err)
	}
	if err := unix.Stat(path, &want); err != nil || got.Dev != want.Dev || got.Ino != want.Ino {
		return nil, fmt.Errorf("lock %s: inherited descriptor %d is not this state folder's lock file", stateDir, fd)
	}
	// The same open file description already holds the lock, so this
	// succeeds at once; from any other it would fail.
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return nil, fmt.Errorf("lock %s: the inherited lock is not held: %w", stateDir, ErrLocked)
	}
	// Grandchildren must not inherit it by accident.
	_ = os.Unsetenv(InheritLockEnv)
	f := os.NewFile(uintptr(fd), path)
	return f.Close, nil
}
