package state

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"landingd/transform"
)

// StoredRow is one case as held in the store.
type StoredRow struct {
	LACode         string
	Pseudonym      string
	QuarterEndDate string
	Quarter        string
	ObjectID       int64 // the ledger id of the file it came from
	SourceRow      int   // its row in that file, as Excel shows it
	SchemaVersion  string
	// Values are the canonical values in the order of the field list of
	// SchemaVersion. QuarterRows reuses the slice between calls: copy it
	// to keep it.
	Values []string
}

// QuarterFile is one file whose rows are in a quarter's combined dataset.
type QuarterFile struct {
	ObjectID int64
	Partner  string
	Name     string
	SHA256   string
	Rows     transform.Counts // the whole file's counts
	// RowsInQuarter is how many of the quarter's current (unrestricted)
	// rows come from this file; a later rectification lowers it.
	RowsInQuarter int
}

// markDirty bumps the generation of each quarter in qs and marks it
// dirty, inside tx.
func markDirty(ctx context.Context, tx *sql.Tx, qs ...string) error {
	for _, q := range qs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO generations (quarter, generation) VALUES (?, 1)
			ON CONFLICT (quarter) DO UPDATE SET generation = generation + 1`, q); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dirty_quarters (quarter, generation)
			SELECT quarter, generation FROM generations WHERE quarter = ?
			ON CONFLICT (quarter) DO UPDATE SET generation = excluded.generation`, q); err != nil {
			return err
		}
	}
	return nil
}

// MarkDirty marks quarter q dirty, so the next run regenerates its outputs
// (for example after the field list or the partner list changed). It fails
// on a database error.
func (d *DB) MarkDirty(ctx context.Context, q string) error {
	if err := d.write(ctx, func(tx *sql.Tx) error { return markDirty(ctx, tx, q) }); err != nil {
		return fmt.Errorf("mark %s dirty: %w", q, err)
	}
	return nil
}

// DirtyQuarters returns the quarters whose outputs must be regenerated, in
// order. It fails on a database error.
func (d *DB) DirtyQuarters(ctx context.Context) ([]string, error) {
	qs, err := queryStrings(ctx, d.db, `SELECT quarter FROM dirty_quarters ORDER BY quarter`)
	if err != nil {
		return nil, fmt.Errorf("list dirty quarters: %w", err)
	}
	return qs, nil
}

// Generation returns q's generation: a counter bumped each time q is marked
// dirty (0 for a quarter never marked). Read it BEFORE reading the
// quarter's rows, and pass it to CleanQuarter after writing the outputs.
func (d *DB) Generation(ctx context.Context, q string) (int64, error) {
	var g int64
	err := d.db.QueryRowContext(ctx, `SELECT generation FROM generations WHERE quarter = ?`, q).Scan(&g)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read generation of %s: %w", q, err)
	}
	return g, nil
}

// CleanQuarter clears q's dirty mark once its outputs are written from a
// read that began at generation. If q was marked dirty again since (its
// generation is higher), it stays dirty and CleanQuarter reports false.
// A quarter that is not dirty is left alone (true). It fails on a
// database error.
func (d *DB) CleanQuarter(ctx context.Context, q string, generation int64) (bool, error) {
	cleaned := false
	err := d.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM dirty_quarters WHERE quarter = ? AND generation <= ?`, q, generation)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			cleaned = true
			return nil
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM dirty_quarters WHERE quarter = ?`, q).Scan(&n); err != nil {
			return err
		}
		cleaned = n == 0
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("clean quarter %s: %w", q, err)
	}
	return cleaned, nil
}

