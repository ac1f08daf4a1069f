package daemon

import (
	"context"
	"strings"
	"testing"
	"time"

	"landingd/config"
	"landingd/ingest/alert"
)

// reviewEvents returns the review_overdue alerts the webhook received.
func (w *webhook) reviewEvents() []alert.Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []alert.Event
	for _, e := range w.events {
		if e.Kind == alert.KindReviewOverdue {
			out = append(out, e)
		}
	}
	return out
}

// runUntil runs a Service on s's runner, as a (re)started service would,
// from start until it would wait past stop.
func runUntil(t *testing.T, s *Service, client *alert.Client, start, stop time.Time) {
	t.Helper()
	svc, err := New(s.Runner, s.Logger)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: start}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock.cancel = cancel
	clock.onWait = func(until time.Time) bool { return !until.After(stop) }
	svc.Alert, svc.Now, svc.Wait = client, clock.Now, clock.Wait
	client.Now = clock.Now
	if err := svc.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestReviewOverdueAlertedOnce sends the review_overdue alert once per
// review date: when the date passes (the service wakes for it between
// cycles), not again at later cycles or after a restart, and again once
// a moved date passes in its turn.
func TestReviewOverdueAlertedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{"basildon"})
	f.cfg.Protocol.ReviewDate = config.Date{Time: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)}
	hook, client := newWebhook(t)
	s := f.open(t, nil)
	f.drop(t, "basildon", "2025Q4", 10)

	// From before the date through the April cycle and its retries.
	runUntil(t, s, client, at("2026-01-20 12:00"), at("2026-04-10 00:00"))
	evs := hook.reviewEvents()
	if len(evs) != 1 {
		t.Fatalf("review alerts = %+v, want one", evs)
	}
	if e := evs[0]; !e.Time.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) || e.Protocol != "da-needs-assessment" ||
		!strings.Contains(e.Summary, "2026-01-31, has passed") || strings.Contains(e.Summary, "paused") ||
		!e.Deadlines["review"].Equal(f.cfg.Protocol.ReviewDate.Time) {
		t.Errorf("review alert = %+v, want one at the end of 31 January naming the date", e)
	}
	last, ok, err := s.Runner.DB.LastRun(context.Background())
	if err != nil || !ok || last.Started.Before(at("2026-04-07 06:00")) {
		t.Fatalf("last run = %+v %v %v, want the April cycle after the alert", last, ok, err)
	}

	// A restart remembers the alert.
	runUntil(t, s, client, at("2026-04-20 09:00"), at("2026-04-21 00:00"))
	if evs := hook.reviewEvents(); len(evs) != 1 {
		t.Errorf("after a restart review alerts = %d, want still one", len(evs))
	}

	// The partners review the agreement and move the date; when it
	// passes, the alert goes again, saying the cycles are paused.
	f.cfg.Protocol.ReviewDate = config.Date{Time: time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC)}
	f.cfg.Protocol.OnReviewOverdue = config.ReviewPause
	runUntil(t, s, client, at("2026-05-02 09:00"), at("2026-07-09 00:00"))
	evs = hook.reviewEvents()
	if len(evs) != 2 {
		t.Fatalf("review alerts after the moved date passed = %d, want two", len(evs))
	}
	if e := evs[1]; !strings.Contains(e.Summary, "2026-05-31, has passed") || !strings.Contains(e.Summary, "cycles are paused") {
		t.Errorf("second review alert = %q, want the new date and the pause", e.Summary)
	}
}
