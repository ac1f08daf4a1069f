package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"landingd/ingest/audit"
	"landingd/ingest/audit/audittest"
	"landingd/transform/synth"
)

// inScopeRef returns the raw case_ref of the first domestic abuse row of a
// file in a partner's zone folder.
func (l *dutyLab) inScopeRef(t *testing.T, partner, folder, name string) string {
	t.Helper()
	p, _ := l.cfg.Partner(partner)
	b, err := os.ReadFile(filepath.Join(p.Landing.Local.Path, folder, name))
	must(t, err)
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	must(t, err)
	ref, reason := slices.Index(recs[0], "case_ref"), slices.Index(recs[0], "reasonloss")
	if ref < 0 || reason < 0 {
		t.Fatalf("%s has no case_ref or reasonloss header: %v", name, recs[0])
	}
	for _, rec := range recs[1:] {
		if slices.Contains(synth.DACodes, rec[reason]) {
			return rec[ref]
		}
	}
	t.Fatalf("%s has no case in scope", name)
	return ""
}

// entries returns the audit entries of event that match (all of them when
// match is nil), in order.
func entries(t *testing.T, dir, event string, match func(audit.Entry) bool) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	must(t, audit.Show(context.Background(), dir, time.Time{}, func(e audit.Entry) error {
		if e.Event == event && (match == nil || match(e)) {
			out = append(out, e)
		}
		return nil
	}))
	return out
}

// storeEntry matches the erasure entry that records the rows removed (the
// others record a file each).
func storeEntry(e audit.Entry) bool { return e.Object == "" }

// noRawRef fails when a file under root holds ref.
func noRawRef(t *testing.T, root, ref string) {
	t.Helper()
	must(t, filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(ref)) {
			t.Errorf("%s holds the raw case_ref", path)
		}
		return nil
	}))
}

func TestEraseRecordedOnceWhenTheAuditLogFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDutyLab(t, "braintree")
	l.set(utc("2026-01-07 06:00"))
	l.drop(t, "braintree", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 40})
	r := l.open(t)
	cycle(t, r)
	must(t, r.Close())
	ref := l.inScopeRef(t, "braintree", "processed", "q4.csv")
	k, err := r.caseKey("braintree", ref)
	must(t, err)

	restore := audittest.BlockAppends(t, l.cfg.State)
	r = l.open(t)
	rep, err := r.Duties().Erase(ctx, "braintree", ref, "SAR-1")
	if err == nil || !strings.Contains(err.Error(), "audit log") {
		t.Fatalf("erase with the audit log unwritable: %+v, %v; want an audit log error", rep, err)
	}
	// The rows are gone and the token listed, the entry waits in the
	// database, and no file was deleted before its erasure was recorded.
	if rows, _ := r.DB.CaseRows(ctx, k.laCode, k.pseudonym); len(rows) != 0 {
		t.Fatalf("%d rows of the case left", len(rows))
	}
	if ok, _ := r.DB.IsErased(ctx, k.token); !ok {
		t.Fatal("the token is not on the erasure list")
	}
	if pend, _ := r.DB.PendingEntries(ctx); len(pend) != 1 || pend[0].Data["token"] != k.token {
		t.Fatalf("pending = %+v", pend)
	}
	if got := l.zoneFiles(t, "braintree", "processed"); !slices.Contains(got, "q4.csv") {
		t.Fatalf("processed/ = %v", got)
	}
	if n := len(entries(t, l.cfg.State, audit.EventErasure, nil)); n != 0 {
		t.Fatalf("%d erasure entries in a log that could not be written", n)
	}
	// The pending entry names the case by token only.
	noRawRef(t, l.cfg.State, ref)
	must(t, r.Close())

	// Restored, the next command records the erasure, once, compacts
	// the database the failed erasure left uncompacted, and the erasure
	// finishes deleting the file.
	restore()
	r = l.open(t)
	if pend, _ := r.DB.PendingEntries(ctx); len(pend) != 0 {
		t.Fatalf("pending after open = %+v", pend)
	}
	for _, n := range []string{"landingd.db", "landingd.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(l.cfg.State, n))
		if bytes.Contains(b, []byte(k.pseudonym)) {
			t.Errorf("%s holds the erased pseudonym", n)
		}
	}
	rep, err = r.Duties().Erase(ctx, "braintree", ref, "SAR-1")
	must(t, err)
	if rep.Rows != 0 || !slices.Equal(rep.FilesDeleted, []string{"processed/q4.csv"}) {
		t.Fatalf("erase again = %+v", rep)
	}
	store := entries(t, l.cfg.State, audit.EventErasure, storeEntry)
	if len(store) != 1 || store[0].Data["token"] != k.token || store[0].Data["reason"] != "SAR-1" || store[0].Data["rows"] == json.Number("0") {
		t.Fatalf("erasure entries = %+v", store)
	}
	files := entries(t, l.cfg.State, audit.EventErasure, func(e audit.Entry) bool { return e.Object == "processed/q4.csv" })
	if len(files) != 1 {
		t.Fatalf("file entries = %+v", files)
	}
	if rep, err := r.Duties().Erase(ctx, "braintree", ref, "SAR-1"); err != nil || !rep.AlreadyErased {
		t.Fatalf("third erase = %+v, %v", rep, err)
	}
	if n := len(entries(t, l.cfg.State, audit.EventErasure, nil)); n != 2 {
		t.Fatalf("erasure entries after a repeat = %d, want 2", n)
	}
	if rows, _ := r.DB.CaseRows(ctx, k.laCode, k.pseudonym); len(rows) != 0 {
		t.Fatalf("%d rows of the case came back", len(rows))
	}
	verifyAudit(t, r)
	noRawRef(t, l.cfg.State, ref)
}

