package ingest

import (
	"context"
	"testing"

	"landingd/ingest/state"
	"landingd/transform/synth"
)

// A cycle that a stop signal cuts short is recorded as stopped, never ok,
// so that the ledger does not count it as a completed cycle.
func TestStoppedCycleIsRecordedStopped(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := newDutyLab(t, "basildon", "harlow")
	l.set(utc("2026-01-08 06:00"))
	l.drop(t, "basildon", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, DAShare: 1})
	l.drop(t, "harlow", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, DAShare: 1})
	r := l.open(t)
	r.Config.Concurrency = 1
	r.AfterCommit = func(partner, object string) { cancel() }
	sum, err := r.Cycle(ctx, nil)
	must(t, err)
	if !sum.Stopped {
		t.Fatal("the cycle did not see the stop")
	}
	last, ok, err := r.DB.LastRun(context.Background())
	must(t, err)
	if !ok || last.ID != sum.RunID || last.Outcome != state.RunStopped {
		t.Fatalf("last run = %+v, want %s recorded %q", last, sum.RunID, state.RunStopped)
	}
	if done, ok, err := r.DB.LastCompletedRun(context.Background()); err != nil || ok {
		t.Errorf("last completed run = %+v, %v, %v: a stopped cycle counts as completed", done, ok, err)
	}
}
