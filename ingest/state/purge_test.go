package state

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
)

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
