//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"landingd/ingest"
	"landingd/ingest/state"
	"landingd/transform/synth"
)

// run honours shutdown_timeout: stopped while it judges a file that would
// take longer (a reader that waits until its context ends), it ends the
// file when the budget runs out, records the cycle as stopped, not ok,
// leaves the file in its zone for the next cycle and no spool in state/,
// and exits well within shutdown_timeout and a grace. The bound is a
// correctness check on a budget of seconds, not a measure of speed.
func TestE2ERunHonoursShutdownTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const budget = 3 * time.Second
	l := newLab(t, "", "basildon", "braintree")
	f, err := os.OpenFile(l.protocol, os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteString("shutdown_timeout: " + budget.String() + "\n")
	must(t, err)
	must(t, f.Close())
	l.drop(t, "basildon", "slow.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 40, DAShare: 1, Seed: 3})
	l.drop(t, "braintree", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 40, DAShare: 1, Seed: 4})

	cmd := exec.Command(faultBin(t), "run", "--config", l.protocol)
	cmd.Dir = l.dir
	cmd.Env = append(os.Environ(), "LANDINGD_FAULT_JUDGE=stall:slow.csv")
	var so strings.Builder
	cmd.Stdout = &so
	pipe, err := cmd.StderrPipe()
	must(t, err)
	must(t, cmd.Start())
	stalling := make(chan struct{})
	var se strings.Builder
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(pipe)
		sc.Buffer(nil, 1<<20)
		seen := false
		for sc.Scan() {
			se.WriteString(sc.Text() + "\n")
			if !seen && sc.Text() == "fault: stalling" {
				seen = true
				close(stalling)
			}
		}
		if !seen {
			close(stalling)
		}
	}()
	<-stalling
	sent := time.Now()
	must(t, cmd.Process.Signal(syscall.SIGTERM))
	<-read
	err = cmd.Wait()
	took := time.Since(sent)
	t.Logf("run stopped %s after SIGTERM (exit: %v)", took.Round(time.Millisecond), err)
	if !strings.Contains(se.String(), "fault: stalling") {
		t.Fatalf("run never judged slow.csv: %v\n%s\n%s", err, so.String(), se.String())
	}
	if took > budget+10*time.Second {
		t.Errorf("run took %s to stop after SIGTERM, shutdown_timeout %s", took, budget)
	}
	if strings.Contains(se.String(), "stopping now") {
		t.Errorf("run was stopped by its hard stop, not by the file's budget:\n%s", se.String())
	}
	if !strings.Contains(so.String(), "Stopped by a signal") {
		t.Errorf("run after SIGTERM (%v) does not say it was stopped:\n%s\n%s", err, so.String(), se.String())
	}

	r := runBin(t, l.dir, "status", "--config", l.protocol, "--json")
	var st ingest.Status
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	if st.LastRun == nil || st.LastRun.Outcome != state.RunStopped {
		t.Errorf("last run = %+v, want outcome %q", st.LastRun, state.RunStopped)
	}
	if got := topFiles(t, filepath.Join(l.dir, "landing", "basildon")); len(got) != 1 || got[0] != "slow.csv" {
		t.Errorf("basildon's zone = %v, want slow.csv left for the next cycle", got)
	}
	for _, name := range topFiles(t, filepath.Join(l.dir, "state")) {
		for _, spool := range []string{"landingd-xlsx-", ".spool-", "excelize-", "landingd-combined-"} {
			if strings.HasPrefix(name, spool) {
				t.Errorf("spool %s left in state/", name)
			}
		}
	}
}
