package state

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"landingd/transform"
)

// Verdicts stored in the ledger besides transform.Accepted and
// transform.Rejected.
const (
	// VerdictDuplicate is a file whose content (SHA-256) the same partner
	// already had accepted; it is not ingested again.
	VerdictDuplicate transform.Verdict = "duplicate"
	// verdictPending marks the object row of an open FileTx. It is never
	// visible outside that transaction.
	verdictPending transform.Verdict = "pending"
)

// Disposition folders recorded by MarkDisposed.
const (
	DisposedProcessed = "processed"
	DisposedRejected  = "rejected"
	DisposedKept      = "kept" // the partner's disposition is "keep": the file stays where it is
	// DisposedReplaced: the district replaced the file after it was read;
	// the version read is gone, and the new one waits at the top level.
	DisposedReplaced = "replaced"
)

// FileRecord describes one source file as the run found it.
type FileRecord struct {
	RunID   string
	Partner string // the partner's id from the protocol
	Name    string // base name in the landing zone
	Size    int64
	ModTime time.Time
	ETag    string
	SHA256  string // lowercase hex of the content
	// ReceivedAt is when the run first saw the file.
	ReceivedAt time.Time
	// SchemaVersion is the field list version the rows are staged under.
	SchemaVersion string
	// QuarterHint is the quarter that was last completed when the file was
	// received (e.g. "2025Q4"). An accepted file that brings no in-scope
	// rows, and a rejected file, count as a submission for this quarter.
	QuarterHint string
}

// Object is one file in the ledger.
type Object struct {
	ID              int64
	RunID           string
	Partner         string
	Name            string
	Size            int64
	ModTime         time.Time
	ETag            string
	SHA256          string
	Format          string
	Verdict         transform.Verdict // transform.Accepted | transform.Rejected | VerdictDuplicate
	Rows            transform.Counts
	RowsStored      int            // rows Put (accepted, in scope) by this file
	ErrorsTotal     int            // row and file issues in all, kept or not
	RuleCounts      map[string]int // issues kept per rule name
	PartnerMismatch int
	Erased          int
	SchemaVersion   string
	QuarterHint     string
	ReceivedAt      time.Time
	JudgedAt        time.Time
	DisposedTo      string // "" until MarkDisposed; then processed | rejected | kept
	DisposedName    string
	DisposedAt      time.Time
}

// AcceptedSHA reports whether partner already had a file with this content
// accepted, under any name. It fails only on a database error.
func (d *DB) AcceptedSHA(ctx context.Context, partner, sha256 string) (bool, error) {
	var n int
	err := d.db.QueryRowContext(ctx,
		`SELECT count(*) FROM objects WHERE partner = ? AND sha256 = ? AND verdict = ?`,
		partner, sha256, transform.Accepted).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up accepted content for %s: %w", partner, err)
	}
	return n > 0, nil
}

// FileTx stages one file's rows in one transaction. It holds the process's
// write lock until Commit or Rollback, which must always be called (a
// deferred Rollback after Commit is harmless). A FileTx is not safe for
// concurrent use.
type FileTx struct {
	d   *DB
	tx  *sql.Tx
	rec FileRecord
	id  int64
	// batch stores putBatch rows; one stores a single row (the rows left
	// over, and a failed batch again, to find the row that failed).
	// Each is prepared when first needed.
	batch, one *sql.Stmt
	pending    []pendingRow // rows Put and not stored yet
	vals       []byte       // their encoded values, one after another
	args       []any
	quarters   map[string]int // rows stored per quarter
	rows       int
	// failed is the error that lost pending rows: the file can only be
	// rolled back, and Put and Commit return it again.
	failed error
	done   bool
}

// pendingRow is a row Put and waiting for its batch. Its values are
// vals[start:end] of the FileTx.
type pendingRow struct {
	laCode, pseudonym, quarterEndDate, quarter string
	sourceRow, start, end                      int
}

// putBatch is how many rows one INSERT stores. Each statement through
// database/sql has a fixed cost (locking, binding, stepping, resetting)
// that one statement per row paid per row: on BenchmarkPut, 64 rows a
// statement took the CPU for 250,000 rows from 3.9 s to 2.8 s; 16 and
// 256 did no better than 64.
const putBatch = 64

