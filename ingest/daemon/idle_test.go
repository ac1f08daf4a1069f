package daemon

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"landingd/ingest"
	"landingd/ingest/state"
)

// TestReleasesMemoryWhenIdle checks that the service hands memory back
// before it waits for the next cycle, and again after a request other
// than /healthz once requests stop.
func TestReleasesMemoryWhenIdle(t *testing.T) {
	t.Parallel()
	t.Run("before waiting", func(t *testing.T) {
		f := newFixture(t, []string{"basildon"})
		clock := &fakeClock{now: at("2026-01-03 10:00")}
		s := f.open(t, clock)
		var released atomic.Int32
		s.Release = func() { released.Add(1) }
		var atCycleEnd int32 = -1
		s.AfterCycle = func(state.Trigger, *ingest.Summary, error) { atCycleEnd = released.Load() }
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		clock.cancel = cancel
		var atWait int32 = -1
		clock.onWait = func(time.Time) bool { atWait = released.Load(); return false }
		s.Wait = clock.Wait
		if err := s.Run(ctx); err != nil {
			t.Fatal(err)
		}
		// A fresh state: the service released at start, ran a catch-up
		// cycle, and released again before waiting for the next.
		if atCycleEnd != 1 || atWait != 2 {
			t.Errorf("released %d times by the catch-up's end and %d by the first wait, want 1 and 2", atCycleEnd, atWait)
		}
	})
	t.Run("after requests", func(t *testing.T) {
		_, s, srv := served(t, "", nil)
		released := make(chan struct{}, 10)
		s.Release = func() { released <- struct{}{} }
		s.IdleAfter = 20 * time.Millisecond

		get(t, srv.URL+"/healthz", "")
		select {
		case <-released:
			t.Fatal("a liveness probe released memory")
		case <-time.After(300 * time.Millisecond):
		}
		for _, path := range []string{"/metrics", "/api/status", "/"} {
			get(t, srv.URL+path, "")
			select {
			case <-released:
			case <-time.After(10 * time.Second):
				t.Fatalf("no release after GET %s", path)
			}
		}
	})
}