func TestPendingEntryAppendedBeforeACrashIsNotAppendedTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDutyLab(t, "braintree")
	l.set(utc("2026-01-07 06:00"))
	l.drop(t, "braintree", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 40})
	r := l.open(t)
	cycle(t, r)
	must(t, r.Close())
	ref := l.inScopeRef(t, "braintree", "processed", "q4.csv")

	restore := audittest.BlockAppends(t, l.cfg.State)
	r = l.open(t)
	if _, err := r.Duties().Erase(ctx, "braintree", ref, "SAR-2"); err == nil {
		t.Fatal("erase succeeded with the audit log unwritable")
	}
	pend, err := r.DB.PendingEntries(ctx)
	must(t, err)
	must(t, r.Close())
	restore()

	// A process appended the entry and died before the database knew.
	log, err := audit.Open(ctx, l.cfg.State)
	must(t, err)
	_, err = log.Append(ctx, pendingEntry(pend[0]))
	must(t, err)
	must(t, log.Close())

	r = l.open(t)
	if got := entries(t, l.cfg.State, audit.EventErasure, storeEntry); len(got) != 1 || got[0].Data[recordIDKey] != pend[0].RecordID {
		t.Fatalf("erasure entries = %+v", got)
	}
	if again, _ := r.DB.PendingEntries(ctx); len(again) != 0 {
		t.Fatalf("pending = %+v", again)
	}
	verifyAudit(t, r)
}

func TestPurgeRecordedOnceWhenTheAuditLogFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDutyLab(t, "braintree")
	l.set(utc("2025-07-01 06:00"))
	l.drop(t, "braintree", "old.csv", synth.Spec{Quarters: []string{"2018Q3"}, Rows: 40})
	l.drop(t, "braintree", "new.csv", synth.Spec{Quarters: []string{"2024Q4"}, Rows: 40})
	r := l.open(t)
	cycle(t, r)
	old := sumCases(t, r, "2018Q3")
	if old == 0 {
		t.Fatal("no 2018Q3 rows to purge")
	}
	must(t, r.Close())

	// 2018Q3's rows and both files (past 90 days) are due.
	l.set(utc("2025-10-01 06:00"))
	restore := audittest.BlockAppends(t, l.cfg.State)
	r = l.open(t)
	if rep, err := r.Duties().Purge(ctx, ""); err == nil || !strings.Contains(err.Error(), "audit log") {
		t.Fatalf("purge with the audit log unwritable: %+v, %v; want an audit log error", rep, err)
	}
	if n := sumCases(t, r, "2018Q3"); n != 0 {
		t.Fatalf("2018Q3 rows after the failed purge = %d, want 0 (deleted with their pending entry)", n)
	}
	if pend, _ := r.DB.PendingEntries(ctx); len(pend) != 1 || pend[0].Object != "2018Q3" {
		t.Fatalf("pending = %+v", pend)
	}
	if n := len(entries(t, l.cfg.State, audit.EventPurge, nil)); n != 0 {
		t.Fatalf("%d purge entries in a log that could not be written", n)
	}
	must(t, r.Close())

	restore()
	r = l.open(t)
	rep, err := r.Duties().Purge(ctx, "")
	must(t, err)
	if len(rep.Cases) != 0 || len(rep.Files) != 2 || len(rep.Problems) != 0 {
		t.Fatalf("purge again = %+v", rep)
	}
	cases := entries(t, l.cfg.State, audit.EventPurge, func(e audit.Entry) bool { return e.Data["kind"] == "cases" })
	if len(cases) != 1 || cases[0].Object != "2018Q3" || cases[0].Data["rows"] != json.Number(strconv.Itoa(old)) {
		t.Fatalf("purge cases entries = %+v, want one of %d rows", cases, old)
	}
	if n := len(entries(t, l.cfg.State, audit.EventPurge, func(e audit.Entry) bool { return e.Data["kind"] == "file" })); n != 2 {
		t.Fatalf("purge file entries = %d, want 2", n)
	}
	if rep, err := r.Duties().Purge(ctx, ""); err != nil || !rep.Empty() {
		t.Fatalf("third purge = %+v, %v", rep, err)
	}
	if n := len(entries(t, l.cfg.State, audit.EventPurge, func(e audit.Entry) bool { return e.Data["kind"] == "cases" })); n != 1 {
		t.Fatalf("purge cases entries after a repeat = %d", n)
	}
	if n := sumCases(t, r, "2024Q4"); n == 0 {
		t.Fatal("2024Q4 lost its rows")
	}
	verifyAudit(t, r)
}
