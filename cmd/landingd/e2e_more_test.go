package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"landingd/internal/testtier"
	"landingd/transform"
	"landingd/transform/synth"
)

func TestE2EKeepDispositionLeavesFilesAndTakesThemOnce(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "colchester")
	b, err := os.ReadFile(l.protocol)
	must(t, err)
	must(t, os.WriteFile(l.protocol, []byte(strings.Replace(string(b), "landing: {kind: local", "disposition: keep, landing: {kind: local", 1)), 0o644))
	l.drop(t, "colchester", "c.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 40, Seed: 8})
	first := l.run(t)
	if first.code != 0 || !strings.Contains(first.stderr, `"msg":"file judged"`) {
		t.Fatalf("first run: %d\n%s", first.code, first.stderr)
	}
	if _, err := os.Stat(filepath.Join(l.dir, "landing", "colchester", "c.csv")); err != nil {
		t.Fatalf("disposition keep moved the file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(l.dir, "landing", "colchester", "processed")); err == nil {
		t.Error("disposition keep created processed/")
	}
	second := l.run(t)
	if second.code != 0 || strings.Contains(second.stderr, `"msg":"file judged"`) {
		t.Fatalf("second run judged the kept file again: %d\n%s", second.code, second.stderr)
	}
}

func TestE2EAcceptedFileWithDroppedRowsGetsAReport(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "basildon")
	l.drop(t, "basildon", "b.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 80, Seed: 6, BadRows: 2})
	r := l.run(t)
	if r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	rep, err := os.ReadFile(filepath.Join(l.dir, "landing", "basildon", "processed", "b.csv.report.txt"))
	if err != nil {
		t.Fatalf("no report beside an accepted file with dropped rows: %v", err)
	}
	for _, want := range []string{"ACCEPTED", "out of scope", "constraint-error"} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("the report lacks %q:\n%s", want, rep)
		}
	}
	l.checkNoRawCaseRefs(t, r)
}

func TestE2EDemo(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	dir := t.TempDir()
	r := runBin(t, dir, "demo", "--dir", "d", "--rows", "60")
	if r.code != 0 {
		t.Fatalf("demo: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	out := filepath.Join(dir, "d", "out")
	// Every quarter in the data has its three outputs: the backfill's and
	// the last completed quarter's.
	want := []string{"2021Q2", "2022Q4", "2023Q3"}
	entries, err := os.ReadDir(out)
	must(t, err)
	last := entries[len(entries)-1].Name()
	if _, _, err := transform.ParseQuarter(last); err != nil || last <= "2023Q3" {
		t.Fatalf("the newest output quarter is %q, want the last completed quarter", last)
	}
	want = append(want, last)
	for _, q := range want {
		for _, f := range []string{"combined.csv", "combined.xlsx", "manifest.json"} {
			if _, err := os.Stat(filepath.Join(out, q, f)); err != nil {
				t.Errorf("demo output %s/%s: %v", q, f, err)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "d", "landing", "harlow", "rejected")); err != nil {
		t.Errorf("the demo's file with an extra column was not rejected: %v", err)
	}
	for _, path := range []string{"combined.csv", "manifest.json"} {
		if !strings.Contains(r.stdout, filepath.Join(q(last), path)) {
			t.Errorf("the demo does not print the path of %s", path)
		}
	}
	// The example protocol ran in its own lane: its outputs, and the
	// register of both, are printed.
	exLast := transform.LastCompletedQuarter(time.Now())
	for _, want := range []string{
		filepath.Join("safeguarding-adults", "out", exLast, "combined.csv"),
		filepath.Join("safeguarding-adults", "out", transform.PrevQuarter(exLast), "manifest.json"),
		"The register of both protocols: " + filepath.Join("d", "register.html"),
		"landingd serve --config " + filepath.Join("d", "protocol.yaml") + " --config " + filepath.Join("d", "safeguarding-adults.yaml"),
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the demo does not print %q:\n%s", want, r.stdout)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "d", "register.html"))
	must(t, err)
	for _, want := range []string{`data-protocol="da-needs-assessment"`, `data-protocol="safeguarding-adults"`, "Health and Wellbeing", "Safer Community"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("register.html lacks %q", want)
		}
	}
	again := runBin(t, dir, "demo", "--dir", "d")
	if again.code != 0 || !strings.Contains(again.stdout, "Nothing new was ingested") {
		t.Fatalf("second demo: %d\n%s", again.code, again.stdout)
	}
	assertNoRawCaseRefs(t, filepath.Join(dir, "d", "state"), nil)
	assertNoRawCaseRefs(t, out, nil)
	if rawCaseRef.MatchString(r.stdout + r.stderr + again.stdout + again.stderr) {
		t.Error("the demo printed a raw case_ref")
	}
}

// q joins a quarter folder for path matching.
func q(quarter string) string { return filepath.Join("out", quarter) }
