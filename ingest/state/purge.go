package state

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"time"

	"landingd/transform"
)

// This file holds retention: the rows past their keeping period, their
// purge, and the compaction that makes an erasure or a purge final.

// ExpiredCases counts, by quarter, the rows whose quarter_end_date is on
// or before cutoff (YYYY-MM-DD). It fails on a database error.
func (d *DB) ExpiredCases(ctx context.Context, cutoff string) (map[string]int, error) {
	out, err := expiredCases(ctx, d.db, cutoff)
	if err != nil {
		return nil, fmt.Errorf("count expired cases: %w", err)
	}
	return out, nil
}

// expiredCases counts, by quarter, the rows whose quarter_end_date is on
// or before cutoff.
func expiredCases(ctx context.Context, q querier, cutoff string) (map[string]int, error) {
	last, err := cutoffQuarter(cutoff)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT quarter, count(*) FROM cases
		WHERE quarter <= ? AND quarter_end_date <= ? GROUP BY quarter`, last, cutoff)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var q string
		var n int
		if err := rows.Scan(&q, &n); err != nil {
			return nil, err
		}
		out[q] = n
	}
	return out, rows.Err()
}

// PurgeCases deletes the rows whose quarter_end_date is on or before
// cutoff (YYYY-MM-DD), and the restrictions of cases left with no rows,
// marks the quarters dirty, and adds the audit entries entries returns for
// the rows deleted by quarter (when any were; nil adds none), in one
// transaction. It returns the rows deleted by quarter and fails on a
// database error, and then nothing changes.
func (d *DB) PurgeCases(ctx context.Context, cutoff string, at time.Time, entries func(map[string]int) []Pending) (map[string]int, error) {
	var out map[string]int
	err := d.write(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = expiredCases(ctx, tx, cutoff); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		last, err := cutoffQuarter(cutoff)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cases WHERE quarter <= ? AND quarter_end_date <= ?`, last, cutoff); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, storedQuarters+`DELETE FROM restrictions WHERE NOT EXISTS
			(SELECT 1 FROM cases c WHERE c.`+inStoredQuarters+`
			AND c.la_code = restrictions.la_code AND c.pseudonym = restrictions.pseudonym)`); err != nil {
			return err
		}
		if err := markDirty(ctx, tx, slices.Sorted(maps.Keys(out))...); err != nil {
			return err
		}
		if entries != nil {
			return addPending(ctx, tx, at, entries(out)...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("purge cases ended on or before %s: %w", cutoff, err)
	}
	return out, nil
}

// Compact rebuilds the database file without free pages (VACUUM) and then
// checkpoints and empties the write-ahead log, so that deleted rows are
// left in none of the database's files. Together with secure_delete, which
// Open turns on, it is what makes an erasure or a purge final. It waits
// for the write lock; it fails on a database error, or when another
// connection keeps the log busy.
func (d *DB) Compact(ctx context.Context) error {
	if err := d.lock(ctx); err != nil {
		return fmt.Errorf("compact state %s: %w", d.path, err)
	}
	defer d.unlock()
	if _, err := d.db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("compact state %s: %w", d.path, err)
	}
	var busy, logPages, done int
	if err := d.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
		return fmt.Errorf("checkpoint state %s: %w", d.path, err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint state %s: the log is in use by another connection", d.path)
	}
	return nil
}

// cutoffQuarter returns the quarter that holds cutoff (YYYY-MM-DD). A
// row's quarter holds its quarter_end_date, so every row ending on or
// before cutoff is in that quarter or an earlier one: the bound lets
// retention read only those quarters' part of the key instead of the
// whole table. It fails when cutoff is not a date.
func cutoffQuarter(cutoff string) (string, error) {
	t, err := time.Parse(time.DateOnly, cutoff)
	if err != nil {
		return "", fmt.Errorf("bad cutoff %q: %w", cutoff, err)
	}
	return transform.QuarterOf(t), nil
}
