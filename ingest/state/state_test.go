package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"landingd/transform"
)

var t0 = time.Date(2026, 1, 7, 6, 0, 0, 0, time.UTC)

func openTest(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	d, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d, path
}

func rec(partner, name, sha string) FileRecord {
	return FileRecord{RunID: "r1", Partner: partner, Name: name, Size: 10, ModTime: t0, SHA256: sha,
		ReceivedAt: t0, SchemaVersion: "1.0", QuarterHint: "2025Q4"}
}

func row(la, ps, qend string, src int, vals ...string) transform.Row {
	return transform.Row{LACode: la, Pseudonym: ps, QuarterEndDate: qend, Quarter: quarterOf(qend), SourceRow: src, Values: vals}
}

func quarterOf(d string) string {
	switch d[5:7] {
	case "03":
		return d[:4] + "Q1"
	case "06":
		return d[:4] + "Q2"
	case "09":
		return d[:4] + "Q3"
	}
	return d[:4] + "Q4"
}

func accepted(n int) transform.Result {
	return transform.Result{Format: "csv", Verdict: transform.Accepted, SchemaVersion: "1.0",
		Rows: transform.Counts{Read: n + 1, Accepted: n, OutOfScope: 1}}
}

// commitFile stages rows as one accepted file and returns its object id.
func commitFile(t testing.TB, d *DB, r FileRecord, rows ...transform.Row) int64 {
	t.Helper()
	ctx := context.Background()
	ft, err := d.BeginFile(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	defer ft.Rollback()
	for _, rw := range rows {
		if err := ft.Put(ctx, rw); err != nil {
			t.Fatal(err)
		}
	}
	if err := ft.Commit(ctx, accepted(len(rows)), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	return ft.ObjectID()
}

func quarterRows(t testing.TB, d *DB, q string) []StoredRow {
	t.Helper()
	var out []StoredRow
	err := d.QuarterRows(context.Background(), q, func(r StoredRow) error {
		r.Values = append([]string(nil), r.Values...)
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenMigratesOnceAndRefusesNewer(t *testing.T) {
	ctx := context.Background()
	d, path := openTest(t)
	commitFile(t, d, rec("braintree", "a.csv", "s1"), row("E07000067", "p1", "2025-12-31", 2, "x"))
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopening runs no migration again and keeps the data.
	for i := 0; i < 2; i++ {
		d2, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		v, err := d2.version(ctx, d2.db)
		if err != nil || v != SchemaVersion() {
			t.Fatalf("version = %d, %v; want %d", v, err, SchemaVersion())
		}
		if got := len(quarterRows(t, d2, "2025Q4")); got != 1 {
			t.Fatalf("rows after reopen = %d, want 1", got)
		}
		var jm string
		if err := d2.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&jm); err != nil || jm != "wal" {
			t.Fatalf("journal_mode = %q, %v", jm, err)
		}
		var sync, fk int
		if err := d2.db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
			t.Fatalf("synchronous = %d, %v; want 2 (FULL)", sync, err)
		}
		if err := d2.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Fatalf("foreign_keys = %d, %v", fk, err)
		}
		d2.Close()
	}
	// A database from a newer landingd is refused.
	d3, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d3.db.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	d3.Close()
	if _, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open of a newer database: err = %v", err)
	}
}

func TestOpenNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	if err := writeFile(path, strings.Repeat("not sqlite at all ", 100)); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), path); err == nil {
		t.Fatal("Open of a text file succeeded")
	}
}

