package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Keys of values kept in the meta table.
const (
	MetaAuditHead    = "audit_head"    // hash of the audit log's last entry
	MetaProtocolHash = "protocol_hash" // SHA-256 of the protocol file last run under
	MetaSchemaHash   = "schema_hash"   // SHA-256 of the field list last run under
)

// Meta returns the value stored under key, and false when there is none.
// It fails on a database error.
func (d *DB) Meta(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := d.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read %s: %w", key, err)
	}
	return v, true, nil
}

// SetMeta stores value under key. It fails on a database error.
func (d *DB) SetMeta(ctx context.Context, key, value string) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	return nil
}
