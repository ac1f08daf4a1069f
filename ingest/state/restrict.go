package state

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// This file holds what the right to restriction needs from the store.

// Restrict sets (restricted true) or lifts the restriction of the case
// (laCode, pseudonym): its rows stay in the store but out of every output.
// A restriction is remembered apart from the rows, so that rows the
// district sends later are restricted too (see ApplyRestrictions). The
// quarters whose rows changed are marked dirty. It returns the rows changed
// and the rows held, and fails on a database error.
func (d *DB) Restrict(ctx context.Context, laCode, pseudonym string, restricted bool, at time.Time) (changed, held int, err error) {
	flag := 0
	if restricted {
		flag = 1
	}
	err = d.write(ctx, func(tx *sql.Tx) error {
		if restricted {
			if _, err := tx.ExecContext(ctx, `INSERT INTO restrictions (la_code, pseudonym, restricted_at) VALUES (?, ?, ?)
				ON CONFLICT (la_code, pseudonym) DO NOTHING`, laCode, pseudonym, timeText(at)); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `DELETE FROM restrictions WHERE la_code = ? AND pseudonym = ?`, laCode, pseudonym); err != nil {
			return err
		}
		qs, err := queryStrings(ctx, tx, storedQuarters+`SELECT DISTINCT quarter FROM cases
			WHERE `+inStoredQuarters+` AND la_code = ? AND pseudonym = ? AND restricted != ? ORDER BY quarter`, laCode, pseudonym, flag)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, storedQuarters+`UPDATE cases SET restricted = ?
			WHERE `+inStoredQuarters+` AND la_code = ? AND pseudonym = ? AND restricted != ?`,
			flag, laCode, pseudonym, flag)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		changed = int(n)
		if err := tx.QueryRowContext(ctx, storedQuarters+`SELECT count(*) FROM cases
			WHERE `+inStoredQuarters+` AND la_code = ? AND pseudonym = ?`,
			laCode, pseudonym).Scan(&held); err != nil {
			return err
		}
		return markDirty(ctx, tx, qs...)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("set restriction of a case of %s: %w", laCode, err)
	}
	return changed, held, nil
}

// ApplyRestrictions restricts every stored row of a restricted case that
// is not restricted yet (rows a district sent after the restriction), and
// marks their quarters dirty. A run calls it before publishing, so that no
// output ever shows a restricted case. It returns the rows changed and
// fails on a database error.
func (d *DB) ApplyRestrictions(ctx context.Context) (int, error) {
	var n int64
	err := d.write(ctx, func(tx *sql.Tx) error {
		// With no restriction there is nothing to do, and nothing is read
		// of cases; with some, each is one seek per stored quarter.
		var some bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM restrictions)`).Scan(&some); err != nil || !some {
			return err
		}
		const restricted = `restricted = 0
			AND (quarter, la_code, pseudonym) IN (SELECT sq.quarter, r.la_code, r.pseudonym FROM sq, restrictions r)`
		qs, err := queryStrings(ctx, tx, storedQuarters+`SELECT DISTINCT quarter FROM cases WHERE `+restricted+` ORDER BY quarter`)
		if err != nil || len(qs) == 0 {
			return err
		}
		res, err := tx.ExecContext(ctx, storedQuarters+`UPDATE cases SET restricted = 1 WHERE `+restricted)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return markDirty(ctx, tx, qs...)
	})
	if err != nil {
		return 0, fmt.Errorf("apply restrictions: %w", err)
	}
	return int(n), nil
}
