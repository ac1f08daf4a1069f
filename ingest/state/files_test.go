package state

import (
	"context"
	"testing"
	"time"
)

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