func TestPutReplacesSameKey(t *testing.T) {
	d, _ := openTest(t)
	a := commitFile(t, d, rec("braintree", "a.csv", "sa"),
		row("E07000067", "p1", "2025-12-31", 2, "old", "1"),
		row("E07000067", "p2", "2025-12-31", 3, "keep", "2"))
	b := commitFile(t, d, rec("braintree", "b.csv", "sb"),
		row("E07000067", "p1", "2025-12-31", 7, "new", "9"))
	got := quarterRows(t, d, "2025Q4")
	want := []StoredRow{
		{LACode: "E07000067", Pseudonym: "p1", QuarterEndDate: "2025-12-31", Quarter: "2025Q4", ObjectID: b, SourceRow: 7, SchemaVersion: "1.0", Values: []string{"new", "9"}},
		{LACode: "E07000067", Pseudonym: "p2", QuarterEndDate: "2025-12-31", Quarter: "2025Q4", ObjectID: a, SourceRow: 3, SchemaVersion: "1.0", Values: []string{"keep", "2"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows:\n got %+v\nwant %+v", got, want)
	}
	// A different quarter_end_date is a different case-quarter, not a replacement.
	commitFile(t, d, rec("braintree", "c.csv", "sc"), row("E07000067", "p1", "2026-03-31", 2, "q1"))
	if n := len(quarterRows(t, d, "2025Q4")); n != 2 {
		t.Fatalf("2025Q4 rows = %d, want 2", n)
	}
	files, err := d.QuarterFiles(context.Background(), "2025Q4")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].ObjectID != a || files[0].RowsInQuarter != 1 || files[1].ObjectID != b ||
		files[1].RowsInQuarter != 1 || files[0].SHA256 != "sa" || files[0].Rows.Read != 3 {
		t.Fatalf("QuarterFiles = %+v", files)
	}
}

func TestAcceptedSHA(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	commitFile(t, d, rec("braintree", "a.csv", "same"), row("E07000067", "p1", "2025-12-31", 2, "x"))
	if _, err := d.RecordRejected(ctx, rec("harlow", "h.csv", "rejsha"), transform.Result{Verdict: transform.Rejected}, t0); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		partner, sha string
		want         bool
	}{
		{"braintree", "same", true},
		{"harlow", "same", false},     // another partner's content is theirs
		{"braintree", "other", false}, // new content
		{"harlow", "rejsha", false},   // rejected content may be sent again
	} {
		got, err := d.AcceptedSHA(ctx, tt.partner, tt.sha)
		if err != nil || got != tt.want {
			t.Errorf("AcceptedSHA(%s, %s) = %v, %v; want %v", tt.partner, tt.sha, got, err, tt.want)
		}
	}
}

