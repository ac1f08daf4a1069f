//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"landingd/transform"
	"landingd/transform/synth"
)

// A stop signal ends prepare while it reads an xlsx export: nothing is
// left in the temporary folder, no output and no half-written output
// beside it. A prepare that fails leaves nothing either.
func TestE2EPrepareStopsOnSignalAndLeavesNoSpool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	outDir := filepath.Join(dir, "out")
	for _, d := range []string{tmp, outDir} {
		must(t, os.Mkdir(d, 0o700))
	}
	raw, err := os.ReadFile(schemaPath)
	must(t, err)
	s, err := transform.LoadSchema(raw)
	must(t, err)
	d, _ := synth.DistrictByID("basildon")
	export := filepath.Join(dir, "export.xlsx")
	must(t, synth.WriteFile(export, s, synth.Spec{District: d, Quarters: []string{"2025Q4"}, Rows: 60000, Seed: 5}))
	bad := filepath.Join(dir, "broken.xlsx")
	must(t, os.WriteFile(bad, []byte("PK\x03\x04 not a zip at all"), 0o600))
	env := append(os.Environ(), "TMPDIR="+tmp)

	cmd := exec.CommandContext(context.Background(), landingdBin(t), "prepare", "--partner", "basildon",
		"--out", filepath.Join(outDir, "basildon_2025Q4.csv"), export)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	// Wait until the export is being spooled, then stop it.
	for {
		if spooling(cmd.Process.Pid, tmp, "landingd-prepare-") {
			break
		}
		select {
		case err := <-waited:
			t.Fatalf("prepare ended (%v) before it spooled the export:\n%s", err, stderr.String())
		default:
		}
		time.Sleep(5 * time.Millisecond) // polling, not a timed assertion
	}
	must(t, cmd.Process.Signal(syscall.SIGTERM))
	err = <-waited
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailed {
		t.Errorf("prepare after SIGTERM: %v, want exit 1\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "prepare: stopped by a signal") {
		t.Errorf("stderr = %q", stderr.String())
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in the temporary folder after a stop: %v", left)
	}
	if left, _ := os.ReadDir(outDir); len(left) != 0 {
		t.Errorf("left beside the output after a stop: %v", left)
	}

	cmd = exec.CommandContext(context.Background(), landingdBin(t), "prepare", "--partner", "basildon",
		"--out", filepath.Join(outDir, "basildon_2025Q4.csv"), bad)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailed {
		t.Errorf("prepare a broken xlsx: %v, want exit 1\n%s", err, out)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in the temporary folder after an error: %v", left)
	}
	if left, _ := os.ReadDir(outDir); len(left) != 0 {
		t.Errorf("left beside the output after an error: %v", left)
	}
}
