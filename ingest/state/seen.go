package state

import (
	"context"
	"fmt"
	"time"
)

// Seen reports whether partner's object with this name, size, modification
// time and ETag was judged before (with any verdict). A partner whose
// disposition is "keep" leaves files in its zone, and the run uses Seen to
// skip them without reading them again. It fails on a database error.
func (d *DB) Seen(ctx context.Context, partner, name string, size int64, modTime time.Time, etag string) (bool, error) {
	var n int
	err := d.db.QueryRowContext(ctx,
		`SELECT count(*) FROM objects WHERE partner = ? AND name = ? AND size = ? AND mod_time = ? AND etag = ? AND verdict != ?`,
		partner, name, size, timeText(modTime), etag, verdictPending).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up %s of %s: %w", name, partner, err)
	}
	return n > 0, nil
}