func TestRollbackLeavesNothing(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	r := rec("braintree", "bad.csv", "bad")
	ft, err := d.BeginFile(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := ft.Put(ctx, row("E07000067", "p1", "2025-12-31", 2, "x")); err != nil {
		t.Fatal(err)
	}
	if err := ft.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := ft.Rollback(); err != nil {
		t.Fatalf("second Rollback: %v", err)
	}
	if err := ft.Put(ctx, row("E07000067", "p1", "2025-12-31", 2, "x")); err == nil {
		t.Fatal("Put after Rollback succeeded")
	}
	id, err := d.RecordRejected(ctx, r, transform.Result{Verdict: transform.Rejected, Format: "csv",
		Rows:       transform.Counts{Read: 3, Rejected: 3},
		FileErrors: []transform.Issue{{Rule: transform.RuleErrorRate}},
		Errors:     []transform.Issue{{Row: 2, Rule: transform.RuleTypeError}, {Row: 3, Rule: transform.RuleTypeError}}, ErrorsTotal: 5}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(quarterRows(t, d, "2025Q4")); n != 0 {
		t.Fatalf("rows after rollback = %d", n)
	}
	if qs, _ := d.DirtyQuarters(ctx); len(qs) != 0 {
		t.Fatalf("dirty after rollback = %v", qs)
	}
	var n int
	if err := d.db.QueryRow(`SELECT count(*) FROM objects`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("objects = %d, %v; want only the rejected record", n, err)
	}
	o, err := d.GetObject(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if o.Verdict != "rejected" || o.ErrorsTotal != 5 || !reflect.DeepEqual(o.RuleCounts, map[string]int{"error-rate": 1, "type-error": 2}) ||
		o.Rows.Read != 3 || o.SchemaVersion != "1.0" || !o.ReceivedAt.Equal(t0) || o.QuarterHint != "2025Q4" {
		t.Fatalf("rejected object = %+v", o)
	}
	// The write lock was released: another file can begin.
	commitFile(t, d, rec("braintree", "good.csv", "good"), row("E07000067", "p1", "2025-12-31", 2, "x"))
}

func TestCommitRefusesRejectedVerdict(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	ft, err := d.BeginFile(ctx, rec("braintree", "a.csv", "s"))
	if err != nil {
		t.Fatal(err)
	}
	_ = ft.Put(ctx, row("E07000067", "p1", "2025-12-31", 2, "x"))
	if err := ft.Commit(ctx, transform.Result{Verdict: transform.Rejected}, t0); err == nil {
		t.Fatal("Commit with a rejected verdict succeeded")
	}
	if n := len(quarterRows(t, d, "2025Q4")); n != 0 {
		t.Fatalf("rows = %d", n)
	}
	if err := ft.Put(ctx, row("E07000067", "p1", "2025-12-31", 2, "x")); err == nil {
		t.Fatal("Put after Commit succeeded")
	}
}

func TestPutRejectsRowWithoutKeyWithoutValues(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	ft, err := d.BeginFile(ctx, rec("braintree", "a.csv", "s"))
	if err != nil {
		t.Fatal(err)
	}
	defer ft.Rollback()
	err = ft.Put(ctx, transform.Row{LACode: "E07000067", SourceRow: 4, Values: []string{"SECRET-VALUE"}})
	if err == nil || !strings.Contains(err.Error(), "row 4") || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("err = %v", err)
	}
}

func TestDirtyQuarterSurvivesCrash(t *testing.T) {
	ctx := context.Background()
	d, path := openTest(t)
	commitFile(t, d, rec("braintree", "a.csv", "sa"),
		row("E07000067", "p1", "2025-12-31", 2, "x"),
		row("E07000067", "p2", "2025-09-30", 3, "y"))
	g, err := d.Generation(ctx, "2025Q4")
	if err != nil || g != 1 {
		t.Fatalf("generation = %d, %v", g, err)
	}
	// Crash: close without cleaning (outputs never written).
	d.Close()
	d, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	qs, err := d.DirtyQuarters(ctx)
	if err != nil || !reflect.DeepEqual(qs, []string{"2025Q3", "2025Q4"}) {
		t.Fatalf("dirty after reopen = %v, %v", qs, err)
	}
	// Rows arrive while 2025Q4 is being written: the stale clean keeps it dirty.
	g, _ = d.Generation(ctx, "2025Q4")
	commitFile(t, d, rec("braintree", "b.csv", "sb"), row("E07000067", "p3", "2025-12-31", 2, "z"))
	if ok, err := d.CleanQuarter(ctx, "2025Q4", g); err != nil || ok {
		t.Fatalf("stale CleanQuarter = %v, %v; want false", ok, err)
	}
	g, _ = d.Generation(ctx, "2025Q4")
	if ok, err := d.CleanQuarter(ctx, "2025Q4", g); err != nil || !ok {
		t.Fatalf("CleanQuarter = %v, %v", ok, err)
	}
	if ok, err := d.CleanQuarter(ctx, "2025Q4", g); err != nil || !ok {
		t.Fatalf("CleanQuarter of a clean quarter = %v, %v", ok, err)
	}
	qs, _ = d.DirtyQuarters(ctx)
	if !reflect.DeepEqual(qs, []string{"2025Q3"}) {
		t.Fatalf("dirty = %v", qs)
	}
	if err := d.MarkDirty(ctx, "2025Q4"); err != nil {
		t.Fatal(err)
	}
	qs, _ = d.DirtyQuarters(ctx)
	if !reflect.DeepEqual(qs, []string{"2025Q3", "2025Q4"}) {
		t.Fatalf("dirty after MarkDirty = %v", qs)
	}
}

func TestQuarterRowsOrderAndRestriction(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	commitFile(t, d, rec("harlow", "h.csv", "h"),
		row("E07000073", "b", "2025-12-31", 2, "1"),
		row("E07000073", "a", "2025-12-31", 3, "2"))
	commitFile(t, d, rec("basildon", "b.csv", "b"),
		row("E07000066", "z", "2025-12-31", 2, "3"),
		row("E07000066", "c", "2025-12-31", 3, "4"),
		row("E07000066", "m", "2025-12-31", 4, "5"))
	keys := func() string {
		var ks []string
		for _, r := range quarterRows(t, d, "2025Q4") {
			ks = append(ks, r.LACode[7:]+"/"+r.Pseudonym)
		}
		return strings.Join(ks, " ")
	}
	if got, want := keys(), "66/c 66/m 66/z 73/a 73/b"; got != want {
		t.Fatalf("order = %q, want %q", got, want)
	}
	g, _ := d.Generation(ctx, "2025Q4")
	d.CleanQuarter(ctx, "2025Q4", g)
	n, _, err := d.Restrict(ctx, "E07000066", "m", true, t0)
	if err != nil || n != 1 {
		t.Fatalf("Restrict = %d, %v", n, err)
	}
	if got, want := keys(), "66/c 66/z 73/a 73/b"; got != want {
		t.Fatalf("after restriction = %q, want %q", got, want)
	}
	if qs, _ := d.DirtyQuarters(ctx); !reflect.DeepEqual(qs, []string{"2025Q4"}) {
		t.Fatalf("restriction did not dirty the quarter: %v", qs)
	}
	// A resubmission of a restricted case does not lift the restriction.
	commitFile(t, d, rec("basildon", "b2.csv", "b2"), row("E07000066", "m", "2025-12-31", 2, "6"))
	if got, want := keys(), "66/c 66/z 73/a 73/b"; got != want {
		t.Fatalf("after resubmission = %q, want %q", got, want)
	}
	files, _ := d.QuarterFiles(ctx, "2025Q4")
	for _, f := range files {
		if f.Name == "b2.csv" {
			t.Fatalf("a file holding only restricted rows is listed: %+v", f)
		}
	}
	stop := errors.New("stop")
	calls := 0
	err = d.QuarterRows(ctx, "2025Q4", func(StoredRow) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Fatalf("QuarterRows with a failing fn = %v after %d calls", err, calls)
	}
}

func TestDispositionAndUndisposed(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	a := commitFile(t, d, rec("braintree", "a.csv", "sa"), row("E07000067", "p1", "2025-12-31", 2, "x"))
	b, err := d.RecordRejected(ctx, rec("braintree", "b.csv", "sb"), transform.Result{Verdict: transform.Rejected}, t0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.RecordDuplicate(ctx, rec("braintree", "c.csv", "sa"), t0)
	if err != nil {
		t.Fatal(err)
	}
	commitFile(t, d, rec("harlow", "h.csv", "sh"), row("E07000073", "p1", "2025-12-31", 2, "x"))
	ids := func() []int64 {
		obs, err := d.Undisposed(ctx, "braintree")
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, o := range obs {
			out = append(out, o.ID)
		}
		return out
	}
	if got := ids(); !reflect.DeepEqual(got, []int64{a, b, c}) {
		t.Fatalf("undisposed = %v, want %v", got, []int64{a, b, c})
	}
	if err := d.MarkDisposed(ctx, b, DisposedRejected, "b.csv", t0); err != nil {
		t.Fatal(err)
	}
	if got := ids(); !reflect.DeepEqual(got, []int64{a, c}) {
		t.Fatalf("undisposed = %v", got)
	}
	if err := d.MarkDisposed(ctx, 9999, DisposedProcessed, "x", t0); err == nil {
		t.Fatal("MarkDisposed of a missing object succeeded")
	}
	o, _ := d.GetObject(ctx, b)
	if o.DisposedTo != "rejected" || o.DisposedName != "b.csv" || !o.DisposedAt.Equal(t0) {
		t.Fatalf("object = %+v", o)
	}
	if o, _ := d.GetObject(ctx, c); o.Verdict != VerdictDuplicate {
		t.Fatalf("duplicate verdict = %q", o.Verdict)
	}
	if _, err := d.GetObject(ctx, 9999); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("GetObject(missing) = %v", err)
	}
}

func TestRuns(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	if _, ok, err := d.LastRun(ctx); ok || err != nil {
		t.Fatalf("LastRun on empty = %v, %v", ok, err)
	}
	if err := d.BeginRun(ctx, "r1", t0, TriggerSchedule); err != nil {
		t.Fatal(err)
	}
	if err := d.RecordPartner(ctx, "r1", PartnerOutcome{Partner: "harlow", Outcome: "ok", Accepted: 1}); err != nil {
		t.Fatal(err)
	}
	if err := d.RecordPartner(ctx, "r1", PartnerOutcome{Partner: "basildon", Outcome: "failed", Error: "dial: refused"}); err != nil {
		t.Fatal(err)
	}
	if err := d.FinishRun(ctx, "r1", t0.Add(time.Minute), RunOK, ""); err != nil {
		t.Fatal(err)
	}
	// r2 dies; r3 finds it unfinished and marks it interrupted.
	if err := d.BeginRun(ctx, "r2", t0.Add(time.Hour), "manual"); err != nil {
		t.Fatal(err)
	}
	if r, ok, _ := d.LastRun(ctx); !ok || r.ID != "r2" || r.Outcome != "" || !r.Finished.IsZero() {
		t.Fatalf("LastRun while running = %+v", r)
	}
	if err := d.BeginRun(ctx, "r3", t0.Add(2*time.Hour), "retry"); err != nil {
		t.Fatal(err)
	}
	if err := d.BeginRun(ctx, "r3", t0.Add(2*time.Hour), "retry"); err == nil {
		t.Fatal("a reused run id was accepted")
	}
	if err := d.FinishRun(ctx, "r3", t0.Add(3*time.Hour), RunFailed, "output: disk full"); err != nil {
		t.Fatal(err)
	}
	if err := d.FinishRun(ctx, "nope", t0, RunOK, ""); err == nil {
		t.Fatal("FinishRun of a missing run succeeded")
	}
	last, ok, err := d.LastRun(ctx)
	if err != nil || !ok || last.ID != "r3" || last.Outcome != RunFailed || last.Error != "output: disk full" || last.Trigger != "retry" {
		t.Fatalf("LastRun = %+v, %v, %v", last, ok, err)
	}
	done, ok, err := d.LastCompletedRun(ctx)
	want := Run{ID: "r1", Started: t0, Finished: t0.Add(time.Minute), Trigger: "schedule", Outcome: RunOK,
		Partners: []PartnerOutcome{{Partner: "basildon", Outcome: "failed", Error: "dial: refused"}, {Partner: "harlow", Outcome: "ok", Accepted: 1}}}
	if err != nil || !ok || !reflect.DeepEqual(done, want) {
		t.Fatalf("LastCompletedRun =\n%+v\nwant\n%+v (%v %v)", done, want, ok, err)
	}
	var outcome Outcome
	d.db.QueryRow(`SELECT outcome FROM runs WHERE id = 'r2'`).Scan(&outcome)
	if outcome != RunInterrupted {
		t.Fatalf("r2 outcome = %q", outcome)
	}
}

func TestSubmissions(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	r := rec("braintree", "a.csv", "sa")
	commitFile(t, d, r, row("E07000067", "p1", "2025-12-31", 2, "x"), row("E07000067", "p2", "2025-12-31", 3, "x"),
		row("E07000067", "p3", "2025-09-30", 4, "x"))
	// A header-only file counts for its hint quarter with 0 cases.
	h := rec("harlow", "empty.csv", "sh")
	h.QuarterHint = "2025Q3"
	h.ReceivedAt = t0.Add(time.Hour)
	commitFile(t, d, h)
	rj := rec("harlow", "bad.csv", "sbad")
	rj.ReceivedAt = t0.Add(2 * time.Hour)
	if _, err := d.RecordRejected(ctx, rj, transform.Result{Verdict: transform.Rejected}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := d.RecordDuplicate(ctx, rec("braintree", "again.csv", "sa"), t0); err != nil {
		t.Fatal(err)
	}
	got, err := d.Submissions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Submission{
		{Partner: "braintree", Quarter: "2025Q3", AcceptedFiles: 1, Cases: 1, LastReceived: t0},
		{Partner: "braintree", Quarter: "2025Q4", AcceptedFiles: 1, Cases: 2, LastReceived: t0},
		{Partner: "harlow", Quarter: "2025Q3", AcceptedFiles: 1, Cases: 0, LastReceived: t0.Add(time.Hour)},
		{Partner: "harlow", Quarter: "2025Q4", RejectedFiles: 1, LastReceived: t0.Add(2 * time.Hour)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Submissions:\n got %+v\nwant %+v", got, want)
	}
	// AcceptedPartners agrees with Submissions' accepted files, quarter
	// by quarter.
	for _, q := range []string{"2025Q3", "2025Q4", "2026Q1"} {
		wantP := map[string]bool{}
		for _, s := range got {
			if s.Quarter == q && s.AcceptedFiles > 0 {
				wantP[s.Partner] = true
			}
		}
		gotP, err := d.AcceptedPartners(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotP, wantP) {
			t.Errorf("AcceptedPartners(%s) = %v, want %v", q, gotP, wantP)
		}
	}
}

func TestWriterWaitsForFileTxAndHonoursCtx(t *testing.T) {
	d, _ := openTest(t)
	ft, err := d.BeginFile(context.Background(), rec("braintree", "a.csv", "s"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.MarkDirty(ctx, "2025Q4"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("MarkDirty during an open FileTx = %v, want deadline exceeded", err)
	}
	// Reads do not wait.
	if _, err := d.AcceptedSHA(context.Background(), "braintree", "s"); err != nil {
		t.Fatal(err)
	}
	ft.Rollback()
	if err := d.MarkDirty(context.Background(), "2025Q4"); err != nil {
		t.Fatal(err)
	}
}

// TestFiles reads files by id: sorted by partner then id, with the counts
// given, however many queries it takes; an id not in the ledger fails.
func TestFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := openTest(t)
	var ids []int64
	for i, p := range []string{"harlow", "braintree", "harlow", "basildon", "braintree"} {
		ids = append(ids, commitFile(t, d, rec(p, fmt.Sprint(i, ".csv"), fmt.Sprint("s", i)),
			row("E07000067", fmt.Sprint("p", i), "2025-12-31", 2, "x")))
	}
	in := map[int64]int{ids[0]: 7, ids[1]: 1, ids[2]: 2, ids[3]: 3}
	wantOrder := []int64{ids[3], ids[1], ids[0], ids[2]} // basildon, braintree, harlow, harlow
	for _, per := range []int{1, 2, 3, 500} {
		got, err := d.files(ctx, in, per)
		if err != nil {
			t.Fatalf("%d a query: %v", per, err)
		}
		if len(got) != len(wantOrder) {
			t.Fatalf("%d a query: %d files, want %d", per, len(got), len(wantOrder))
		}
		for i, f := range got {
			if f.ObjectID != wantOrder[i] || f.RowsInQuarter != in[f.ObjectID] || f.SHA256 == "" {
				t.Errorf("%d a query: file %d = %+v, want id %d with %d rows", per, i, f, wantOrder[i], in[wantOrder[i]])
			}
		}
	}
	if got, err := d.Files(ctx, nil); err != nil || got != nil {
		t.Errorf("Files(nil) = %v, %v", got, err)
	}
	if _, err := d.Files(ctx, map[int64]int{ids[0]: 1, 9999: 1}); err == nil {
		t.Error("Files with an id not in the ledger: no error")
	}
}
