package daemon

import (
	"context"
	"reflect"
	"testing"
	"time"

	"landingd/ingest"
	"landingd/ingest/state"
)

// A service started after a cycle was cut short (stopped by a signal, or
// its process died) catches up at once, even when no scheduled time has
// passed since the last completed cycle: the files the cycle did not take
// must not wait for the next planned one.
func TestCatchUpAfterCycleCutShort(t *testing.T) {
	for _, outcome := range []state.Outcome{state.RunStopped, state.RunInterrupted} {
		t.Run(string(outcome), func(t *testing.T) {
			f := newFixture(t, []string{"basildon"})
			clock := &fakeClock{now: at("2026-01-08 07:00")}
			s := f.open(t, clock)
			cycleAt(t, s, at("2026-01-07 06:00"), state.TriggerSchedule)
			ctx := context.Background()
			if err := s.Runner.DB.BeginRun(ctx, "cut-short", at("2026-01-08 06:00"), state.TriggerRetry); err != nil {
				t.Fatal(err)
			}
			if outcome == state.RunStopped {
				if err := s.Runner.DB.FinishRun(ctx, "cut-short", at("2026-01-08 06:01"), state.RunStopped, ""); err != nil {
					t.Fatal(err)
				}
			}
			var ran []state.Trigger
			s.AfterCycle = func(trigger state.Trigger, _ *ingest.Summary, err error) {
				if err != nil {
					t.Error(err)
				}
				ran = append(ran, trigger)
			}
			rctx, cancel := context.WithCancel(ctx)
			defer cancel()
			clock.cancel = cancel
			clock.onWait = func(time.Time) bool { return false }
			s.Wait = clock.Wait
			if err := s.Run(rctx); err != nil {
				t.Fatal(err)
			}
			if want := []state.Trigger{state.TriggerCatchUp}; !reflect.DeepEqual(ran, want) {
				t.Errorf("cycles at start = %v, want %v", ran, want)
			}
		})
	}
}
