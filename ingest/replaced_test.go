package ingest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"landingd/ingest/state"
	"landingd/transform"
	"landingd/transform/synth"
)

// A file the district replaces after it was read and committed is not
// filed: the new version, never read, stays at the top level and is
// judged by the next cycle.
func TestFileReplacedAfterReadStaysForNextCycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDutyLab(t, "basildon")
	l.set(utc("2026-01-08 06:00"))
	l.drop(t, "basildon", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 20, DAShare: 1})
	r := l.open(t)
	r.AfterCommit = func(partner, object string) {
		l.drop(t, "basildon", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 30, DAShare: 1, Seed: 8})
	}
	sum := cycle(t, r)
	if sum.Failed() {
		t.Fatalf("cycle failed: %+v", sum)
	}
	if got := l.zoneFiles(t, "basildon", ""); !slices.Equal(got, []string{"q4.csv"}) {
		t.Errorf("top level = %v, want the new q4.csv left there", got)
	}
	if got := l.zoneFiles(t, "basildon", "processed"); len(got) != 0 {
		t.Errorf("processed/ = %v, want nothing filed", got)
	}
	if f := sum.Partners[0].Files; len(f) != 1 || f[0].Verdict != transform.Accepted || f[0].DisposedTo != "" {
		t.Errorf("files = %+v, want the version read accepted and not disposed anywhere", f)
	}
	first, err := r.DB.GetObject(ctx, 1)
	must(t, err)
	if first.DisposedTo != state.DisposedReplaced {
		t.Errorf("ledger: disposed to %q, want %q", first.DisposedTo, state.DisposedReplaced)
	}

	r.AfterCommit = nil
	l.set(utc("2026-01-09 06:00"))
	sum = cycle(t, r)
	if f := sum.Partners[0].Files; len(f) != 1 || f[0].Rows.Read != 30 || f[0].DisposedTo != "processed/q4.csv" {
		t.Errorf("next cycle's files = %+v, want the new version (30 rows) judged and filed", f)
	}
	if got := l.zoneFiles(t, "basildon", ""); len(got) != 0 {
		t.Errorf("top level after the next cycle = %v, want empty", got)
	}
}

// A file committed by a cycle that died before moving it, and replaced
// since, is not filed by the next cycle's finishing of dispositions: the
// new version is judged as a new file.
func TestInterruptedDispositionOfReplacedFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDutyLab(t, "basildon")
	l.set(utc("2026-01-08 06:00"))
	l.drop(t, "basildon", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 12, DAShare: 1})
	p, _ := l.cfg.Partner("basildon")
	fi, err := os.Stat(filepath.Join(p.Landing.Local.Path, "q4.csv"))
	must(t, err)
	r := l.open(t)
	// The died cycle read a 5-byte-shorter version an hour earlier.
	tx, err := r.DB.BeginFile(ctx, state.FileRecord{RunID: "died", Partner: "basildon", Name: "q4.csv", SHA256: "feed",
		Size: fi.Size() - 5, ModTime: fi.ModTime().Add(-3600e9), ReceivedAt: l.clock(), SchemaVersion: r.Schema.Version, QuarterHint: "2025Q4"})
	must(t, err)
	must(t, tx.Commit(ctx, transform.Result{Verdict: transform.Accepted}, l.clock()))

	sum := cycle(t, r)
	died, err := r.DB.GetObject(ctx, tx.ObjectID())
	must(t, err)
	if died.DisposedTo != state.DisposedReplaced {
		t.Errorf("the died cycle's file: disposed to %q, want %q", died.DisposedTo, state.DisposedReplaced)
	}
	if f := sum.Partners[0].Files; len(f) != 1 || f[0].Rows.Read != 12 || f[0].DisposedTo != "processed/q4.csv" {
		t.Errorf("files = %+v, want the file now there judged (12 rows) and filed", f)
	}
}
