package state

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// This file holds what the right to erasure needs from the store: the
// erasure list, and the removal of a case with everything it touched.

// ErasureList returns every token on the erasure list, for a run to check
// each row against in memory. It fails on a database error.
func (d *DB) ErasureList(ctx context.Context) (map[string]bool, error) {
	toks, err := queryStrings(ctx, d.db, `SELECT token FROM erasures`)
	if err != nil {
		return nil, fmt.Errorf("read erasure list: %w", err)
	}
	m := make(map[string]bool, len(toks))
	for _, t := range toks {
		m[t] = true
	}
	return m, nil
}

// IsErased reports whether token is on the erasure list. It fails on a
// database error.
func (d *DB) IsErased(ctx context.Context, token string) (bool, error) {
	var n int
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM erasures WHERE token = ?`, token).Scan(&n); err != nil {
		return false, fmt.Errorf("read erasure list: %w", err)
	}
	return n > 0, nil
}

// Erasure is what EraseCase removed.
type Erasure struct {
	Rows     int
	Quarters []string   // the quarters that held the case, now dirty
	Files    []CaseFile // the files its rows came from
	// AlreadyListed is true when the token was on the erasure list before.
	AlreadyListed bool
}

// EraseCase deletes every row of the case (laCode, pseudonym), restricted
// or not, and its restriction, puts token on the erasure list, marks the
// quarters that held it dirty, marks the files in processed/ its rows came
// from as being erased for token (CaseFile.Erasing), and adds the audit
// entries entries returns for what was removed (nil entries, or entries
// returning none, adds none), all in one transaction. It returns what it
// removed; erasing a case with no rows still lists its token. It fails on
// a database error, and then nothing changes.
func (d *DB) EraseCase(ctx context.Context, laCode, pseudonym, token string, at time.Time, entries func(Erasure) []Pending) (Erasure, error) {
	var e Erasure
	err := d.write(ctx, func(tx *sql.Tx) error {
		var err error
		if e.Quarters, err = queryStrings(ctx, tx, storedQuarters+`SELECT DISTINCT quarter FROM cases
			WHERE `+inStoredQuarters+` AND la_code = ? AND pseudonym = ? ORDER BY quarter`, laCode, pseudonym); err != nil {
			return err
		}
		if e.Files, err = caseFiles(ctx, tx, laCode, pseudonym); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, storedQuarters+`UPDATE objects SET erasing = ?
			WHERE disposed_to = ? AND disposed_name != '' AND deleted_at = ''
			AND id IN (SELECT object_id FROM cases WHERE `+inStoredQuarters+` AND la_code = ? AND pseudonym = ?)`,
			token, DisposedProcessed, laCode, pseudonym); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, storedQuarters+`DELETE FROM cases
			WHERE `+inStoredQuarters+` AND la_code = ? AND pseudonym = ?`, laCode, pseudonym)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		e.Rows = int(n)
		if _, err := tx.ExecContext(ctx, `DELETE FROM restrictions WHERE la_code = ? AND pseudonym = ?`, laCode, pseudonym); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO erasures (token, erased_at) VALUES (?, ?) ON CONFLICT (token) DO NOTHING`,
			token, timeText(at))
		if err != nil {
			return err
		}
		added, _ := res.RowsAffected()
		e.AlreadyListed = added == 0
		if err := markDirty(ctx, tx, e.Quarters...); err != nil {
			return err
		}
		if entries != nil {
			return addPending(ctx, tx, at, entries(e)...)
		}
		return nil
	})
	if err != nil {
		return Erasure{}, fmt.Errorf("erase a case of %s: %w", laCode, err)
	}
	return e, nil
}

// caseFiles lists the files the case's current rows came from.
func caseFiles(ctx context.Context, q querier, laCode, pseudonym string) ([]CaseFile, error) {
	rows, err := q.QueryContext(ctx, storedQuarters+`SELECT DISTINCT o.id, o.partner, o.name, o.sha256, o.disposed_to, o.disposed_name, o.deleted_at
		FROM cases c JOIN objects o ON o.id = c.object_id
		WHERE c.`+inStoredQuarters+` AND c.la_code = ? AND c.pseudonym = ? ORDER BY o.id`, laCode, pseudonym)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseFile
	for rows.Next() {
		var f CaseFile
		var deleted string
		if err := rows.Scan(&f.ObjectID, &f.Partner, &f.Name, &f.SHA256, &f.DisposedTo, &f.DisposedName, &deleted); err != nil {
			return nil, err
		}
		f.Deleted = deleted != ""
		out = append(out, f)
	}
	return out, rows.Err()
}
