package publish

import (
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"landingd/ingest/state"
	"landingd/transform"
)

// Rows judged under an older field list are published by field name: a
// field the old list lacked is blank, and one the new list dropped is gone.
func TestQuarterRemapsRowsFromAnOlderFieldList(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	// Version 0.8.0 had no num_dependent_children, an extra field since
	// dropped, and another order.
	old := []string{"case_ref", "la_code", "quarter_end_date", "dropped_field", "reasonloss", "note", "ta_out_of_area"}
	if err := fx.db.RecordFieldList(ctx, "0.8.0", old); err != nil {
		t.Fatal(err)
	}
	ft, err := fx.db.BeginFile(ctx, state.FileRecord{RunID: "r0", Partner: "harlow", Name: "old.csv", SHA256: "ee55",
		ReceivedAt: genAt, SchemaVersion: "0.8.0", QuarterHint: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	defer ft.Rollback()
	if err := ft.Put(ctx, transform.Row{LACode: "E07000073", Pseudonym: "p-h1", QuarterEndDate: "2025-12-31", Quarter: "2025Q4",
		SourceRow: 2, Values: []string{"p-h1", "E07000073", "2025-12-31", "gone", "da_victim", "kept note", "true"}}); err != nil {
		t.Fatal(err)
	}
	if err := ft.Commit(ctx, transform.Result{Verdict: transform.Accepted, Rows: transform.Counts{Read: 1, Accepted: 1}}, genAt); err != nil {
		t.Fatal(err)
	}
	if err := Quarter(ctx, fx.out, fx.s, fx.db, "2025Q4", testMeta()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(fx.read(t, "2025Q4/combined.csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		if r[0] == "E07000073" {
			got = r
		}
	}
	want := []string{"E07000073", "2025-12-31", "p-h1", "da_victim", "", "true", "kept note"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("old row published as %q, want %q", got, want)
	}
	if strings.Contains(string(fx.read(t, "2025Q4/combined.csv")), "gone") {
		t.Error("a field the current list dropped was published")
	}
}

func TestRecordFieldListRefusesAChangeWithoutANewVersion(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	if err := fx.db.RecordFieldList(ctx, "1.0.0", []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	if err := fx.db.RecordFieldList(ctx, "1.0.0", []string{"a", "b"}); err != nil {
		t.Fatalf("recording the same list again: %v", err)
	}
	err := fx.db.RecordFieldList(ctx, "1.0.0", []string{"a", "b", "c"})
	if !errors.Is(err, state.ErrFieldListChanged) {
		t.Fatalf("a changed list under the same version: %v", err)
	}
}
