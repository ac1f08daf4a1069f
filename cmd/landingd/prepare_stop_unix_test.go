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
	export := filepath.Join(dir, "export.xlsx")
	writeBigXLSX(t, export)
	bad := filepath.Join(dir, "broken.xlsx")
	must(t, os.WriteFile(bad, []byte("PK\x03\x04 not a zip at all"), 0o600))
	env := append(os.Environ(), "TMPDIR="+tmp)

	cmd := exec.CommandContext(context.Background(), landingdBin(t), "prepare", "--partner", "basildon",
		"--out", filepath.Join(outDir, "basildon_2025Q4.csv"), export)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := stopWhileSpooling(t, cmd, tmp, "landingd-prepare-", syscall.SIGTERM)
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