// QuarterRows calls fn for every unrestricted case of quarter q, ordered by
// la_code then pseudonym (then quarter_end_date). An error from fn stops
// the iteration and is returned as is. A stored row that does not decode
// is an error naming its file and source row.
func (d *DB) QuarterRows(ctx context.Context, q string, fn func(StoredRow) error) error {
	rows, err := d.db.QueryContext(ctx, `
SELECT la_code, pseudonym, quarter_end_date, quarter, object_id, source_row, schema_version, vals
FROM cases WHERE quarter = ? AND restricted = 0
ORDER BY la_code, pseudonym, quarter_end_date`, q)
	if err != nil {
		return fmt.Errorf("read quarter %s: %w", q, err)
	}
	defer rows.Close()
	var r StoredRow
	var vals []byte
	for rows.Next() {
		if err := rows.Scan(&r.LACode, &r.Pseudonym, &r.QuarterEndDate, &r.Quarter, &r.ObjectID,
			&r.SourceRow, &r.SchemaVersion, &vals); err != nil {
			return fmt.Errorf("read quarter %s: %w", q, err)
		}
		if r.Values, err = decodeValues(r.Values, vals); err != nil {
			return fmt.Errorf("read quarter %s: object %d row %d: %w", q, r.ObjectID, r.SourceRow, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read quarter %s: %w", q, err)
	}
	return nil
}

// QuarterFiles returns the files whose rows are in quarter q's combined
// dataset now, ordered by partner then ledger id. It fails on a database
// error.
func (d *DB) QuarterFiles(ctx context.Context, q string) ([]QuarterFile, error) {
	rows, err := d.db.QueryContext(ctx,
		`SELECT object_id, count(*) FROM cases WHERE quarter = ? AND restricted = 0 GROUP BY object_id`, q)
	if err != nil {
		return nil, fmt.Errorf("list files of quarter %s: %w", q, err)
	}
	defer rows.Close()
	n := map[int64]int{}
	for rows.Next() {
		var id int64
		var c int
		if err := rows.Scan(&id, &c); err != nil {
			return nil, fmt.Errorf("list files of quarter %s: %w", q, err)
		}
		n[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list files of quarter %s: %w", q, err)
	}
	rows.Close()
	files, err := d.Files(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("list files of quarter %s: %w", q, err)
	}
	return files, nil
}

// Files returns the ledger entries of the files in rowsIn, each with
// RowsInQuarter from it, ordered by partner then ledger id: for a caller
// that counted a quarter's rows by file as it read them (QuarterRows).
// An id not in the ledger is an error. It fails on a database error.
func (d *DB) Files(ctx context.Context, rowsIn map[int64]int) ([]QuarterFile, error) {
	// A few hundred ids a query keeps within SQLite's limit on parameters.
	return d.files(ctx, rowsIn, 500)
}

func (d *DB) files(ctx context.Context, rowsIn map[int64]int, perQuery int) ([]QuarterFile, error) {
	if len(rowsIn) == 0 {
		return nil, nil
	}
	ids := make([]any, 0, len(rowsIn))
	for id := range rowsIn {
		ids = append(ids, id)
	}
	out := make([]QuarterFile, 0, len(rowsIn))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), perQuery)]
		ids = ids[len(chunk):]
		rows, err := d.db.QueryContext(ctx, `
SELECT id, partner, name, sha256, rows_read, rows_accepted, rows_out_of_scope, rows_rejected
FROM objects WHERE id IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, chunk...)
		if err != nil {
			return nil, fmt.Errorf("read files: %w", err)
		}
		for rows.Next() {
			var f QuarterFile
			if err := rows.Scan(&f.ObjectID, &f.Partner, &f.Name, &f.SHA256, &f.Rows.Read, &f.Rows.Accepted,
				&f.Rows.OutOfScope, &f.Rows.Rejected); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read files: %w", err)
			}
			f.RowsInQuarter = rowsIn[f.ObjectID]
			out = append(out, f)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read files: %w", err)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Partner != out[j].Partner {
			return out[i].Partner < out[j].Partner
		}
		return out[i].ObjectID < out[j].ObjectID
	})
	if len(out) != len(rowsIn) {
		return nil, fmt.Errorf("read files: %d of %d are not in the ledger", len(rowsIn)-len(out), len(rowsIn))
	}
	return out, nil
}

// QuarterSchemaVersions returns the field list versions that quarter q's
// unrestricted rows were judged under, sorted. It fails on a database
// error.
func (d *DB) QuarterSchemaVersions(ctx context.Context, q string) ([]string, error) {
	vs, err := queryStrings(ctx, d.db, `SELECT DISTINCT schema_version FROM cases
		WHERE quarter = ? AND restricted = 0 ORDER BY schema_version`, q)
	if err != nil {
		return nil, fmt.Errorf("list field list versions of %s: %w", q, err)
	}
	return vs, nil
}
