package state

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// This file holds the audit entries that wait in the store until they are
// in the audit log.

// Pending is an audit entry held in the state database until it is in the
// audit log. The commands that delete data (erasure, retention) add it in
// the same transaction as the deletion, so that a deletion is never
// committed without the entry that records it; the caller then appends it
// to the log and removes it with DonePending. Its Data holds what an audit
// entry may hold (counts, hashes, erasure tokens, operators' reasons),
// never a pseudonym, a raw case_ref or a cell value: the row outlives the
// erasure it records until it is flushed.
type Pending struct {
	ID int64 // the row's id, in the order added; set by PendingEntries
	// RecordID is a random id the store gives the entry when it is added.
	// The entry carries it into the log (as data.record_id), so that an
	// entry appended just before a crash is recognised and not appended
	// twice.
	RecordID  string
	Event     string
	RunID     string
	Partner   string
	Object    string
	Data      map[string]any // strings, bools, numbers, nil and []string
	CreatedAt time.Time
}

// addPending adds entries inside tx.
func addPending(ctx context.Context, tx *sql.Tx, at time.Time, entries ...Pending) error {
	for _, p := range entries {
		data, err := json.Marshal(p.Data)
		if err != nil {
			return fmt.Errorf("encode audit entry %s: %w", p.Event, err)
		}
		if p.Data == nil {
			data = []byte("{}")
		}
		var id [16]byte
		_, _ = rand.Read(id[:]) // never fails (crypto/rand)
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_pending (record_id, event, run_id, partner, object, data, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, hex.EncodeToString(id[:]), p.Event, p.RunID, p.Partner, p.Object, string(data),
			timeText(at)); err != nil {
			return err
		}
	}
	return nil
}

// PendingEntries returns the audit entries not yet removed by DonePending,
// in the order they were added. Numbers in Data come back as json.Number,
// and arrays of strings as []string. It fails on a database error or when
// a stored entry does not decode.
func (d *DB) PendingEntries(ctx context.Context) ([]Pending, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, record_id, event, run_id, partner, object, data, created_at
		FROM audit_pending ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read pending audit entries: %w", err)
	}
	defer rows.Close()
	var out []Pending
	for rows.Next() {
		var p Pending
		var data, created string
		if err := rows.Scan(&p.ID, &p.RecordID, &p.Event, &p.RunID, &p.Partner, &p.Object, &data, &created); err != nil {
			return nil, fmt.Errorf("read pending audit entries: %w", err)
		}
		if p.Data, err = decodePendingData(data); err != nil {
			return nil, fmt.Errorf("read pending audit entry %d: %w", p.ID, err)
		}
		if p.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("read pending audit entry %d: %w", p.ID, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read pending audit entries: %w", err)
	}
	return out, nil
}

// decodePendingData reads a stored Data object back into the types an
// audit entry accepts.
func decodePendingData(s string) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for k, v := range m {
		arr, ok := v.([]any)
		if !ok {
			continue
		}
		ss := make([]string, len(arr))
		for i, x := range arr {
			if ss[i], ok = x.(string); !ok {
				return nil, fmt.Errorf("data %q holds a %T in its list", k, x)
			}
		}
		m[k] = ss
	}
	if len(m) == 0 {
		m = nil
	}
	return m, nil
}

// DonePending removes pending entry id, once it is in the audit log, and
// stores head (the log's head after it) as the audit head (MetaAuditHead),
// in one transaction: the stored head and the pending rows never disagree
// about whether the entry was written. Removing an entry already removed
// is not an error. It fails on a database error, and then nothing changes.
func (d *DB) DonePending(ctx context.Context, id int64, head string) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM audit_pending WHERE id = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, MetaAuditHead, head)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove pending audit entry %d: %w", id, err)
	}
	return nil
}
