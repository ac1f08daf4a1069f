package ingest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"landingd/storage"
	"landingd/transform"
	"landingd/transform/synth"
)

// Names never block a zone: a name with ".." in it is taken; a name no
// zone may use is refused on its own, once, with a report under a safe
// name, and the partner's other files are still taken; a name close to
// the file systems' 255 bytes is taken, moved again when re-sent, and
// gets its report under a shortened name.
func TestNamesNeverBlockAZone(t *testing.T) {
	ctx := context.Background()
	l := newDutyLab(t, "basildon")
	l.set(utc("2026-01-08 06:00"))
	long := strings.Repeat("b", 246) + ".csv"
	spec := synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, DAShare: 0.5}
	l.drop(t, "basildon", "basildon..Q4.csv", spec)
	l.drop(t, "basildon", `back\slash.csv`, spec)
	l.dropAs(t, "basildon", long, synth.Spec{Quarters: []string{"2025Q3"}, Rows: 10, DAShare: 0.5, Seed: 9})
	r := l.open(t)

	sum := cycle(t, r)
	if sum.Failed() {
		t.Fatalf("cycle failed: %+v", sum.Partners)
	}
	verdicts := map[string]string{}
	for _, f := range sum.Partners[0].Files {
		verdicts[f.Object] = string(f.Verdict)
	}
	want := map[string]string{"basildon..Q4.csv": "accepted", `back\slash.csv`: "rejected", long: "accepted"}
	for n, v := range want {
		if verdicts[n] != v {
			t.Errorf("verdict of %.20q… = %q, want %q", n, verdicts[n], v)
		}
	}
	if got := l.zoneFiles(t, "basildon", ""); !slices.Equal(got, []string{`back\slash.csv`}) {
		t.Errorf("top level = %v, want only the refused name left", got)
	}
	rejected := l.zoneFiles(t, "basildon", "rejected")
	if len(rejected) != 1 || rejected[0] != storage.RefusedReportName(`back\slash.csv`) {
		t.Fatalf("rejected/ = %v", rejected)
	}
	p, _ := l.cfg.Partner("basildon")
	report, err := os.ReadFile(filepath.Join(p.Landing.Local.Path, "rejected", rejected[0]))
	must(t, err)
	if !strings.Contains(string(report), `back\\slash.csv`) || !strings.Contains(string(report), RuleUnsafeName) {
		t.Errorf("report:\n%s", report)
	}
	processed := l.zoneFiles(t, "basildon", "processed")
	if !slices.Contains(processed, long) || !slices.Contains(processed, storage.ReportName(long)) ||
		!slices.Contains(processed, "basildon..Q4.csv.report.txt") {
		t.Errorf("processed/ = %v", processed)
	}

	// The refused file is not reported again; the long name re-sent with
	// new content is taken and moved beside the first.
	l.dropAs(t, "basildon", long, synth.Spec{Quarters: []string{"2025Q3"}, Rows: 12, DAShare: 0.5, Seed: 10})
	l.set(utc("2026-01-09 06:00"))
	sum = cycle(t, r)
	if sum.Failed() {
		t.Fatalf("second cycle failed: %+v", sum.Partners)
	}
	if f := sum.Partners[0].Files; len(f) != 1 || f[0].Object != long || f[0].Verdict != transform.Accepted || f[0].DisposedTo == "" {
		t.Errorf("second cycle's files = %+v", f)
	}
	for _, n := range l.zoneFiles(t, "basildon", "processed") {
		if len(n) > storage.MaxNameBytes {
			t.Errorf("processed/ holds a %d-byte name", len(n))
		}
	}
	if got := l.zoneFiles(t, "basildon", "processed"); len(got) != 6 {
		t.Errorf("processed/ = %d files, want 3 files and their 3 reports", len(got))
	}
	objs, err := r.DB.RejectedInRun(ctx, sum.RunID)
	must(t, err)
	if len(objs) != 0 {
		t.Errorf("the refused name was reported again: %+v", objs)
	}
}

// dropAs drops a file under a short name and renames it to name, which
// may be too long for the generator's temporary name.
func (l *dutyLab) dropAs(t *testing.T, partner, name string, spec synth.Spec) {
	t.Helper()
	l.drop(t, partner, ".short.csv", spec)
	p, _ := l.cfg.Partner(partner)
	must(t, os.Rename(filepath.Join(p.Landing.Local.Path, ".short.csv"), filepath.Join(p.Landing.Local.Path, name)))
}

// A refused name whose report cannot be written fails the partner with an
// error that names the file as it is: it is escaped once, where it is
// shown (the log handler, the summary, status), not here as well.
func TestRefusedNameReportFaultNamesTheFileOnce(t *testing.T) {
	l := newDutyLab(t, "basildon")
	l.set(utc("2026-01-08 06:00"))
	l.drop(t, "basildon", `back\slash.csv`, synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, DAShare: 0.5})
	p, _ := l.cfg.Partner("basildon")
	// A file where the rejected folder should be: the report's write fails.
	rejected := filepath.Join(p.Landing.Local.Path, "rejected")
	must(t, os.RemoveAll(rejected))
	must(t, os.WriteFile(rejected, nil, 0o600))
	r := l.open(t)

	sum := cycle(t, r)
	err := sum.Partners[0].Err
	if err == nil {
		t.Fatalf("cycle over an unwritable rejected folder: %+v, want the partner failed", sum.Partners[0])
	}
	if want := `write report for back\slash.csv: `; !strings.Contains(err.Error(), want) {
		t.Errorf("partner's error = %q, want it to hold %q", err, want)
	}
}
