package state

import (
	"context"
	"reflect"
	"testing"

	"landingd/transform"
)

// TestPendingReports follows two reports from the verdict to the zone:
// one whose file is moved but whose report is not yet written, and one
// whose file is not moved yet.
func TestPendingReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := openTest(t)
	a, err := d.RecordRejected(ctx, rec("braintree", "a.csv", "sa"), transform.Result{Verdict: transform.Rejected}, t0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.RecordRejected(ctx, rec("braintree", "b.csv", "sb"), transform.Result{Verdict: transform.Rejected}, t0)
	if err != nil {
		t.Fatal(err)
	}
	h, err := d.RecordRejected(ctx, rec("harlow", "h.csv", "sh"), transform.Result{Verdict: transform.Rejected}, t0)
	if err != nil {
		t.Fatal(err)
	}
	for id, text := range map[int64]string{a: "report a", b: "report b", h: "report h"} {
		if err := d.SaveReport(ctx, id, []byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	unwritten := func(partner string) []string {
		t.Helper()
		obs, err := d.UnwrittenReports(ctx, partner)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range obs {
			out = append(out, o.DisposedTo+"/"+o.DisposedName)
		}
		return out
	}
	// Not moved yet: no report is due in a folder.
	if got := unwritten("braintree"); got != nil {
		t.Fatalf("unwritten before any move = %v, want none", got)
	}
	if err := d.MarkDisposed(ctx, a, DisposedRejected, "a.csv", t0); err != nil {
		t.Fatal(err)
	}
	if err := d.MarkDisposed(ctx, h, DisposedRejected, "h.csv", t0); err != nil {
		t.Fatal(err)
	}
	if got, want := unwritten("braintree"), []string{"rejected/a.csv"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("unwritten = %v, want %v", got, want)
	}
	if got, ok, err := d.PendingReport(ctx, a); err != nil || !ok || string(got) != "report a" {
		t.Fatalf("PendingReport(a) = %q, %v, %v", got, ok, err)
	}
	if err := d.ReportWritten(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := d.PendingReport(ctx, a); err != nil || ok {
		t.Fatalf("PendingReport(a) after it was written = %q, %v, %v; want none", got, ok, err)
	}
	if got := unwritten("braintree"); got != nil {
		t.Fatalf("unwritten after the write = %v, want none", got)
	}
	// Filed under no name: nowhere to write it.
	if err := d.MarkDisposed(ctx, b, DisposedReplaced, "", t0); err != nil {
		t.Fatal(err)
	}
	if got := unwritten("braintree"); got != nil {
		t.Fatalf("unwritten after a replacement = %v, want none", got)
	}
	if got, want := unwritten("harlow"), []string{"rejected/h.csv"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("harlow's unwritten = %v, want %v", got, want)
	}
}
