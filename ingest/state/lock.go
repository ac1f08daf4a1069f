package state

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LockName is the state lock file's name inside the state folder: whoever
// holds it may write the state (one cycle or one duty command at a time).
const LockName = "landingd.lock"

// ServeLockName is the serve lock file's name inside the state folder:
// "landingd serve" holds it for its whole life, so that a second serve on
// the same state refuses to start. It takes the state lock only per cycle.
const ServeLockName = "landingd-serve.lock"

// ErrLocked is returned (wrapped, in a *LockedError) by Lock and LockServe
// when another process holds the lock.
var ErrLocked = errors.New("state folder is locked")

// LockedError says who holds a lock that Lock could not take.
type LockedError struct {
	Dir     string
	PID     int           // 0 when the lock file does not say
	Holder  string        // what the holder is doing, e.g. "run", "erase"; "" when unknown
	Wait    time.Duration // how long Lock was to wait for it (0: not at all)
	serving bool          // the serve lock
}

func (e *LockedError) Error() string {
	who := "in use by PID unknown"
	if e.PID > 0 {
		who = "in use by PID " + strconv.Itoa(e.PID)
	}
	if e.Holder != "" {
		who += " (landingd " + e.Holder + ")"
	}
	if e.serving {
		return fmt.Sprintf("lock %s: another landingd serve is serving this state folder: %s", e.Dir, who)
	}
	if e.Wait > 0 {
		return fmt.Sprintf("lock %s: state folder %s; waited up to %s", e.Dir, who, e.Wait)
	}
	return fmt.Sprintf("lock %s: state folder %s", e.Dir, who)
}

// Unwrap returns ErrLocked.
func (e *LockedError) Unwrap() error { return ErrLocked }

// CycleRunning reports whether the holder is a cycle ("landingd run", on
// its own or started by serve).
func (e *LockedError) CycleRunning() bool { return e.Holder == "run" }

// lockPoll is how often Lock tries again while another process holds the
// lock: flock has no portable wait with a timeout.
const lockPoll = 100 * time.Millisecond

// Lock takes the exclusive state lock on stateDir (<stateDir>/landingd.lock)
// and writes this process's PID and holder (what it does, e.g. "erase")
// into the lock file. While another process holds it, Lock tries again
// until wait has passed or ctx ends; then the error is a *LockedError
// (wrapping ErrLocked) that names the other process. The lock is released
// by unlock, or by the system when the process dies, so a crash never
// leaves a stale lock. Any other failure (a read-only folder, an I/O
// error) is returned as it is: "cannot write the state folder: …".
func Lock(ctx context.Context, stateDir, holder string, wait time.Duration) (unlock func() error, err error) {
	return lockFile(ctx, stateDir, LockName, holder, wait, false)
}

// LockServe takes the serve lock on stateDir without waiting: see
// ServeLockName. It fails with a *LockedError while another serve holds it.
func LockServe(stateDir string) (unlock func() error, err error) {
	return lockFile(context.Background(), stateDir, ServeLockName, "serve", 0, true)
}

func lockFile(ctx context.Context, stateDir, name, holder string, wait time.Duration, serving bool) (func() error, error) {
	path := filepath.Join(stateDir, name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: cannot write the state folder: %w", stateDir, cause(err))
	}
	start := time.Now()
	for {
		held, err := tryLock(f)
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %s: %w", stateDir, name, cause(err))
		}
		if !held {
			break
		}
		if wait <= 0 || time.Since(start) >= wait || ctx.Err() != nil {
			_ = f.Close()
			le := &LockedError{Dir: stateDir, Wait: max(wait, 0), serving: serving}
			le.PID, le.Holder = readHolder(path)
			return nil, le
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	// The holder line is informative only: the lock is the lock.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+" "+holder+"\n"), 0)
	}
	var done bool
	return func() error {
		if done {
			return nil
		}
		done = true
		// Unlock before closing; the file stays, so the next Lock reuses it.
		err := unlockFile(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("unlock %s: %w", stateDir, err)
		}
		return nil
	}, nil
}

// cause strips the path from err, which the message already names.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readHolder reads the PID and holder from the lock file at path.
func readHolder(path string) (pid int, holder string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, ""
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return 0, ""
	}
	if pid, err = strconv.Atoi(fields[0]); err != nil || pid <= 0 {
		return 0, ""
	}
	return pid, strings.Join(fields[1:], " ")
}
