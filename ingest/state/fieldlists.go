package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// ErrFieldListChanged is returned (wrapped) by RecordFieldList when a field
// list's fields differ from those recorded for the same version: a changed
// field list must be a new version, or stored rows could not be read.
var ErrFieldListChanged = errors.New("field list changed without a new version")

// RecordFieldList records the field names of a field list version, in the
// order rows judged under it store their values. Recording the same names
// again is a no-op. It fails with ErrFieldListChanged when the version is
// known with other fields, and on a database error.
func (d *DB) RecordFieldList(ctx context.Context, version string, fields []string) error {
	b, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	err = d.write(ctx, func(tx *sql.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, `SELECT fields FROM field_lists WHERE version = ?`, version).Scan(&old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO field_lists (version, fields) VALUES (?, ?)`, version, string(b))
			return err
		case err != nil:
			return err
		}
		var oldFields []string
		if err := json.Unmarshal([]byte(old), &oldFields); err != nil {
			return err
		}
		if !slices.Equal(oldFields, fields) {
			return fmt.Errorf("%w: version %q was recorded with other fields; give the new list a new version", ErrFieldListChanged, version)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record field list %s: %w", version, err)
	}
	return nil
}

// FieldLists returns the field names of every recorded field list version.
// It fails on a database error.
func (d *DB) FieldLists(ctx context.Context) (map[string][]string, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT version, fields FROM field_lists`)
	if err != nil {
		return nil, fmt.Errorf("read field lists: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var v, f string
		if err := rows.Scan(&v, &f); err != nil {
			return nil, fmt.Errorf("read field lists: %w", err)
		}
		var fields []string
		if err := json.Unmarshal([]byte(f), &fields); err != nil {
			return nil, fmt.Errorf("read field list %s: %w", v, err)
		}
		out[v] = fields
	}
	return out, rows.Err()
}
