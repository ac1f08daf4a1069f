package state

import (
	"context"
	"reflect"
	"testing"
	"time"
)

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
