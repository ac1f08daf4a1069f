package ingest

import (
	"context"
	"log/slog"

	"landingd/config"
	"landingd/ingest/state"
)

// Duties carries out the protocol's duties on the state opened for
// writing: erasure and restriction of a case, the retention purge, and
// acknowledging and closing breach incidents. Each records what it did in
// the audit trail. OpenDuties opens the state for them alone; a Runner's
// Duties share its state. Duties cannot run a cycle.
type Duties struct {
	*store
}

// OpenDuties opens cfg's state for its duties, as OpenLocked opens it for
// cycles (the state lock, taken as lock says, the database, the audit
// trail and the output), and fails as OpenLocked does. Close releases it.
func OpenDuties(ctx context.Context, cfg *config.Config, logger *slog.Logger, version string, lock LockSpec, dbOpts ...state.Option) (*Duties, error) {
	s, err := openStore(ctx, cfg, logger, version, lock, dbOpts...)
	if err != nil {
		return nil, err
	}
	return &Duties{s}, nil
}

// Duties returns the duties on the Runner's state: they share its lock,
// audit trail, output and settings.
func (r *Runner) Duties() *Duties { return &Duties{r.store} }
