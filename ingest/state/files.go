package state

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// This file holds the ledger's view of the files the duties delete from
// the zones: which are still there, and which are being or were deleted.

// CaseFile is one file in the ledger that held rows of a case.
type CaseFile struct {
	ObjectID     int64
	Partner      string
	Name         string // the name the district gave it
	SHA256       string
	DisposedTo   string // processed | rejected | kept | ""
	DisposedName string // its name in DisposedTo
	Deleted      bool   // erasure or retention deleted it from the zone
	// Erasing is the erasure token the file is being deleted for ("" when
	// none): set before the file is deleted from the zone, so that an
	// erasure interrupted after the deletion finishes recording it.
	Erasing string
}

// ZoneFiles returns partner's files that the ledger places in folder
// (DisposedProcessed or DisposedRejected) and that were not deleted since,
// oldest disposition first. With before non-zero, only files disposed
// before it. It fails on a database error.
func (d *DB) ZoneFiles(ctx context.Context, partner, folder string, before time.Time) ([]CaseFile, error) {
	where := `disposed_to = ? AND disposed_name != '' AND deleted_at = ''`
	args := []any{folder}
	if partner != "" {
		where += ` AND partner = ?`
		args = append(args, partner)
	}
	if !before.IsZero() {
		where += ` AND disposed_at < ?`
		args = append(args, timeText(before))
	}
	rows, err := d.db.QueryContext(ctx, `SELECT id, partner, name, sha256, disposed_to, disposed_name, erasing FROM objects
		WHERE `+where+` ORDER BY disposed_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list files in %s: %w", folder, err)
	}
	defer rows.Close()
	var out []CaseFile
	for rows.Next() {
		var f CaseFile
		if err := rows.Scan(&f.ObjectID, &f.Partner, &f.Name, &f.SHA256, &f.DisposedTo, &f.DisposedName, &f.Erasing); err != nil {
			return nil, fmt.Errorf("list files in %s: %w", folder, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list files in %s: %w", folder, err)
	}
	return out, nil
}

// MarkFileErasing records that the file of ledger entry id is about to be
// deleted from its zone for the erasure of token (see CaseFile.Erasing).
// It fails on a database error.
func (d *DB) MarkFileErasing(ctx context.Context, id int64, token string) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE objects SET erasing = ? WHERE id = ? AND deleted_at = ''`, token, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark object %d as being erased: %w", id, err)
	}
	return nil
}

// MarkFileDeleted records that the file of ledger entry id was deleted
// from its zone (by erasure or retention), clears its Erasing token, and
// adds the audit entries given, in one transaction: the ledger never says
// deleted without the entries that record it. A file already marked
// deleted is left alone and adds no entries. It fails on a database
// error, and then nothing changes.
func (d *DB) MarkFileDeleted(ctx context.Context, id int64, at time.Time, entries ...Pending) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE objects SET deleted_at = ?, erasing = '' WHERE id = ? AND deleted_at = ''`, timeText(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return addPending(ctx, tx, at, entries...)
	})
	if err != nil {
		return fmt.Errorf("mark object %d deleted: %w", id, err)
	}
	return nil
}