// sortChunk is how many rows Put holds before storing them, in key order.
// A file's pseudonyms come in no order, and rows stored in key order go
// into the table's pages one after another instead of at random places.
// Staging six files of 50,000 rows of random keys, chunks of 4096 sorted
// rows took the CPU from 7.2 s to 4.8 s (16,384 rows: 4.0 s); on
// BenchmarkPut, whose files go into a part of the key already holding
// rows, from 7.4 s to 5.8 s for four files. On the cycle benchmark the
// gain is within its noise (26.3 s of CPU against 26.2 s, medians of
// three). 4096 rows hold about 2 MB.
const sortChunk = 4096

// upsertSQL is the statement storing n rows of one file, eight
// parameters a row (see bind). The parameters are anonymous: the driver
// looks each numbered one's name up in a list as long as the statement's
// parameters. The upsert keeps a case's restricted flag: a resubmission
// must not lift a restriction. Rows of one statement are stored in order,
// so a key that comes twice keeps the later row, as with one statement
// per row.
func upsertSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO cases (la_code, pseudonym, quarter_end_date, quarter, object_id, source_row, schema_version, vals) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
	}
	b.WriteString(`
ON CONFLICT (quarter, la_code, pseudonym, quarter_end_date) DO UPDATE SET
	object_id = excluded.object_id, source_row = excluded.source_row,
	schema_version = excluded.schema_version, vals = excluded.vals`)
	return b.String()
}

// BeginFile opens the transaction for one file and records it as pending.
// It waits for the write lock (or ctx). It fails on a database error.
func (d *DB) BeginFile(ctx context.Context, rec FileRecord) (*FileTx, error) {
	if err := d.lock(ctx); err != nil {
		return nil, fmt.Errorf("begin file %s: %w", rec.Name, err)
	}
	ft, err := d.beginFile(ctx, rec)
	if err != nil {
		d.unlock()
		return nil, fmt.Errorf("begin file %s: %w", rec.Name, err)
	}
	return ft, nil
}

func (d *DB) beginFile(ctx context.Context, rec FileRecord) (*FileTx, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	id, err := insertObject(ctx, tx, rec, verdictPending)
	if err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return &FileTx{d: d, tx: tx, rec: rec, id: id, quarters: map[string]int{}}, nil
}

