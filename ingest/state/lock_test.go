package state

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"landingd/internal/testtier"
)

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }

func TestLockExcludesSecondHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	unlock, err := Lock(ctx, dir, "run", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(ctx, dir, "erase", 0)
	var le *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &le) || !le.CycleRunning() {
		t.Fatalf("second Lock = %v, want a LockedError held by a cycle", err)
	}
	if want := "in use by PID " + strconv.Itoa(os.Getpid()) + " (landingd run)"; !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not say %q", err, want)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Fatalf("second unlock: %v", err)
	}
	unlock2, err := Lock(ctx, dir, "erase", 0)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock2()
}

// A Lock that waits takes the lock once the holder lets go; one whose
// context ends gives up with the holder named.
func TestLockWaits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	unlock, err := Lock(ctx, dir, "run", 0)
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Lock(cctx, dir, "erase", time.Hour); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "waited") {
		t.Fatalf("Lock with an ended context = %v, want ErrLocked after waiting", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := Lock(ctx, dir, "erase", time.Hour)
		if err == nil {
			err = u()
		}
		got <- err
	}()
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiting Lock: %v", err)
	}
}

// A lock file that cannot be opened is not another landingd: the error
// says what failed, and never "in use".
func TestLockCannotWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	// A folder where the lock file should be: opening it for writing
	// fails as on a read-only file system, whoever runs the test.
	if err := os.Mkdir(filepath.Join(dir, LockName), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Lock(ctx, dir, "run", time.Hour)
	if err == nil || errors.Is(err, ErrLocked) || strings.Contains(err.Error(), "in use") ||
		!strings.Contains(err.Error(), "cannot write the state folder: is a directory") {
		t.Fatalf("Lock = %v, want cannot write the state folder", err)
	}
	if _, err := Lock(ctx, filepath.Join(dir, "nope"), "run", 0); err == nil || errors.Is(err, ErrLocked) {
		t.Fatalf("Lock of a missing folder = %v", err)
	}
}

// serve's lock and the state lock are apart: a serve does not keep
// commands out, and a second serve is refused.
func TestLockServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	unlock, err := LockServe(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := LockServe(dir); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "another landingd serve") {
		t.Fatalf("second LockServe = %v", err)
	}
	u, err := Lock(context.Background(), dir, "erase", 0)
	if err != nil {
		t.Fatalf("Lock while serving: %v", err)
	}
	u()
}

// TestLockHelperProcess is not a test: run by TestLockAcrossProcesses in a
// child process, it takes the lock, says so, and holds it until stdin closes.
func TestLockHelperProcess(t *testing.T) {
	dir := os.Getenv("LANDINGD_LOCK_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	unlock, err := Lock(context.Background(), dir, "run", 0)
	if err != nil {
		os.Stdout.WriteString("error " + err.Error() + "\n")
		os.Exit(2)
	}
	os.Stdout.WriteString("locked\n")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	unlock()
	os.Exit(0)
}

func TestLockAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	cmd := testtier.Command(context.Background(), os.Args[0], "-test.run=^TestLockHelperProcess$")
	cmd.Env = append(os.Environ(), "LANDINGD_LOCK_HELPER_DIR="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	_, err = Lock(context.Background(), dir, "erase", 0)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "PID "+strconv.Itoa(cmd.Process.Pid)) {
		t.Fatalf("Lock while the child holds it = %v (child PID %d)", err, cmd.Process.Pid)
	}
	stdin.Close() // the child unlocks and exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	unlock, err := Lock(context.Background(), dir, "erase", 0)
	if err != nil {
		t.Fatalf("Lock after the child exited: %v", err)
	}
	unlock()
}
