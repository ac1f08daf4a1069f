//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"landingd/transform"
	"landingd/transform/synth"
)

// validate refuses a FIFO (or anything but a regular file) without
// waiting for a writer.
func TestValidateRefusesAFIFO(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "q4.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	code, _, stderr := runCmd(t, "validate", "--partner", "basildon", fifo)
	if code != exitUsage || !strings.Contains(stderr, "is not a regular file") {
		t.Errorf("validate a FIFO: exit %d, stderr %q; want 2 and \"is not a regular file\"", code, stderr)
	}
	code, _, stderr = runCmd(t, "validate", "--partner", "basildon", dir)
	if code != exitUsage || !strings.Contains(stderr, "is not a regular file") {
		t.Errorf("validate a folder: exit %d, stderr %q", code, stderr)
	}
}

// A stop signal ends validate at once, and no copy of the file is left in
// the temporary folder.
func TestE2EValidateStopsOnSignalAndLeavesNoSpool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "big.xlsx")
	writeBigXLSX(t, file)

	cmd := exec.CommandContext(context.Background(), landingdBin(t), "validate", "--partner", "basildon", file)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := stopWhileSpooling(t, cmd, tmp, "landingd-validate-", syscall.SIGTERM)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailed {
		t.Errorf("validate after SIGTERM: %v, want exit 1\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopped by a signal") {
		t.Errorf("stderr = %q", stderr.String())
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in the temporary folder: %v", left)
	}
}

// A validate killed while it reads an xlsx (SIGKILL, or the out-of-memory
// killer) leaves no copy of the file in the temporary folder: the spool
// has no name while it is read.
func TestE2EKilledValidateLeavesNoCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("finds the spool among the process's open files (/proc)")
	}
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	must(t, os.Mkdir(tmp, 0o700))
	file := filepath.Join(dir, "big.xlsx")
	writeBigXLSX(t, file)
	cmd := exec.CommandContext(context.Background(), landingdBin(t), "validate", "--partner", "basildon", file)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	_ = stopWhileSpooling(t, cmd, tmp, "landingd-validate-", os.Kill)
	_ = filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("a killed validate left %s", path)
		}
		return nil
	})
}

// writeBigXLSX writes a basildon export of 60,000 rows to path: long
// enough to read that a signal lands while it is spooled.
func writeBigXLSX(t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(schemaPath)
	must(t, err)
	s, err := transform.LoadSchema(raw)
	must(t, err)
	d, _ := synth.DistrictByID("basildon")
	must(t, synth.WriteFile(path, s, synth.Spec{District: d, Quarters: []string{"2025Q4"}, Rows: 60000, Seed: 5}))
}

// stopWhileSpooling starts cmd, waits until it spools a file into its
// folder prefix* under tmp, sends it sig and returns what cmd.Wait
// returned. It fails the test if cmd ends before it spools; the message
// carries cmd's stderr when that is a buffer.
func stopWhileSpooling(t *testing.T, cmd *exec.Cmd, tmp, prefix string, sig os.Signal) error {
	t.Helper()
	must(t, cmd.Start())
	// An ended process answers signal 0 until it is waited for: a
	// goroutine waits, so that the loop below sees the end.
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	for !spooling(cmd.Process.Pid, tmp, prefix) {
		select {
		case err := <-waited:
			var stderr string
			if b, ok := cmd.Stderr.(*bytes.Buffer); ok {
				stderr = b.String()
			}
			t.Fatalf("%s ended (%v) before it spooled the file:\n%s", cmd.Args[1], err, stderr)
		default:
		}
		time.Sleep(5 * time.Millisecond) // polling, not a timed assertion
	}
	must(t, cmd.Process.Signal(sig))
	return <-waited
}

// spooling reports whether process pid is spooling a file into its
// folder prefix* under tmp. The spool has no name while it is read where
// the system allows it (see table.Open): on Linux it is found among the
// process's open files; elsewhere its name, or, failing that, the folder,
// is the sign.
func spooling(pid int, tmp, prefix string) bool {
	if ents, _ := filepath.Glob(filepath.Join(tmp, prefix+"*", "*")); len(ents) > 0 {
		return true
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		dirs, _ := filepath.Glob(filepath.Join(tmp, prefix+"*"))
		return runtime.GOOS != "linux" && len(dirs) > 0
	}
	for _, fd := range fds {
		link, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if strings.HasPrefix(link, filepath.Join(tmp, prefix)) {
			return true
		}
	}
	return false
}