func insertObject(ctx context.Context, tx *sql.Tx, rec FileRecord, verdict transform.Verdict) (int64, error) {
	res, err := tx.ExecContext(ctx, `
INSERT INTO objects (run_id, partner, name, size, mod_time, etag, sha256, verdict, quarter_hint, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.RunID, rec.Partner, rec.Name, rec.Size, timeText(rec.ModTime), rec.ETag, rec.SHA256,
		verdict, rec.QuarterHint, timeText(rec.ReceivedAt))
	if err != nil {
		return 0, fmt.Errorf("record object: %w", err)
	}
	return res.LastInsertId()
}

// ObjectID returns the ledger id of the file being staged.
func (ft *FileTx) ObjectID() int64 { return ft.id }

// Put stages one accepted row. A row with the same (la_code, pseudonym,
// quarter_end_date) as a stored one replaces it (a rectification), keeping
// its restricted flag. The row's quarter is marked dirty when the file
// commits. Put keeps what it needs of r (r.Values may be reused after it
// returns), and stores rows sortChunk at a time: a database error storing
// a row may be returned by a later Put or by Commit. Put fails on a
// database error, or when the row lacks its key; the error names the
// source row that failed, never a value.
func (ft *FileTx) Put(ctx context.Context, r transform.Row) error {
	if ft.done {
		return fmt.Errorf("put row %d of %s: transaction is finished", r.SourceRow, ft.rec.Name)
	}
	if ft.failed != nil {
		return ft.failed
	}
	if r.LACode == "" || r.Pseudonym == "" || r.QuarterEndDate == "" || r.Quarter == "" {
		return fmt.Errorf("put row %d of %s: row has no key", r.SourceRow, ft.rec.Name)
	}
	start := len(ft.vals)
	ft.vals = appendValues(ft.vals, r.Values)
	ft.pending = append(ft.pending, pendingRow{laCode: r.LACode, pseudonym: r.Pseudonym,
		quarterEndDate: r.QuarterEndDate, quarter: r.Quarter, sourceRow: r.SourceRow, start: start, end: len(ft.vals)})
	if len(ft.pending) < sortChunk {
		return nil
	}
	return ft.flush(ctx)
}

// flush stores the pending rows, or returns the error that lost them.
func (ft *FileTx) flush(ctx context.Context) error {
	if ft.failed == nil {
		ft.failed = ft.store(ctx)
	}
	return ft.failed
}

// store stores the pending rows in key order, putBatch to a statement
// and the rest one by one. The sort is stable, so of two rows with one
// key the later is stored last and kept. When a batch fails, SQLite has
// undone it, and its rows are stored again one by one so that the error
// names the row that failed.
func (ft *FileTx) store(ctx context.Context) error {
	slices.SortStableFunc(ft.pending, func(a, b pendingRow) int {
		return cmp.Or(strings.Compare(a.quarter, b.quarter), strings.Compare(a.laCode, b.laCode),
			strings.Compare(a.pseudonym, b.pseudonym), strings.Compare(a.quarterEndDate, b.quarterEndDate))
	})
	for rows := ft.pending; len(rows) > 0; {
		n := min(len(rows), putBatch)
		if err := ft.storeBatch(ctx, rows[:n]); err != nil {
			return err
		}
		rows = rows[n:]
	}
	ft.stored()
	return nil
}

// storeBatch stores rows, a part of ft.pending: in one statement when
// they are a full batch, else (or when that fails) one by one.
func (ft *FileTx) storeBatch(ctx context.Context, rows []pendingRow) error {
	if len(rows) == putBatch {
		if ft.batch == nil {
			if st, err := ft.tx.PrepareContext(ctx, upsertSQL(putBatch)); err == nil {
				ft.batch = st
			}
		}
		if ft.batch != nil {
			if _, err := ft.batch.ExecContext(ctx, ft.bind(rows)...); err == nil {
				return nil
			}
		}
	}
	if ft.one == nil {
		st, err := ft.tx.PrepareContext(ctx, upsertSQL(1))
		if err != nil {
			return fmt.Errorf("put row %d of %s: %w", rows[0].sourceRow, ft.rec.Name, err)
		}
		ft.one = st
	}
	for i := range rows {
		if _, err := ft.one.ExecContext(ctx, ft.bind(rows[i:i+1])...); err != nil {
			return fmt.Errorf("put row %d of %s: %w", rows[i].sourceRow, ft.rec.Name, err)
		}
	}
	return nil
}

// bind returns the parameters of upsertSQL(len(rows)) for rows, a part
// of ft.pending.
func (ft *FileTx) bind(rows []pendingRow) []any {
	ft.args = ft.args[:0]
	for _, p := range rows {
		ft.args = append(ft.args, p.laCode, p.pseudonym, p.quarterEndDate, p.quarter,
			ft.id, p.sourceRow, ft.rec.SchemaVersion, ft.vals[p.start:p.end])
	}
	return ft.args
}

// stored counts the pending rows as stored and empties the buffer.
func (ft *FileTx) stored() {
	for _, p := range ft.pending {
		ft.quarters[p.quarter]++
	}
	ft.rows += len(ft.pending)
	ft.pending = ft.pending[:0]
	ft.vals = ft.vals[:0]
}

// Commit records the file's verdict and counts from res, marks the quarters
// its rows touched dirty, and commits. judgedAt is when the file was
// judged. res.Verdict must be accepted: a rejected file is rolled back and
// recorded with RecordRejected. On error the transaction is rolled back and
// nothing of the file is stored.
func (ft *FileTx) Commit(ctx context.Context, res transform.Result, judgedAt time.Time) error {
	if ft.done {
		return fmt.Errorf("commit %s: transaction is finished", ft.rec.Name)
	}
	err := ft.commit(ctx, res, judgedAt)
	ft.finish()
	if err != nil {
		return fmt.Errorf("commit %s: %w", ft.rec.Name, err)
	}
	return nil
}

func (ft *FileTx) commit(ctx context.Context, res transform.Result, judgedAt time.Time) error {
	if res.Verdict != transform.Accepted {
		_ = ft.tx.Rollback()
		return fmt.Errorf("verdict is %q, not accepted", res.Verdict)
	}
	if err := ft.flush(ctx); err != nil {
		_ = ft.tx.Rollback()
		return err
	}
	qs := make([]string, 0, len(ft.quarters))
	for q := range ft.quarters {
		qs = append(qs, q)
	}
	sort.Strings(qs)
	for _, q := range qs {
		if err := markDirty(ctx, ft.tx, q); err != nil {
			_ = ft.tx.Rollback()
			return fmt.Errorf("mark %s dirty: %w", q, err)
		}
		if _, err := ft.tx.ExecContext(ctx,
			`INSERT INTO object_quarters (object_id, quarter, rows) VALUES (?, ?, ?)`,
			ft.id, q, ft.quarters[q]); err != nil {
			_ = ft.tx.Rollback()
			return err
		}
	}
	if err := judge(ctx, ft.tx, ft.id, ft.rec, res, judgedAt, ft.rows); err != nil {
		_ = ft.tx.Rollback()
		return err
	}
	return ft.tx.Commit()
}

// Rollback abandons the file: nothing of it stays in the store. It is safe
// to call after Commit or more than once, and then does nothing.
func (ft *FileTx) Rollback() error {
	if ft.done {
		return nil
	}
	err := ft.tx.Rollback()
	ft.finish()
	if err != nil {
		return fmt.Errorf("roll back %s: %w", ft.rec.Name, err)
	}
	return nil
}

func (ft *FileTx) finish() {
	ft.done = true
	for _, st := range []*sql.Stmt{ft.batch, ft.one} {
		if st != nil {
			_ = st.Close()
		}
	}
	ft.pending, ft.vals = nil, nil
	ft.d.unlock()
}

// judge writes the verdict, counts and rule counts onto object id.
func judge(ctx context.Context, tx *sql.Tx, id int64, rec FileRecord, res transform.Result, judgedAt time.Time, stored int) error {
	schemaVersion := res.SchemaVersion
	if schemaVersion == "" {
		schemaVersion = rec.SchemaVersion
	}
	rules := map[string]int{}
	for _, is := range res.FileErrors {
		rules[is.Rule]++
	}
	for _, is := range res.Errors {
		rules[is.Rule]++
	}
	rj, err := json.Marshal(rules) // map keys are sorted by encoding/json
	if err != nil {
		return err
	}
	total := res.ErrorsTotal
	if min := len(res.FileErrors) + len(res.Errors); total < min {
		total = min
	}
	_, err = tx.ExecContext(ctx, `
UPDATE objects SET format = ?, verdict = ?, rows_read = ?, rows_accepted = ?, rows_out_of_scope = ?,
	rows_rejected = ?, rows_stored = ?, errors_total = ?, rule_counts = ?, partner_mismatch = ?,
	erased = ?, schema_version = ?, judged_at = ?
WHERE id = ?`,
		res.Format, res.Verdict, res.Rows.Read, res.Rows.Accepted, res.Rows.OutOfScope,
		res.Rows.Rejected, stored, total, string(rj), res.PartnerMismatch, res.Erased,
		schemaVersion, timeText(judgedAt), id)
	if err != nil {
		return fmt.Errorf("record verdict: %w", err)
	}
	return nil
}

// RecordRejected records a file judged rejected (res.Verdict), without
// rows, and returns its ledger id. It fails on a database error.
func (d *DB) RecordRejected(ctx context.Context, rec FileRecord, res transform.Result, judgedAt time.Time) (int64, error) {
	var id int64
	err := d.write(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = insertObject(ctx, tx, rec, verdictPending); err != nil {
			return err
		}
		if res.Verdict == "" {
			res.Verdict = transform.Rejected
		}
		if res.Verdict == transform.Accepted {
			return fmt.Errorf("verdict is accepted: use BeginFile")
		}
		return judge(ctx, tx, id, rec, res, judgedAt, 0)
	})
	if err != nil {
		return 0, fmt.Errorf("record rejected %s: %w", rec.Name, err)
	}
	return id, nil
}

// RecordDuplicate records a file whose content partner already had
// accepted (see AcceptedSHA), and returns its ledger id. Its rows are not
// read again. It fails on a database error.
func (d *DB) RecordDuplicate(ctx context.Context, rec FileRecord, judgedAt time.Time) (int64, error) {
	var id int64
	err := d.write(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = insertObject(ctx, tx, rec, VerdictDuplicate); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE objects SET judged_at = ? WHERE id = ?`, timeText(judgedAt), id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("record duplicate %s: %w", rec.Name, err)
	}
	return id, nil
}

