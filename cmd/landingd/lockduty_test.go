package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"landingd/config"
	"landingd/ingest"
	"landingd/transform/synth"
)

// An erasure asked for while a cycle runs waits for the cycle to end and
// then erases: the case is in no output afterwards, including the quarter
// the cycle itself published with it, and the audit trail verifies.
func TestE2EEraseDuringCycle(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built binary")
	}
	l := newLab(t, "", "braintree")
	q4 := l.drop(t, "braintree", "braintree_2025Q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 60, Seed: 11})
	if r := l.run(t); r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	q1 := l.drop(t, "braintree", "braintree_2026Q1.csv", synth.Spec{Quarters: []string{"2026Q1"}, Rows: 60, Seed: 11})
	ref := commonCase(t, filepath.Join(filepath.Dir(q4), "processed", filepath.Base(q4)), q1)
	ps := l.pseudonym(t, "braintree", ref)

	// The cycle runs here, so that it can be held mid-file until the
	// erasure is seen waiting for it.
	cfg, err := config.Load(l.protocol)
	must(t, err)
	r, err := ingest.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	must(t, err)
	erase := exec.Command(landingdBin(t), "erase", "--config", l.protocol, "--partner", "braintree",
		"--case-ref", ref, "--reason", "SAR-2026-020", "--wait", "10m")
	erase.Dir = l.dir
	stderr, err := erase.StderrPipe()
	must(t, err)
	var stdout strings.Builder
	erase.Stdout = &stdout
	var once sync.Once
	var errText strings.Builder
	copied := make(chan struct{})
	r.AfterCommit = func(partner, object string) {
		once.Do(func() {
			must(t, erase.Start())
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				errText.WriteString(sc.Text() + "\n")
				if strings.Contains(sc.Text(), "waiting up to 10m0s") {
					break
				}
			}
			if !strings.Contains(errText.String(), "in use by PID") {
				t.Errorf("erase did not say it waits for the cycle:\n%s", errText.String())
			}
			go func() { _, _ = io.Copy(&errText, stderr); close(copied) }()
		})
	}
	sum, err := r.Cycle(context.Background(), nil)
	must(t, err)
	if sum.Failed() || len(sum.Quarters) == 0 {
		t.Fatalf("the cycle: %+v", sum)
	}
	must(t, r.Close())
	<-copied // the erasure's stderr is read to its end before Wait closes it
	if err := erase.Wait(); err != nil {
		t.Fatalf("erase: %v\n%s%s", err, stdout.String(), errText.String())
	}
	if !strings.Contains(stdout.String(), "Erased a case of braintree") {
		t.Errorf("erase said:\n%s", stdout.String())
	}
	if got := filesHolding(t, filepath.Join(l.dir, "out"), ps); len(got) != 0 {
		t.Errorf("outputs still hold the erased case: %v", got)
	}
	if v := l.duty(t, "audit", "verify"); v.code != 0 {
		t.Errorf("audit verify: %d\n%s%s", v.code, v.stdout, v.stderr)
	}
}
