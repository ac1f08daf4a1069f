package state

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Outcome is how a run ended, as the ledger records it; "" while it runs.
type Outcome string

// Run outcomes.
const (
	// RunOK is a run that finished with every zone and output reached.
	RunOK Outcome = "ok"
	// RunFailed is a run in which a zone, the output or the purge failed.
	RunFailed Outcome = "failed"
	// RunStopped is a run that a stop signal cut short: files not yet
	// taken wait for the next run, which a restarted service starts at
	// once (a catch-up).
	RunStopped Outcome = "stopped"
	// RunInterrupted marks a run that never finished (the process died);
	// BeginRun sets it on every unfinished run it finds.
	RunInterrupted Outcome = "interrupted"
)

// Trigger names what started a run, as the ledger records it.
type Trigger string

// Run triggers.
const (
	// TriggerRun is a cycle started by "landingd run" (by hand, or by a
	// timer of the host's).
	TriggerRun Trigger = "run"
	// TriggerSchedule is a cycle the service ran at a time of the
	// protocol's schedule.
	TriggerSchedule Trigger = "schedule"
	// TriggerCatchUp is a cycle the service ran at start because the
	// last scheduled cycle was missed or stopped.
	TriggerCatchUp Trigger = "catch-up"
	// TriggerRetry is a cycle the service ran to poll late partners (or
	// to retry a failed cycle) before the quarter's files are due.
	TriggerRetry Trigger = "retry"
)

// PartnerResult is how one partner fared in a run, as the ledger records
// it.
type PartnerResult string

// Partner results.
const (
	// PartnerOK is a partner whose zone was reached and that sent files.
	PartnerOK PartnerResult = "ok"
	// PartnerNothingNew is a partner whose zone was reached and held
	// nothing new.
	PartnerNothingNew PartnerResult = "nothing-new"
	// PartnerFailed is a partner whose zone could not be reached or one
	// of whose files could not be read.
	PartnerFailed PartnerResult = "failed"
	// PartnerWithdrawn is a partner that has withdrawn from the
	// agreement: its zone is no longer polled.
	PartnerWithdrawn PartnerResult = "withdrawn"
)

// Run is one cycle.
type Run struct {
	ID       string
	Started  time.Time
	Finished time.Time // zero while running
	Trigger  Trigger
	Outcome  Outcome // "" while running
	Error    string
	Partners []PartnerOutcome // ordered by partner
}

// PartnerOutcome is how one partner fared in a run.
type PartnerOutcome struct {
	Partner  string
	Outcome  PartnerResult
	Error    string // an infrastructure fault; never a cell value
	Accepted int    // files accepted in this run
	Rejected int    // files rejected in this run
}

// BeginRun records the start of run runID. Any run left unfinished by a
// dead process is marked RunInterrupted first (the state folder lock makes
// runs exclusive, so an unfinished run cannot be alive). It fails on a
// database error or when runID was used before.
func (d *DB) BeginRun(ctx context.Context, runID string, started time.Time, trigger Trigger) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET outcome = ? WHERE outcome = ''`, RunInterrupted); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO runs (id, started_at, trigger) VALUES (?, ?, ?)`,
			runID, timeText(started), trigger)
		return err
	})
	if err != nil {
		return fmt.Errorf("begin run %s: %w", runID, err)
	}
	return nil
}

// RecordPartner records (or replaces) partner p's outcome in run runID.
// It fails when the run does not exist or on a database error.
func (d *DB) RecordPartner(ctx context.Context, runID string, p PartnerOutcome) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO run_partners (run_id, partner, outcome, error, accepted, rejected)
			VALUES (?, ?, ?, ?, ?, ?)`, runID, p.Partner, p.Outcome, p.Error, p.Accepted, p.Rejected)
		return err
	})
	if err != nil {
		return fmt.Errorf("record partner %s in run %s: %w", p.Partner, runID, err)
	}
	return nil
}

// FinishRun records the end of run runID with outcome RunOK, RunFailed or
// RunStopped and, for a failure, errText (never a cell value). It fails when the run
// does not exist or on a database error.
func (d *DB) FinishRun(ctx context.Context, runID string, finished time.Time, outcome Outcome, errText string) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE runs SET finished_at = ?, outcome = ?, error = ? WHERE id = ?`,
			timeText(finished), outcome, errText, runID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("no such run")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish run %s: %w", runID, err)
	}
	return nil
}

// LastRun returns the most recently started run, finished or not; ok is
// false when there has been none. It fails on a database error.
func (d *DB) LastRun(ctx context.Context) (r Run, ok bool, err error) {
	return d.lastRun(ctx, `ORDER BY started_at DESC, rowid DESC LIMIT 1`)
}

// LastCompletedRun returns the most recently started run that finished
// with RunOK; ok is false when there has been none. It fails on a database
// error.
func (d *DB) LastCompletedRun(ctx context.Context) (r Run, ok bool, err error) {
	return d.lastRun(ctx, `WHERE outcome = '`+string(RunOK)+`' ORDER BY started_at DESC, rowid DESC LIMIT 1`)
}

func (d *DB) lastRun(ctx context.Context, tail string) (Run, bool, error) {
	var r Run
	var started, finished string
	err := d.db.QueryRowContext(ctx, `SELECT id, started_at, finished_at, trigger, outcome, error FROM runs `+tail).
		Scan(&r.ID, &started, &finished, &r.Trigger, &r.Outcome, &r.Error)
	if err == sql.ErrNoRows {
		return Run{}, false, nil
	}
	if err != nil {
		return Run{}, false, fmt.Errorf("read last run: %w", err)
	}
	if r.Started, err = parseTime(started); err != nil {
		return Run{}, false, fmt.Errorf("read run %s: %w", r.ID, err)
	}
	if r.Finished, err = parseTime(finished); err != nil {
		return Run{}, false, fmt.Errorf("read run %s: %w", r.ID, err)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT partner, outcome, error, accepted, rejected FROM run_partners
		WHERE run_id = ? ORDER BY partner`, r.ID)
	if err != nil {
		return Run{}, false, fmt.Errorf("read run %s: %w", r.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p PartnerOutcome
		if err := rows.Scan(&p.Partner, &p.Outcome, &p.Error, &p.Accepted, &p.Rejected); err != nil {
			return Run{}, false, fmt.Errorf("read run %s: %w", r.ID, err)
		}
		r.Partners = append(r.Partners, p)
	}
	if err := rows.Err(); err != nil {
		return Run{}, false, fmt.Errorf("read run %s: %w", r.ID, err)
	}
	return r, true, nil
}