// MarkDisposed records where object id went: folder is DisposedProcessed,
// DisposedRejected, DisposedKept or DisposedReplaced, newName its name
// there ("" for the last two). It fails when
// the object does not exist or on a database error.
func (d *DB) MarkDisposed(ctx context.Context, id int64, folder, newName string, at time.Time) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE objects SET disposed_to = ?, disposed_name = ?, disposed_at = ? WHERE id = ? AND verdict != ?`,
			folder, newName, timeText(at), id, verdictPending)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("no such object")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark object %d disposed: %w", id, err)
	}
	return nil
}

// Undisposed returns partner's judged objects whose disposition was never
// recorded, oldest first: after a crash between commit and move, the run
// finishes the move. It fails on a database error.
func (d *DB) Undisposed(ctx context.Context, partner string) ([]Object, error) {
	obs, err := d.objects(ctx, `WHERE partner = ? AND disposed_at = '' AND verdict != ? ORDER BY id`, partner, verdictPending)
	if err != nil {
		return nil, fmt.Errorf("list undisposed objects of %s: %w", partner, err)
	}
	return obs, nil
}

// GetObject returns the ledger entry with id. A missing id is an error
// satisfying errors.Is(err, sql.ErrNoRows).
func (d *DB) GetObject(ctx context.Context, id int64) (Object, error) {
	obs, err := d.objects(ctx, `WHERE id = ? AND verdict != ?`, id, verdictPending)
	if err == nil && len(obs) == 0 {
		err = sql.ErrNoRows
	}
	if err != nil {
		return Object{}, fmt.Errorf("get object %d: %w", id, err)
	}
	return obs[0], nil
}

const objectColumns = `id, run_id, partner, name, size, mod_time, etag, sha256, format, verdict,
	rows_read, rows_accepted, rows_out_of_scope, rows_rejected, rows_stored, errors_total, rule_counts,
	partner_mismatch, erased, schema_version, quarter_hint, received_at, judged_at,
	disposed_to, disposed_name, disposed_at`

func (d *DB) objects(ctx context.Context, where string, args ...any) ([]Object, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+objectColumns+` FROM objects `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Object
	for rows.Next() {
		o, err := scanObject(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func scanObject(rows *sql.Rows) (Object, error) {
	var o Object
	var mod, recv, judged, disp, rules string
	err := rows.Scan(&o.ID, &o.RunID, &o.Partner, &o.Name, &o.Size, &mod, &o.ETag, &o.SHA256, &o.Format,
		&o.Verdict, &o.Rows.Read, &o.Rows.Accepted, &o.Rows.OutOfScope, &o.Rows.Rejected, &o.RowsStored,
		&o.ErrorsTotal, &rules, &o.PartnerMismatch, &o.Erased, &o.SchemaVersion, &o.QuarterHint,
		&recv, &judged, &o.DisposedTo, &o.DisposedName, &disp)
	if err != nil {
		return o, err
	}
	for _, p := range []struct {
		s string
		t *time.Time
	}{{mod, &o.ModTime}, {recv, &o.ReceivedAt}, {judged, &o.JudgedAt}, {disp, &o.DisposedAt}} {
		if *p.t, err = parseTime(p.s); err != nil {
			return o, err
		}
	}
	if err := json.Unmarshal([]byte(rules), &o.RuleCounts); err != nil {
		return o, fmt.Errorf("bad stored rule counts: %w", err)
	}
	return o, nil
}
