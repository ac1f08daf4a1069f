package state

import (
	"context"
	"fmt"
	"time"
)

// This file holds what a subject access request needs from the store: a
// case's rows, with the files they came from.

// CaseRow is one row held for a case, with the file it came from, for a
// subject access request.
type CaseRow struct {
	StoredRow
	Restricted bool
	File       CaseFile
	ReceivedAt time.Time
}

// CaseRows returns every row held for the case (laCode, pseudonym),
// restricted ones included, ordered by quarter_end_date. It fails on a
// database error or when a stored row does not decode.
func (d *DB) CaseRows(ctx context.Context, laCode, pseudonym string) ([]CaseRow, error) {
	rows, err := d.db.QueryContext(ctx, storedQuarters+`
SELECT c.la_code, c.pseudonym, c.quarter_end_date, c.quarter, c.object_id, c.source_row, c.schema_version, c.vals,
	c.restricted, o.partner, o.name, o.sha256, o.disposed_to, o.disposed_name, o.deleted_at, o.received_at
FROM cases c JOIN objects o ON o.id = c.object_id
WHERE c.`+inStoredQuarters+` AND c.la_code = ? AND c.pseudonym = ? ORDER BY c.quarter_end_date`, laCode, pseudonym)
	if err != nil {
		return nil, fmt.Errorf("read a case of %s: %w", laCode, err)
	}
	defer rows.Close()
	var out []CaseRow
	for rows.Next() {
		var r CaseRow
		var vals []byte
		var deleted, recv string
		if err := rows.Scan(&r.LACode, &r.Pseudonym, &r.QuarterEndDate, &r.Quarter, &r.ObjectID, &r.SourceRow,
			&r.SchemaVersion, &vals, &r.Restricted, &r.File.Partner, &r.File.Name, &r.File.SHA256,
			&r.File.DisposedTo, &r.File.DisposedName, &deleted, &recv); err != nil {
			return nil, fmt.Errorf("read a case of %s: %w", laCode, err)
		}
		r.File.ObjectID = r.ObjectID
		r.File.Deleted = deleted != ""
		if r.ReceivedAt, err = parseTime(recv); err != nil {
			return nil, fmt.Errorf("read a case of %s: %w", laCode, err)
		}
		if r.Values, err = decodeValues(nil, vals); err != nil {
			return nil, fmt.Errorf("read a case of %s: object %d row %d: %w", laCode, r.ObjectID, r.SourceRow, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read a case of %s: %w", laCode, err)
	}
	return out, nil
}
