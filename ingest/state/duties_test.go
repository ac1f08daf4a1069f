package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"
)

func TestEraseCaseRemovesRowsAndListsToken(t *testing.T) {
	ctx := context.Background()
	d, path := openTest(t)
	const la, victim = "E07000067", "pseudonym-of-the-erased-case-0123456789abcdef"
	id1 := commitFile(t, d, rec("braintree", "q3.csv", "s1"),
		row(la, victim, "2025-09-30", 2, victim, "a"), row(la, "other", "2025-09-30", 3, "other", "b"))
	id2 := commitFile(t, d, rec("braintree", "q4.csv", "s2"), row(la, victim, "2025-12-31", 2, victim, "c"))
	for _, id := range []int64{id1, id2} {
		if err := d.MarkDisposed(ctx, id, DisposedProcessed, "x.csv", t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.SetMeta(ctx, "unrelated", "x"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"2025Q3", "2025Q4"} {
		g, _ := d.Generation(ctx, q)
		if _, err := d.CleanQuarter(ctx, q, g); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := d.Restrict(ctx, la, victim, true, t0); err != nil {
		t.Fatal(err)
	}

	e, err := d.EraseCase(ctx, la, victim, "token-1", t0, func(e Erasure) []Pending {
		return []Pending{{Event: "erasure", Partner: "braintree", Data: map[string]any{"token": "token-1", "rows": e.Rows, "quarters": e.Quarters}}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.Rows != 2 || e.AlreadyListed || !reflect.DeepEqual(e.Quarters, []string{"2025Q3", "2025Q4"}) || len(e.Files) != 2 {
		t.Fatalf("erasure = %+v", e)
	}
	// The audit entry was committed with the erasure, and both files the
	// case came from are marked as being erased for its token.
	pend, err := d.PendingEntries(ctx)
	if err != nil || len(pend) != 1 {
		t.Fatalf("pending = %+v, %v", pend, err)
	}
	wantData := map[string]any{"token": "token-1", "rows": json.Number("2"), "quarters": []string{"2025Q3", "2025Q4"}}
	if p := pend[0]; p.Event != "erasure" || p.Partner != "braintree" || len(p.RecordID) != 32 || !p.CreatedAt.Equal(t0) ||
		!reflect.DeepEqual(p.Data, wantData) {
		t.Fatalf("pending entry = %+v", p)
	}
	files, err := d.ZoneFiles(ctx, "braintree", DisposedProcessed, time.Time{})
	if err != nil || len(files) != 2 || files[0].Erasing != "token-1" || files[1].Erasing != "token-1" {
		t.Fatalf("files = %+v, %v", files, err)
	}
	if got := quarterRows(t, d, "2025Q3"); len(got) != 1 || got[0].Pseudonym != "other" {
		t.Fatalf("2025Q3 rows after erasure = %+v", got)
	}
	if dq, _ := d.DirtyQuarters(ctx); !reflect.DeepEqual(dq, []string{"2025Q3", "2025Q4"}) {
		t.Fatalf("dirty = %v", dq)
	}
	if ok, _ := d.IsErased(ctx, "token-1"); !ok {
		t.Fatal("token not listed")
	}
	list, err := d.ErasureList(ctx)
	if err != nil || !list["token-1"] || len(list) != 1 {
		t.Fatalf("list = %v, %v", list, err)
	}
	// Again: nothing left, already listed.
	e, err = d.EraseCase(ctx, la, victim, "token-1", t0, nil)
	if err != nil || e.Rows != 0 || !e.AlreadyListed {
		t.Fatalf("second erasure = %+v, %v", e, err)
	}

	if err := d.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(victim)) {
			t.Errorf("%s still holds the erased pseudonym", path+suffix)
		}
		if suffix == "" && !bytes.Contains(b, []byte("other")) {
			t.Errorf("the database lost the other case")
		}
	}
}

func TestRestrictionOutlivesResubmission(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	const la = "E07000067"
	commitFile(t, d, rec("braintree", "q3.csv", "s1"), row(la, "p1", "2025-09-30", 2, "p1"), row(la, "p2", "2025-09-30", 3, "p2"))
	changed, held, err := d.Restrict(ctx, la, "p1", true, t0)
	if err != nil || changed != 1 || held != 1 {
		t.Fatalf("restrict = %d %d %v", changed, held, err)
	}
	if got := quarterRows(t, d, "2025Q3"); len(got) != 1 || got[0].Pseudonym != "p2" {
		t.Fatalf("rows = %+v", got)
	}
	// A later quarter's file brings the restricted case again.
	commitFile(t, d, rec("braintree", "q4.csv", "s2"), row(la, "p1", "2025-12-31", 2, "p1"))
	if got := quarterRows(t, d, "2025Q4"); len(got) != 1 {
		t.Fatalf("before ApplyRestrictions the new row shows: %+v", got)
	}
	if n, err := d.ApplyRestrictions(ctx); err != nil || n != 1 {
		t.Fatalf("apply = %d, %v", n, err)
	}
	if got := quarterRows(t, d, "2025Q4"); len(got) != 0 {
		t.Fatalf("a restricted case shows: %+v", got)
	}
	if n, err := d.ApplyRestrictions(ctx); err != nil || n != 0 {
		t.Fatalf("second apply = %d, %v", n, err)
	}
	rows, err := d.CaseRows(ctx, la, "p1")
	if err != nil || len(rows) != 2 || !rows[0].Restricted || rows[0].File.Name != "q3.csv" || rows[1].Values[0] != "p1" {
		t.Fatalf("case rows = %+v, %v", rows, err)
	}
	changed, held, err = d.Restrict(ctx, la, "p1", false, t0)
	if err != nil || changed != 2 || held != 2 {
		t.Fatalf("lift = %d %d %v", changed, held, err)
	}
	if got := quarterRows(t, d, "2025Q4"); len(got) != 1 {
		t.Fatalf("lifted case still hidden: %+v", got)
	}
	if n, _ := d.ApplyRestrictions(ctx); n != 0 {
		t.Fatal("a lifted restriction was applied again")
	}
}

func TestPurgeCasesByQuarterEnd(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	const la = "E07000067"
	commitFile(t, d, rec("braintree", "a.csv", "s1"),
		row(la, "p1", "2018-06-30", 2, "x"), row(la, "p2", "2018-09-30", 3, "x"), row(la, "p3", "2018-09-30", 4, "x"),
		row(la, "p1", "2019-03-31", 5, "x"))
	got, err := d.ExpiredCases(ctx, "2018-09-30")
	if err != nil || !reflect.DeepEqual(got, map[string]int{"2018Q2": 1, "2018Q3": 2}) {
		t.Fatalf("expired = %v, %v", got, err)
	}
	entries := func(m map[string]int) []Pending {
		var out []Pending
		for _, q := range []string{"2018Q2", "2018Q3"} {
			if m[q] > 0 {
				out = append(out, Pending{Event: "purge", Object: q, Data: map[string]any{"kind": "cases", "rows": m[q]}})
			}
		}
		return out
	}
	got, err = d.PurgeCases(ctx, "2018-09-30", t0, entries)
	if err != nil || !reflect.DeepEqual(got, map[string]int{"2018Q2": 1, "2018Q3": 2}) {
		t.Fatalf("purged = %v, %v", got, err)
	}
	if pend, err := d.PendingEntries(ctx); err != nil || len(pend) != 2 || pend[0].Object != "2018Q2" || pend[1].Object != "2018Q3" ||
		pend[1].Data["rows"] != json.Number("2") || pend[0].ID >= pend[1].ID {
		t.Fatalf("pending = %+v, %v", pend, err)
	}
	if rows := quarterRows(t, d, "2019Q1"); len(rows) != 1 {
		t.Fatalf("2019Q1 rows = %d", len(rows))
	}
	if rows := quarterRows(t, d, "2018Q3"); len(rows) != 0 {
		t.Fatalf("2018Q3 rows = %d", len(rows))
	}
	if vs, err := d.QuarterSchemaVersions(ctx, "2019Q1"); err != nil || !reflect.DeepEqual(vs, []string{"1.0"}) {
		t.Fatalf("versions = %v, %v", vs, err)
	}
	if got, _ := d.PurgeCases(ctx, "2018-09-30", t0, entries); len(got) != 0 {
		t.Fatalf("second purge = %v", got)
	}
	if pend, _ := d.PendingEntries(ctx); len(pend) != 2 {
		t.Fatalf("a purge that deleted nothing added entries: %+v", pend)
	}
}

func TestZoneFilesAndDeletion(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	id1 := commitFile(t, d, rec("braintree", "a.csv", "s1"), row("E07000067", "p1", "2025-09-30", 2, "x"))
	id2 := commitFile(t, d, rec("braintree", "b.csv", "s2"), row("E07000067", "p2", "2025-09-30", 2, "x"))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.MarkDisposed(ctx, id1, DisposedProcessed, "a.csv", t0))
	must(d.MarkDisposed(ctx, id2, DisposedProcessed, "b.csv", t0.Add(48*time.Hour)))
	fs, err := d.ZoneFiles(ctx, "", DisposedProcessed, t0.Add(time.Hour))
	if err != nil || len(fs) != 1 || fs[0].ObjectID != id1 {
		t.Fatalf("expired files = %+v, %v", fs, err)
	}
	must(d.MarkFileDeleted(ctx, id1, t0))
	if fs, _ := d.ZoneFiles(ctx, "braintree", DisposedProcessed, time.Time{}); len(fs) != 1 || fs[0].ObjectID != id2 {
		t.Fatalf("files after deletion = %+v", fs)
	}
	if fs, _ := d.ZoneFiles(ctx, "", DisposedRejected, time.Time{}); len(fs) != 0 {
		t.Fatalf("rejected = %+v", fs)
	}
}

func TestIncidents(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	in := Incident{DetectedAt: t0, Partner: "braintree", Object: "a.csv", SHA256: "s1", Rule: "extra-label",
		NotifyPartnersDue: t0.Add(48 * time.Hour), ICODue: t0.Add(72 * time.Hour)}
	a, created, err := d.OpenIncident(ctx, in)
	if err != nil || !created || a.ID != "INC-2026-0001" {
		t.Fatalf("open = %+v %v %v", a, created, err)
	}
	again, created, err := d.OpenIncident(ctx, in)
	if err != nil || created || again.ID != a.ID {
		t.Fatalf("reopen = %+v %v %v", again, created, err)
	}
	in.Rule = "partner-mismatch"
	b, _, _ := d.OpenIncident(ctx, in)
	if b.ID != "INC-2026-0002" {
		t.Fatalf("second id = %s", b.ID)
	}
	if _, err := d.AckIncident(ctx, a.ID, IncidentAck{ICODecision: "maybe"}); err == nil {
		t.Fatal("a bad ICO decision was accepted")
	}
	got, err := d.AckIncident(ctx, a.ID, IncidentAck{PartnersNotified: t0.Add(time.Hour), Note: "phoned"})
	if err != nil || !got.PartnersNotified.Equal(t0.Add(time.Hour)) || got.ICODecision != "" {
		t.Fatalf("ack = %+v, %v", got, err)
	}
	got, err = d.AckIncident(ctx, a.ID, IncidentAck{ICODecision: ICONotRequired, ICOAt: t0.Add(2 * time.Hour), Note: "no risk"})
	if err != nil || got.Notes != "phoned\nno risk" || got.ICODecision != ICONotRequired || got.PartnersNotified.IsZero() {
		t.Fatalf("second ack = %+v, %v", got, err)
	}
	if _, err := d.CloseIncident(ctx, a.ID, t0.Add(3*time.Hour), "done"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CloseIncident(ctx, a.ID, t0.Add(3*time.Hour), "done"); err == nil {
		t.Fatal("closed twice")
	}
	if _, err := d.CloseIncident(ctx, "INC-2026-0099", t0, "x"); !errors.Is(err, ErrNoIncident) {
		t.Fatalf("unknown id: %v", err)
	}
	open, _ := d.Incidents(ctx, false)
	all, _ := d.Incidents(ctx, true)
	if len(open) != 1 || open[0].ID != b.ID || len(all) != 2 {
		t.Fatalf("open = %+v all = %d", open, len(all))
	}
	// A closed incident does not absorb a new breach of the same content.
	in.Rule = "extra-label"
	c, created, _ := d.OpenIncident(ctx, in)
	if !created || c.ID != "INC-2026-0003" {
		t.Fatalf("after close = %+v %v", c, created)
	}
}

func TestPendingEntriesCommitWithTheirChange(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	id := commitFile(t, d, rec("braintree", "a.csv", "s1"), row("E07000067", "p1", "2025-09-30", 2, "x"))
	if err := d.MarkDisposed(ctx, id, DisposedProcessed, "a.csv", t0); err != nil {
		t.Fatal(err)
	}
	if err := d.MarkFileErasing(ctx, id, "token-9"); err != nil {
		t.Fatal(err)
	}
	if fs, _ := d.ZoneFiles(ctx, "braintree", DisposedProcessed, time.Time{}); len(fs) != 1 || fs[0].Erasing != "token-9" {
		t.Fatalf("files = %+v", fs)
	}
	entry := Pending{Event: "erasure", Partner: "braintree", Object: "processed/a.csv",
		Data: map[string]any{"token": "token-9", "deleted": true, "sha256": "s1", "none": nil}}
	if err := d.MarkFileDeleted(ctx, id, t0, entry); err != nil {
		t.Fatal(err)
	}
	// A second mark of the same file adds nothing: the deletion is
	// recorded once.
	if err := d.MarkFileDeleted(ctx, id, t0, entry); err != nil {
		t.Fatal(err)
	}
	pend, err := d.PendingEntries(ctx)
	if err != nil || len(pend) != 1 {
		t.Fatalf("pending = %+v, %v", pend, err)
	}
	if p := pend[0]; p.Object != "processed/a.csv" || !reflect.DeepEqual(p.Data, entry.Data) {
		t.Fatalf("pending entry = %+v", p)
	}
	if fs, _ := d.ZoneFiles(ctx, "braintree", DisposedProcessed, time.Time{}); len(fs) != 0 {
		t.Fatalf("a deleted file is still listed: %+v", fs)
	}

	// A change that fails adds no entry.
	if _, err := d.PurgeCases(ctx, "2025-09-30", t0, func(map[string]int) []Pending {
		return []Pending{{Event: "purge", Data: map[string]any{"bad": func() {}}}}
	}); err == nil {
		t.Fatal("a purge with an entry that does not encode succeeded")
	}
	if rows := quarterRows(t, d, "2025Q3"); len(rows) != 1 {
		t.Fatalf("a failed purge deleted rows: %d left", len(rows))
	}
	if again, _ := d.PendingEntries(ctx); len(again) != 1 {
		t.Fatalf("a failed purge left entries: %+v", again)
	}

	// DonePending removes the entry and stores the head together.
	if err := d.DonePending(ctx, pend[0].ID, "head-1"); err != nil {
		t.Fatal(err)
	}
	if again, _ := d.PendingEntries(ctx); len(again) != 0 {
		t.Fatalf("pending after done = %+v", again)
	}
	if head, ok, _ := d.Meta(ctx, MetaAuditHead); !ok || head != "head-1" {
		t.Fatalf("head = %q %v", head, ok)
	}
	if err := d.DonePending(ctx, pend[0].ID, "head-2"); err != nil {
		t.Fatalf("done twice: %v", err)
	}
}
