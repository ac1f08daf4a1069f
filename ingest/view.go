package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"landingd/config"
	"landingd/ingest/audit"
	"landingd/ingest/state"
	"landingd/transform"
)

// View is a protocol's state opened for reading only: the state database,
// the field list and the pseudonymisation key, for the commands that only
// read the store (export-case, incidents, purge --dry-run; status and
// audit show read the database alone, needing no key). It holds no state lock, no audit trail, no output and no zone,
// and it has no method that changes the state: a cycle or a duty needs a
// Runner or Duties from Open. A View is safe beside a running cycle.
type View struct {
	Config  *config.Config
	Schema  *transform.Schema
	Pseudo  *transform.Pseudonymiser
	DB      *state.DB
	Logger  *slog.Logger
	Version string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// OpenReader opens a View on cfg's state: the state database, the field
// list and the pseudonymisation key, without the state lock, the audit
// log or the output. It works while a cycle runs. Close releases it.
//
// It fails when the key file is missing or too short (ErrKey), the field
// list does not parse, the state folder cannot be created, the state was
// lost (ErrStateLost), or the database cannot be opened.
func OpenReader(ctx context.Context, cfg *config.Config, logger *slog.Logger, version string) (*View, error) {
	v, err := newView(cfg, logger, version)
	if err != nil {
		return nil, err
	}
	// The check may open the output (only to list it), with the defaults
	// a Runner has.
	if err := (&store{View: v}).checkStateDB(ctx); err != nil {
		return nil, err
	}
	if v.DB, err = state.Open(ctx, filepath.Join(cfg.State, state.FileName)); err != nil {
		return nil, err
	}
	return v, nil
}

// newView is the part of Open and OpenReader that touches no state: it
// loads the field list and the pseudonymisation key (logging the key
// file's permission warning, if any) and creates the state folder.
func newView(cfg *config.Config, logger *slog.Logger, version string) (*View, error) {
	schema, err := transform.LoadSchema(cfg.SchemaData)
	if err != nil {
		return nil, fmt.Errorf("load field list %s: %w", cfg.Schema, err)
	}
	pseudo, warning, err := transform.ReadKeyFile(cfg.Pseudonymise.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	if warning != "" {
		logger.Warn(warning)
	}
	if err := os.MkdirAll(cfg.State, 0o700); err != nil {
		return nil, fmt.Errorf("create state folder %s: %w", cfg.State, err)
	}
	return &View{Config: cfg, Logger: logger, Version: version, Schema: schema, Pseudo: pseudo}, nil
}

// Close releases the state database.
func (v *View) Close() error {
	if v.DB == nil {
		return nil
	}
	return v.DB.Close()
}

func (v *View) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// PlanPurge reports what Duties.Purge would delete at the View's clock,
// and changes nothing: the case rows, the zone files and the sealed audit
// segments past the protocol's retention periods. Partners that have
// files due but are no longer in the protocol are listed in Problems. It
// fails on a database error or when the audit folder cannot be read.
func (v *View) PlanPurge(ctx context.Context) (*PurgeReport, error) {
	now := v.now().UTC()
	ret := v.Config.Retention
	rep := newPurgeReport(true, now)
	if ret.Cases.Duration > 0 {
		rep.CasesCutoff = casesCutoff(now, ret.Cases.Duration)
		var err error
		if rep.Cases, err = v.DB.ExpiredCases(ctx, rep.CasesCutoff); err != nil {
			return rep, err
		}
	}
	rep.Quarters = sortedKeys(rep.Cases)
	for _, lim := range fileRetention(ret) {
		due, err := v.dueFiles(ctx, rep, lim.folder, now.Add(-lim.keep))
		if err != nil {
			return rep, err
		}
		for _, g := range due {
			for _, f := range g.files {
				rep.Files = append(rep.Files, PurgedFile{Partner: g.partner.ID, Folder: string(lim.folder), Name: f.DisposedName})
			}
		}
	}
	if ret.Audit.Duration > 0 {
		segs, err := audit.DueSegments(v.Config.State, now.Add(-ret.Audit.Duration))
		if err != nil {
			return rep, err
		}
		rep.AuditSegments = segs
	}
	return rep, nil
}
