package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"landingd/config"
	"landingd/ingest/audit"
	"landingd/ingest/state"
)

// Duties carries out the protocol's duties on the state opened for
// writing: erasure and restriction of a case, the retention purge, and
// acknowledging and closing breach incidents (the audit trail's repair is
// RepairAudit). Each records what it did in the audit trail. OpenDuties opens the state for them alone; a Runner's
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

// AuditRepair is what RepairAudit did.
type AuditRepair struct {
	// Cut is how many bytes of an incomplete last line were cut from the
	// audit trail: 0 when it ended with a whole line, and nothing was done.
	Cut int64
	// Seq is the seq of the entry that records the cut, the trail's new
	// head.
	Seq int64
}

// RepairAudit cuts an incomplete last line, which a crash left, from
// cfg's audit trail (see audit.Repair), records the cut in the trail and
// keeps the new head in the state database. It is the one duty that does
// not run on Duties, because opening the state refuses a trail that ends
// in an incomplete line; it takes the state lock itself, as lock says. It
// fails when the state folder cannot be created, the lock is held
// (ErrLocked), or on an audit trail or database error.
func RepairAudit(ctx context.Context, cfg *config.Config, lock LockSpec) (AuditRepair, error) {
	if err := os.MkdirAll(cfg.State, 0o700); err != nil {
		return AuditRepair{}, fmt.Errorf("create state folder %s: %w", cfg.State, err)
	}
	unlock, err := state.Lock(ctx, cfg.State, lock.Holder, lock.Wait)
	if err != nil {
		return AuditRepair{}, err
	}
	defer unlock()
	cut, err := audit.Repair(ctx, cfg.State)
	if err != nil || cut == 0 {
		if err != nil {
			err = fmt.Errorf("repair audit trail: %w", err)
		}
		return AuditRepair{}, err
	}
	// The repair entry is the new head: keep it in the database.
	l, err := audit.Open(ctx, cfg.State)
	if err != nil {
		return AuditRepair{Cut: cut}, err
	}
	seq, head := l.Head()
	l.Close()
	db, err := state.Open(ctx, filepath.Join(cfg.State, state.FileName))
	if err != nil {
		return AuditRepair{Cut: cut}, err
	}
	defer db.Close()
	if err := db.SetMeta(ctx, state.MetaAuditHead, head); err != nil {
		return AuditRepair{Cut: cut}, err
	}
	return AuditRepair{Cut: cut, Seq: seq}, nil
}
