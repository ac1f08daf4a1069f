package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"time"

	"landingd/config"
	"landingd/ingest/publish"
	"landingd/ingest/state"
	"landingd/storage"
)

// ErrLocked is returned (wrapped, in a *state.LockedError) by Open when
// another landingd holds the state folder past the wait.
var ErrLocked = state.ErrLocked

// ErrStateLost is returned (wrapped) by the Open functions when the state
// database is empty (zero bytes), or missing from a state folder with
// history (audit entries, or published quarters in the output): the store
// was lost, and publishing from it would replace the outputs with almost
// nothing. The database must be restored from backup.
var ErrStateLost = errors.New("restore the state database from backup")

// LockSpec says what Open records as the state lock's holder (the
// command, e.g. "erase") and how long it waits while another process
// holds the lock (0: not at all).
type LockSpec struct {
	Holder string
	Wait   time.Duration
}

// ErrKey is returned (wrapped) by the Open functions when the
// pseudonymisation key cannot be read: a secret of the protocol, not a
// fault of the state. Its text is the step, "load pseudonymisation key",
// followed by the cause, which names the file and never the key.
var ErrKey = errors.New("load pseudonymisation key")

// Open prepares a Runner (the cycle) for cfg: it takes the state folder's lock (one
// cycle at a time, across run and serve), opens the state database
// (migrating it forward), loads the field list and the pseudonymisation
// key, and opens the output. Close releases all of it.
//
// dbOpts tune the state database (state.SmallCache for the service, whose
// cycles run in child processes).
//
// It fails when the key file is missing or too short (ErrKey), the field
// list does not parse, the lock is held (ErrLocked), or the state or the
// output cannot be opened. The key and the field list are read before the
// lock is taken.
func Open(ctx context.Context, cfg *config.Config, logger *slog.Logger, version string, dbOpts ...state.Option) (*Runner, error) {
	return OpenLocked(ctx, cfg, logger, version, LockSpec{Holder: "landingd"}, dbOpts...)
}

// OpenLocked is Open, waiting for the state lock as lock says.
func OpenLocked(ctx context.Context, cfg *config.Config, logger *slog.Logger, version string, lock LockSpec, dbOpts ...state.Option) (*Runner, error) {
	s, err := openStore(ctx, cfg, logger, version, lock, dbOpts...)
	if err != nil {
		return nil, err
	}
	return &Runner{store: s}, nil
}

// openStore is what OpenLocked and OpenDuties share: it opens cfg's state
// for writing, and fails as OpenLocked does.
func openStore(ctx context.Context, cfg *config.Config, logger *slog.Logger, version string, lock LockSpec, dbOpts ...state.Option) (*store, error) {
	v, err := newView(cfg, logger, version)
	if err != nil {
		return nil, err
	}
	r := &store{View: v}
	if r.unlock, err = state.Lock(ctx, cfg.State, lock.Holder, lock.Wait); err != nil {
		return nil, err
	}
	removeStaleSpools(cfg.State, logger)
	fail := func(err error) (*store, error) {
		r.Close()
		return nil, err
	}
	if err := r.checkStateDB(ctx); err != nil {
		return fail(err)
	}
	if r.DB, err = state.Open(ctx, filepath.Join(cfg.State, state.FileName), dbOpts...); err != nil {
		return fail(err)
	}
	// Rows keep the layout of the field list they were judged under; the
	// names of each version let later versions publish them by name.
	names := make([]string, len(r.Schema.Fields))
	for i, f := range r.Schema.Fields {
		names[i] = f.Name
	}
	if err := r.DB.RecordFieldList(ctx, r.Schema.Version, names); err != nil {
		return fail(err)
	}
	if err := r.openAudit(ctx); err != nil {
		return fail(err)
	}
	if r.Output, err = r.openOutput(ctx); err != nil {
		return fail(fmt.Errorf("open output %s: %w", cfg.Output.String(), err))
	}
	return r, nil
}

// Close releases the output, the database and the state lock.
func (r *store) Close() error {
	var errs []error
	if r.Output != nil {
		errs = append(errs, r.Output.Close())
	}
	if r.Audit != nil {
		errs = append(errs, r.Audit.Close())
	}
	if r.DB != nil {
		errs = append(errs, r.DB.Close())
	}
	if r.unlock != nil {
		errs = append(errs, r.unlock())
		r.unlock = nil
	}
	return errors.Join(errs...)
}

func (r *store) getenv(name string) string {
	if r.Getenv != nil {
		return r.Getenv(name)
	}
	return os.Getenv(name)
}

// removeStaleSpools deletes the temporary files a crashed process left in
// the state folder: copies of district files (an xlsx is spooled there
// while it is judged, and excelize extracts large sheets beside it), and
// datasets being built or uploaded. They must not outlive their use. The caller holds
// the state lock, so no live process is using them.
func removeStaleSpools(dir string, logger *slog.Logger) {
	for _, pattern := range []string{"landingd-xlsx-*", "excelize-*", ".spool-*", "landingd-combined-*", ".landingd-azblob-*"} {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			if err := os.Remove(m); err == nil {
				logger.Info("removed a temporary file left by an interrupted run", "file", filepath.Base(m))
			}
		}
	}
}

// ReleaseLock closes the audit trail and releases the state lock, leaving
// the database open for reading: for the service, which takes the lock
// only per cycle (in the cycle's own process), so that duty commands can
// run between cycles. A Runner whose lock is released must not run a
// cycle or a duty.
func (r *store) ReleaseLock() error {
	var errs []error
	if r.Audit != nil {
		errs = append(errs, r.Audit.Close())
		r.Audit = nil
	}
	if r.unlock != nil {
		errs = append(errs, r.unlock())
		r.unlock = nil
	}
	return errors.Join(errs...)
}

// checkStateDB refuses a state database that is empty, or missing from a
// state folder with history (see ErrStateLost). It runs before the
// database is opened, which would create it.
func (r *store) checkStateDB(ctx context.Context) error {
	dbPath := filepath.Join(r.Config.State, state.FileName)
	fi, err := os.Stat(dbPath)
	switch {
	case err == nil && fi.Size() == 0:
		return fmt.Errorf("open state %s: the database is empty (0 bytes): %w", dbPath, ErrStateLost)
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("open state %s: %w", dbPath, err)
	}
	segs, _ := filepath.Glob(filepath.Join(r.Config.State, "audit*.jsonl"))
	for _, seg := range segs {
		if fi, err := os.Stat(seg); err == nil && fi.Size() > 0 {
			return fmt.Errorf("open state %s: the database is missing but the audit trail has entries: %w", dbPath, ErrStateLost)
		}
	}
	out, err := r.openOutput(ctx)
	if err != nil {
		return fmt.Errorf("open output %s: %w", r.Config.Output.String(), err)
	}
	defer out.Close()
	published := errors.New("published")
	err = out.List(ctx, "", func(name string) error {
		if path.Base(name) == publish.ManifestName {
			return published
		}
		return nil
	})
	switch {
	case errors.Is(err, published):
		return fmt.Errorf("open state %s: the database is missing but the output holds published quarters: %w", dbPath, ErrStateLost)
	case err != nil && !errors.Is(err, storage.ErrNotExist):
		return fmt.Errorf("open state %s: list output %s: %w", dbPath, r.Config.Output.String(), err)
	}
	return nil
}
