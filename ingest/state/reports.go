package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// A report waits in the ledger from the file's verdict until it is
// written beside the file in the landing zone. The zone can fail after
// the verdict is committed, when the file cannot be moved or its report
// cannot be written; the next cycle then finishes the disposition with
// the report as it was made, without judging the file again.
//
// The text is what the district reads: rules and row numbers, and at
// most a bad code of the district's own. It stays in the state folder,
// beside the rows themselves, for no longer than that.

// SaveReport keeps report for object id until ReportWritten. It fails on
// a database error.
func (d *DB) SaveReport(ctx context.Context, id int64, report []byte) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO pending_reports (object_id, report) VALUES (?, ?)`, id, report)
		return err
	})
	if err != nil {
		return fmt.Errorf("save report of object %d: %w", id, err)
	}
	return nil
}

// PendingReport returns the report kept for object id, and false when
// there is none. It fails on a database error.
func (d *DB) PendingReport(ctx context.Context, id int64) ([]byte, bool, error) {
	var report []byte
	err := d.db.QueryRowContext(ctx, `SELECT report FROM pending_reports WHERE object_id = ?`, id).Scan(&report)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("read report of object %d: %w", id, err)
	}
	return report, true, nil
}

// ReportWritten forgets the report kept for object id: it is written, or
// there is nowhere left to write it. It fails on a database error.
func (d *DB) ReportWritten(ctx context.Context, id int64) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM pending_reports WHERE object_id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("forget report of object %d: %w", id, err)
	}
	return nil
}

// UnwrittenReports returns partner's objects that were moved into
// processed/ or rejected/ but whose report was never written, oldest
// first. It fails on a database error.
func (d *DB) UnwrittenReports(ctx context.Context, partner string) ([]Object, error) {
	obs, err := d.objects(ctx, `WHERE partner = ? AND disposed_name != '' AND disposed_to IN (?, ?)
		AND id IN (SELECT object_id FROM pending_reports) ORDER BY id`,
		partner, DisposedProcessed, DisposedRejected)
	if err != nil {
		return nil, fmt.Errorf("list unwritten reports of %s: %w", partner, err)
	}
	return obs, nil
}
