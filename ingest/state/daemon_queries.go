package state

import (
	"context"
	"fmt"
	"time"
)

// RecentRuns returns up to n runs, newest first, without their partner
// outcomes. It fails on a database error.
func (d *DB) RecentRuns(ctx context.Context, n int) ([]Run, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, started_at, finished_at, trigger, outcome, error FROM runs
		ORDER BY started_at DESC, rowid DESC LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("list recent runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var started, finished string
		if err := rows.Scan(&r.ID, &started, &finished, &r.Trigger, &r.Outcome, &r.Error); err != nil {
			return nil, fmt.Errorf("list recent runs: %w", err)
		}
		if r.Started, err = parseTime(started); err != nil {
			return nil, fmt.Errorf("read run %s: %w", r.ID, err)
		}
		if r.Finished, err = parseTime(finished); err != nil {
			return nil, fmt.Errorf("read run %s: %w", r.ID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list recent runs: %w", err)
	}
	return out, nil
}

// RecentRejected returns up to n rejected files, the latest judged first,
// with their row and rule counts (never a cell value). It fails on a
// database error.
func (d *DB) RecentRejected(ctx context.Context, n int) ([]Object, error) {
	obs, err := d.objects(ctx, `WHERE verdict = 'rejected' ORDER BY judged_at DESC, id DESC LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("list recent rejected files: %w", err)
	}
	return obs, nil
}

// RejectedInRun returns the files that run runID rejected, in ledger
// order. It fails on a database error.
func (d *DB) RejectedInRun(ctx context.Context, runID string) ([]Object, error) {
	obs, err := d.objects(ctx, `WHERE run_id = ? AND verdict = 'rejected' ORDER BY id`, runID)
	if err != nil {
		return nil, fmt.Errorf("list files rejected in run %s: %w", runID, err)
	}
	return obs, nil
}

// ReleaseIdle closes the database's idle connections, and with them
// their page caches, so that a service idling between cycles holds little
// memory. Later calls open connections again as needed.
func (d *DB) ReleaseIdle() {
	d.db.SetMaxIdleConns(0)
	d.db.SetMaxIdleConns(2) // database/sql's default
}

// LastPartnerSuccess returns, for each partner, when the last cycle that
// reached its landing zone without error finished (a cycle that was
// stopped or never finished does not count). It fails on a database error.
func (d *DB) LastPartnerSuccess(ctx context.Context) (map[string]time.Time, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT rp.partner, MAX(r.finished_at) FROM run_partners rp
		JOIN runs r ON r.id = rp.run_id
		WHERE rp.outcome IN (?, ?) AND r.outcome IN (?, ?) AND r.finished_at != ''
		GROUP BY rp.partner`, PartnerOK, PartnerNothingNew, RunOK, RunFailed)
	if err != nil {
		return nil, fmt.Errorf("read last success per partner: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var p, finished string
		if err := rows.Scan(&p, &finished); err != nil {
			return nil, fmt.Errorf("read last success per partner: %w", err)
		}
		t, err := parseTime(finished)
		if err != nil {
			return nil, fmt.Errorf("read last success of %s: %w", p, err)
		}
		out[p] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read last success per partner: %w", err)
	}
	return out, nil
}
