package state

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestPutStoresBatches puts more rows than a sorted chunk holds, in
// descending key order, through one Values slice reused between calls as
// the judge's rows are, with keys that come twice in a batch and across
// chunks.
func TestPutStoresBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := openTest(t)
	const la = "E07000067"
	ft, err := d.BeginFile(ctx, rec("braintree", "a.csv", "s1"))
	if err != nil {
		t.Fatal(err)
	}
	defer ft.Rollback()
	n := sortChunk + 2*putBatch + 3
	ps := func(i int) string { return fmt.Sprintf("p%05d", n-i) }
	vals := make([]string, 2)
	put := func(ps, qend string, src int) {
		t.Helper()
		vals[0], vals[1] = ps, fmt.Sprint(src)
		if err := ft.Put(ctx, row(la, ps, qend, src, vals...)); err != nil {
			t.Fatal(err)
		}
		vals[0], vals[1] = "reused", "reused"
	}
	for i := range n {
		qend := "2025-12-31"
		if i%3 == 0 {
			qend = "2025-09-30"
		}
		put(ps(i), qend, i+2)
	}
	put(ps(1), "2025-12-31", n+2) // in the rows left at Commit; ps(1) was in the first chunk
	put(ps(1), "2025-12-31", n+3) // twice in one batch: the later row is kept
	put(ps(2), "2025-09-30", n+4) // a new key: ps(2) is in 2025Q4
	if err := ft.Commit(ctx, accepted(n+3), t0); err != nil {
		t.Fatal(err)
	}
	q3, q4 := quarterRows(t, d, "2025Q3"), quarterRows(t, d, "2025Q4")
	if want := (n+2)/3 + 1; len(q3) != want {
		t.Errorf("2025Q3 rows = %d, want %d", len(q3), want)
	}
	if want := n - (n+2)/3; len(q4) != want {
		t.Errorf("2025Q4 rows = %d, want %d", len(q4), want)
	}
	for _, r := range append(q3, q4...) {
		if r.Values[0] != r.Pseudonym || r.Values[1] != fmt.Sprint(r.SourceRow) {
			t.Fatalf("row %+v holds another row's values", r)
		}
		if r.Pseudonym == ps(1) && r.SourceRow != n+3 {
			t.Fatalf("%s = row %d, want the last put, %d", r.Pseudonym, r.SourceRow, n+3)
		}
	}
	o, err := d.GetObject(ctx, ft.ObjectID())
	if err != nil || o.RowsStored != n+3 {
		t.Fatalf("rows stored = %d, %v; want %d", o.RowsStored, err, n+3)
	}
}

// TestPutErrorNamesTheRow makes the store refuse one row, in a full
// chunk (the error comes from Put) or in the rows left at Commit: the
// error names that row and no value, and nothing of the file is stored.
func TestPutErrorNamesTheRow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		bad    int // the source row refused
		rows   int
		putErr bool // the error comes from Put, else from Commit
	}{
		{"first row of a chunk", 2, sortChunk, true},
		{"inside a batch", 2 + sortChunk + putBatch + 7, 2 * sortChunk, true},
		{"last row of a chunk", 1 + sortChunk, sortChunk + 1, true},
		{"rows left at commit", 2 + sortChunk + 1, sortChunk + 5, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d, _ := openTest(t)
			if _, err := d.db.ExecContext(ctx, fmt.Sprintf(`CREATE TEMP TRIGGER refuse BEFORE INSERT ON cases
				WHEN NEW.source_row = %d BEGIN SELECT RAISE(ABORT, 'refused'); END`, tt.bad)); err != nil {
				t.Fatal(err)
			}
			// A TEMP trigger lives in its connection: hold the store to one.
			d.db.SetMaxOpenConns(1)
			ft, err := d.BeginFile(ctx, rec("braintree", "a.csv", "s1"))
			if err != nil {
				t.Fatal(err)
			}
			defer ft.Rollback()
			var putErr error
			for i := range tt.rows {
				if putErr = ft.Put(ctx, row("E07000067", fmt.Sprintf("p%04d", i), "2025-12-31", i+2, "SECRET-VALUE")); putErr != nil {
					break
				}
			}
			err = putErr
			if err == nil {
				err = ft.Commit(ctx, accepted(tt.rows), t0)
			}
			if (putErr != nil) != tt.putErr || err == nil {
				t.Fatalf("put err = %v, err = %v; want the error from Put: %v", putErr, err, tt.putErr)
			}
			if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("put row %d of a.csv", tt.bad)) ||
				!strings.Contains(msg, "refused") || strings.Contains(msg, "SECRET") {
				t.Fatalf("err = %v", err)
			}
			if tt.putErr {
				// The rows the batch lost cannot be committed.
				if err := ft.Put(ctx, row("E07000067", "later", "2025-12-31", 9999, "x")); err == nil || !strings.Contains(err.Error(), fmt.Sprint("row ", tt.bad)) {
					t.Fatalf("put after the error = %v", err)
				}
				if err := ft.Commit(ctx, accepted(tt.rows), t0); err == nil || !strings.Contains(err.Error(), fmt.Sprint("row ", tt.bad)) {
					t.Fatalf("commit after the error = %v", err)
				}
			}
			_ = ft.Rollback()
			if got := quarterRows(t, d, "2025Q4"); len(got) != 0 {
				t.Fatalf("%d rows stored", len(got))
			}
		})
	}
}

// TestCacheSize checks every connection's page cache, the one staging a
// file's included, is the default, or SmallCache's.
func TestCacheSize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		opts []Option
		want int
	}{
		{"default", nil, defaultCacheKiB},
		{"small", []Option{SmallCache()}, 256},
	} {
		d, err := Open(ctx, filepath.Join(t.TempDir(), FileName), tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		d.db.SetMaxOpenConns(1)
		var n int
		if err := d.db.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&n); err != nil || n != -tt.want {
			t.Errorf("%s: cache = %d, %v; want %d", tt.name, n, err, -tt.want)
		}
		ft, err := d.BeginFile(ctx, rec("braintree", "a.csv", "s1"))
		if err != nil {
			t.Fatal(err)
		}
		if err := ft.tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&n); err != nil || n != -tt.want {
			t.Errorf("%s: cache while staging = %d, %v; want %d", tt.name, n, err, -tt.want)
		}
		ft.Rollback()
		d.Close()
	}
}
