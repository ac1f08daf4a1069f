package state

import (
	"context"
	"testing"
)

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
