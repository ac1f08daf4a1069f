package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"landingd/ingest/state"
	"landingd/transform"
	"landingd/transform/synth"
)

// Rows of a restricted case that reach the store without a cycle's
// publish (a run that died after its commit) stay out of the outputs that
// whichever command publishes next writes: here an erasure of another
// case.
func TestRestrictedRowsStayOutWhoeverPublishes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDutyLab(t, "basildon")
	l.set(utc("2026-01-08 06:00"))
	l.drop(t, "basildon", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 20, DAShare: 1})
	r := l.open(t)
	cycle(t, r)
	d, _ := synth.DistrictByID("basildon")
	held := synth.CaseRef(d, 1)
	if _, err := r.Duties().Restrict(ctx, "basildon", held, "objection 1", true); err != nil {
		t.Fatal(err)
	}
	pseudonym := r.Pseudo.Pseudonym(d.GSS, held)

	// The case comes again for 2026Q1 and is committed, but the cycle that
	// committed it died before publishing.
	tx, err := r.DB.BeginFile(ctx, state.FileRecord{RunID: "died", Partner: "basildon", Name: "q1.csv", SHA256: "feed",
		ReceivedAt: l.clock(), SchemaVersion: r.Schema.Version, QuarterHint: "2025Q4"})
	must(t, err)
	vals := make([]string, len(r.Schema.Fields))
	vals[r.Schema.Index("la_code")], vals[r.Schema.Index("quarter_end_date")] = d.GSS, "2026-03-31"
	vals[r.Schema.Index("case_ref")], vals[r.Schema.Index("reasonloss")] = pseudonym, "da_victim"
	must(t, tx.Put(ctx, transform.Row{LACode: d.GSS, Pseudonym: pseudonym, QuarterEndDate: "2026-03-31",
		Quarter: "2026Q1", SourceRow: 2, Values: vals}))
	must(t, tx.Commit(ctx, transform.Result{Verdict: transform.Accepted, Rows: transform.Counts{Read: 1, Accepted: 1}}, l.clock()))

	// An erasure of another case is the next thing to publish.
	if _, err := r.Duties().Erase(ctx, "basildon", synth.CaseRef(d, 2), "SAR-1"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"2025Q4", "2026Q1"} {
		b, err := os.ReadFile(filepath.Join(l.cfg.Output.Local.Path, q, "combined.csv"))
		if err != nil && q == "2025Q4" {
			t.Fatal(err)
		}
		if strings.Contains(string(b), pseudonym) {
			t.Errorf("%s/combined.csv holds the restricted case", q)
		}
	}
}
