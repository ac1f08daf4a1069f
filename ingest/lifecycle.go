package ingest

import (
	"context"
	"log/slog"
	"time"

	"landingd/config"
)

// withdrawn reports (and logs) whether partner p withdrew from the
// protocol on or before now: its zone is not polled any more, and the rows
// already held follow retention like any other.
func withdrawn(log *slog.Logger, p *config.Partner, now time.Time) bool {
	if !WithdrawnAt(p, now) {
		return false
	}
	log.Info("partner withdrawn from the protocol: not polled", "partner", p.ID,
		"withdrawn", p.Withdrawn.Time.Format(time.DateOnly))
	return true
}

// loadErasures reads the erasure list for a cycle, so each row is checked
// in memory.
func (r *Runner) loadErasures(ctx context.Context) error {
	list, err := r.DB.ErasureList(ctx)
	if err != nil {
		return err
	}
	r.erased = list
	return nil
}

// erasedFunc returns the Judge's check against the erasure list loaded
// for this cycle, or nil when the list is empty.
func (r *Runner) erasedFunc() func(string) bool {
	list := r.erased
	if len(list) == 0 {
		return nil
	}
	return func(token string) bool { return list[token] }
}

// waitAlerts waits for the background alerts, or until ctx ends.
// WaitAlerts waits until the alerts sent in the background are delivered
// or given up, or ctx ends.
func (r *store) WaitAlerts(ctx context.Context) { r.waitAlerts(ctx) }

func (r *store) waitAlerts(ctx context.Context) {
	done := make(chan struct{})
	go func() { r.alerts.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
