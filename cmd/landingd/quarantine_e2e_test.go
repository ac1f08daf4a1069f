package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"landingd/transform/synth"
)

var (
	faultOnce sync.Once
	faultPath string
	faultErr  error
)

// faultBin builds the binary with the faultinject tag once: it fails on
// purpose while judging the file LANDINGD_FAULT_JUDGE names.
func faultBin(t *testing.T) string {
	t.Helper()
	faultOnce.Do(func() {
		dir, err := os.MkdirTemp("", "landingd-fault-")
		if err != nil {
			faultErr = err
			return
		}
		faultPath = filepath.Join(dir, "landingd")
		out, err := exec.Command("go", "build", "-tags", "faultinject", "-o", faultPath, ".").CombinedOutput()
		if err != nil {
			faultErr, faultPath = err, string(out)
		}
	})
	if faultErr != nil {
		t.Fatalf("build landingd with faultinject: %v\n%s", faultErr, faultPath)
	}
	return faultPath
}

func topFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out
}

// A file that kills the process judging it (here: as an out-of-memory
// death does) stops nobody else: run records the death, runs the cycle
// again at once, publishes the other partner's quarter, and after the
// second death files the file in rejected/ with a report.
func TestE2EFileThatKillsTheJudgeIsQuarantined(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	l := newLab(t, "", "basildon", "braintree")
	l.drop(t, "basildon", "bomb.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 40, DAShare: 1, Seed: 3})
	l.drop(t, "braintree", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 40, DAShare: 1, Seed: 4})
	cmd := exec.Command(faultBin(t), "run", "--config", l.protocol)
	cmd.Dir = l.dir
	cmd.Env = append(os.Environ(), "LANDINGD_FAULT_JUDGE=exit:bomb.csv")
	var so, se strings.Builder
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("run: %v, want exit 1 (a cycle process died)\n%s\n%s", err, so.String(), se.String())
	}
	want := "CYCLE FAILED: the cycle process died (exit status 2: fatal error: out of memory) while judging basildon: bomb.csv"
	if n := strings.Count(so.String(), want); n != 2 {
		t.Errorf("stdout names the death %d times, want 2:\n%s", n, so.String())
	}
	if got := topFiles(t, filepath.Join(l.dir, "landing", "basildon", "rejected")); !slices.Equal(got, []string{"bomb.csv", "bomb.csv.report.txt"}) {
		t.Errorf("basildon rejected/ = %v", got)
	}
	report, _ := os.ReadFile(filepath.Join(l.dir, "landing", "basildon", "rejected", "bomb.csv.report.txt"))
	if !strings.Contains(string(report), "could not be read safely") {
		t.Errorf("report:\n%s", report)
	}
	if got := topFiles(t, filepath.Join(l.dir, "landing", "braintree", "processed")); !slices.Equal(got, []string{"q4.csv"}) {
		t.Errorf("braintree processed/ = %v", got)
	}
	if _, err := os.Stat(filepath.Join(l.dir, "out", "2025Q4", "combined.csv")); err != nil {
		t.Errorf("the other partner's quarter was not published: %v", err)
	}
	for _, name := range topFiles(t, filepath.Join(l.dir, "state")) {
		if strings.HasPrefix(name, "landingd-xlsx-") || strings.HasPrefix(name, ".spool-") {
			t.Errorf("spool %s left in state/", name)
		}
	}
}
