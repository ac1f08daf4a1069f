package daemon

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"landingd/ingest"
	"landingd/ingest/alert"
	"landingd/ingest/state"
	"landingd/storage"
)

// A cycle whose process died is visible: the ledger finishes its run as
// failed, naming the cause, the partner and the file; /readyz says so;
// the alert names them; and a retry of every partner is planned at once,
// backing off while the process keeps dying.
func TestDeadCycleIsVisibleAndRetriedWithBackoff(t *testing.T) {
	f := newFixture(t, []string{"basildon", "braintree"})
	name := f.drop(t, "basildon", "2025Q4", 10)
	clock := &fakeClock{now: at("2026-01-07 06:00")}
	s := f.open(t, clock)
	hook, client := newWebhook(t)
	s.Alert = client
	s.Runner.Alert = client
	ctx := context.Background()

	// The child died while judging basildon's file: it had begun its run
	// and marked the file, as a real child does.
	p, _ := f.cfg.Partner("basildon")
	var obj storage.Object
	s.RunCycle = func(ctx context.Context, trigger state.Trigger, partners []string) (*ingest.Summary, error) {
		z, err := ingest.OpenZone(ctx, p.Landing, f.cfg.State, nil, s.Logger)
		if err != nil {
			return nil, err
		}
		defer z.Close()
		_ = z.List(ctx, storage.Top, func(o storage.Object) error { obj = o; return nil })
		runID := ingest.NewRunID(clock.Now())
		if err := s.Runner.DB.BeginRun(ctx, runID, clock.Now(), trigger); err != nil {
			return nil, err
		}
		v := state.Version{Partner: "basildon", Name: obj.Name, Size: obj.Size, ModTime: obj.ModTime, ETag: obj.ETag}
		if err := s.Runner.DB.BeginJudging(ctx, runID, v); err != nil {
			return nil, err
		}
		return nil, &ingest.CycleDied{Cause: "exit status 2: fatal error: out of memory"}
	}

	var retries []time.Duration
	for range 3 {
		start := clock.Now()
		s.cycle(ctx, state.TriggerCatchUp, nil)
		next, ok, err := s.plan(ctx)
		if err != nil || !ok || next.Trigger != state.TriggerRetry || next.Partners != nil {
			t.Fatalf("planned %+v, %v, %v; want a retry of every partner", next, ok, err)
		}
		retries = append(retries, next.At.Sub(start))
		clock.Set(next.At)
	}
	if want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute}; !equalDurations(retries, want) {
		t.Errorf("retries after %v, want %v", retries, want)
	}

	err := s.ready(ctx)
	if err == nil || !strings.Contains(err.Error(), "fatal error: out of memory") || !strings.Contains(err.Error(), "basildon: "+name) {
		t.Errorf("ready = %v, want the cause, the partner and the file", err)
	}
	rec := httptest.NewRecorder()
	s.Server().Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "basildon: "+name) {
		t.Errorf("/readyz = %d %q", rec.Code, rec.Body.String())
	}
	sus, err := s.Runner.DB.Suspects(ctx, "basildon")
	if err != nil || len(sus) != 1 || sus[0].Deaths != 3 {
		t.Errorf("suspects = %+v, %v; want the file with 3 deaths", sus, err)
	}
	s.Runner.WaitAlerts(ctx)
	if got := hook.kinds()[alert.KindCycleFailed]; len(got) != 3 || got[0] != "basildon" {
		t.Errorf("cycle_failed alerts for %v, want 3 naming basildon", got)
	}

	// A cycle that runs to its end resets the backoff.
	s.RunCycle = nil
	s.cycle(ctx, state.TriggerRetry, nil)
	if !s.retryAt.IsZero() || s.crashes != 0 {
		t.Errorf("after a completed cycle: retryAt %v, crashes %d", s.retryAt, s.crashes)
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// /readyz and the status page show a failed cycle's error with the file
// name in it escaped: no control character reaches the operator.
func TestFailedCycleErrorIsEscaped(t *testing.T) {
	f := newFixture(t, []string{"basildon"})
	clock := &fakeClock{now: at("2026-01-07 06:00")}
	s := f.open(t, clock)
	ctx := context.Background()
	runID := ingest.NewRunID(clock.Now())
	if err := s.Runner.DB.BeginRun(ctx, runID, clock.Now(), state.TriggerSchedule); err != nil {
		t.Fatal(err)
	}
	if err := s.Runner.DB.FinishRun(ctx, runID, clock.Now(), state.RunFailed, "judging basildon: q4\x1b[2J\u202e.csv took too long"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/readyz", "/", "/api/status"} {
		rec := httptest.NewRecorder()
		s.Server().Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		body := rec.Body.String()
		if strings.ContainsAny(body, "\x1b\u202e") || !strings.Contains(body, `q4\`) {
			t.Errorf("GET %s = %d %q: want the name escaped", path, rec.Code, body)
		}
	}
}
