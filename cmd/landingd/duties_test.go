package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"landingd/ingest/audit/audittest"
	"landingd/internal/testtier"
	"landingd/transform"
	"landingd/transform/synth"
)

// duty runs a duty command against the lab's protocol.
func (l *lab) duty(t *testing.T, args ...string) result {
	t.Helper()
	// Two-word commands take their id before the flags.
	return runBin(t, l.dir, append(args, "--config", l.protocol)...)
}

// inScopeCases returns the raw case_refs of the in-scope (domestic abuse)
// rows of a district's source file, in file order.
func inScopeCases(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	rows := csvRows(t, b)
	ref, reason := indexOf(rows[0], "case_ref"), indexOf(rows[0], "reasonloss")
	var out []string
	for _, r := range rows[1:] {
		for _, c := range synth.DACodes {
			if r[reason] == c {
				out = append(out, r[ref])
			}
		}
	}
	return out
}

// commonCase returns the first case in scope in every file.
func commonCase(t *testing.T, paths ...string) string {
	t.Helper()
	count := map[string]int{}
	for _, p := range paths {
		for _, c := range inScopeCases(t, p) {
			count[c]++
		}
	}
	for _, c := range inScopeCases(t, paths[0]) {
		if count[c] == len(paths) {
			return c
		}
	}
	t.Fatalf("no case is in scope in all of %v", paths)
	return ""
}

func (l *lab) pseudonym(t *testing.T, partner, caseRef string) string {
	t.Helper()
	p, _, err := transform.ReadKeyFile(l.keySource)
	must(t, err)
	d, _ := synth.DistrictByID(partner)
	return p.Pseudonym(d.GSS, caseRef)
}

// filesHolding lists the files under root whose bytes contain s.
func filesHolding(t *testing.T, root, s string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(s)) {
			rel, _ := filepath.Rel(root, path)
			out = append(out, rel)
		}
		return nil
	})
	must(t, err)
	return out
}

func TestE2EAuditVerifyCatchesTampering(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "braintree")
	l.drop(t, "braintree", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 30, Seed: 4})
	if r := l.run(t); r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	if r := l.run(t); r.code != 0 {
		t.Fatalf("second run: %d %s", r.code, r.stderr)
	}
	whole := l.duty(t, "audit", "verify")
	if whole.code != 0 || !strings.Contains(whole.stdout, "whole") {
		t.Fatalf("verify of an untouched trail: %d\n%s%s", whole.code, whole.stdout, whole.stderr)
	}
	logPath := filepath.Join(l.dir, "state", "audit.jsonl")
	orig, err := os.ReadFile(logPath)
	must(t, err)
	if want := fmt.Sprintf("whole: %d entries,", strings.Count(string(orig), "\n")); !strings.Contains(whole.stdout, want) {
		t.Fatalf("verify of an untouched trail says %q, want %q", whole.stdout, want)
	}
	lines := strings.SplitAfter(string(orig), "\n")
	lines = lines[:len(lines)-1] // the empty string after the last newline
	if len(lines) < 8 {
		t.Fatalf("only %d audit lines", len(lines))
	}
	join := func(ls []string) []byte { return []byte(strings.Join(ls, "")) }
	edited := append([]string(nil), lines...)
	edited[3] = strings.Replace(edited[3], `"event":"`, `"event":"x`, 1)
	swapped := append([]string(nil), lines...)
	swapped[4], swapped[5] = swapped[5], swapped[4]
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"edited line", join(edited), "audit.jsonl line 4 (seq 4)"},
		{"deleted line", join(append(append([]string(nil), lines[:2]...), lines[3:]...)), "audit.jsonl line 3"},
		{"reordered lines", join(swapped), "audit.jsonl line 5"},
		{"last entries cut", join(lines[:len(lines)-2]), "truncated"},
		{"last line cut short", []byte(strings.Join(lines, "")[:len(orig)-10]), "truncated"},
	}
	for _, tt := range tests {
		must(t, os.WriteFile(logPath, tt.data, 0o600))
		r := l.duty(t, "audit", "verify")
		if r.code != 1 || !strings.Contains(r.stdout, "first bad entry: ") || !strings.Contains(r.stdout, tt.want) {
			t.Errorf("%s: exit %d, want 1 naming %q:\n%s%s", tt.name, r.code, tt.want, r.stdout, r.stderr)
		}
	}
	must(t, os.WriteFile(logPath, orig, 0o600))
	if r := l.duty(t, "audit", "verify"); r.code != 0 {
		t.Fatalf("verify after restoring: %d %s", r.code, r.stdout)
	}

	// show prints every entry, as text or JSON, from a date on.
	r := l.duty(t, "audit", "show", "--json")
	if r.code != 0 || strings.Count(r.stdout, "\n") != len(lines) {
		t.Fatalf("show --json: %d, %d lines of %d", r.code, strings.Count(r.stdout, "\n"), len(lines))
	}
	var first map[string]any
	must(t, json.Unmarshal([]byte(strings.SplitN(r.stdout, "\n", 2)[0]), &first))
	if first["event"] != "cycle.start" || first["seq"] != float64(1) {
		t.Fatalf("first entry = %v", first)
	}
	if r := l.duty(t, "audit", "show", "--since", "2999-01-01"); r.code != 0 || r.stdout != "" {
		t.Fatalf("show --since the future: %d %q", r.code, r.stdout)
	}
	if r := l.duty(t, "audit", "show"); r.code != 0 || !strings.Contains(r.stdout, "file.verdict") {
		t.Fatalf("show: %d %s", r.code, r.stdout)
	}

	// A line cut short by a crash is repaired, and recorded.
	must(t, os.WriteFile(logPath, append(append([]byte(nil), orig...), `{"seq":99,"ti`...), 0o600))
	if r := l.run(t); r.code == 0 {
		t.Fatal("a run went on with a damaged audit trail")
	}
	if r := l.duty(t, "audit", "repair"); r.code != 0 || !strings.Contains(r.stdout, "Cut") {
		t.Fatalf("repair: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := l.duty(t, "audit", "verify"); r.code != 0 {
		t.Fatalf("verify after repair: %d %s", r.code, r.stdout)
	}
}

func TestE2EErasure(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "braintree", "basildon")
	q3 := l.drop(t, "braintree", "braintree_2025Q3.csv", synth.Spec{Quarters: []string{"2025Q3"}, Rows: 60, Seed: 11})
	q4 := l.drop(t, "braintree", "braintree_2025Q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 60, Seed: 11})
	l.drop(t, "basildon", "basildon_2025Q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 60, Seed: 11})
	// The 2026Q1 file is written now (to pick a case it carries) and
	// dropped after the erasure.
	later := filepath.Join(t.TempDir(), "braintree_2026Q1.csv")
	d, _ := synth.DistrictByID("braintree")
	must(t, synth.WriteFile(later, l.schema, synth.Spec{District: d, Quarters: []string{"2026Q1"}, Rows: 60, Seed: 11}))
	ref := commonCase(t, q3, q4, later)
	ps := l.pseudonym(t, "braintree", ref)
	if r := l.run(t); r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	out := filepath.Join(l.dir, "out")
	processed := filepath.Join(l.dir, "landing", "braintree", "processed")
	if got := filesHolding(t, out, ps); len(got) < 2 {
		t.Fatalf("the case should be in the outputs first: %v", got)
	}
	if got := filesHolding(t, processed, ref); len(got) == 0 {
		t.Fatal("the case should be in processed/ first")
	}

	r := l.duty(t, "erase", "--partner", "braintree", "--case-ref", ref, "--reason", "SAR-2026-014")
	if r.code != 0 {
		t.Fatalf("erase: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := filesHolding(t, out, ps); len(got) != 0 {
		t.Errorf("outputs still hold the erased case: %v", got)
	}
	if got := filesHolding(t, processed, ref); len(got) != 0 {
		t.Errorf("processed/ still holds the erased case: %v", got)
	}
	if _, err := os.Stat(filepath.Join(l.dir, "landing", "basildon", "processed", "basildon_2025Q4.csv")); err != nil {
		t.Errorf("another district's file was deleted: %v", err)
	}
	if _, ok := l.outputs(t)["2025Q4/combined.csv"]; !ok {
		t.Error("the other cases' outputs are gone")
	}
	state := filepath.Join(l.dir, "state")
	for _, n := range []string{"landingd.db", "landingd.db-wal", "landingd.db-shm"} {
		b, err := os.ReadFile(filepath.Join(state, n))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		must(t, err)
		if bytes.Contains(b, []byte(ps)) {
			t.Errorf("%s still holds the pseudonym", n)
		}
	}
	if got := filesHolding(t, state, ps); len(got) != 0 {
		t.Errorf("state files hold the pseudonym: %v", got)
	}
	if !strings.Contains(r.stdout, "files deleted") || !strings.Contains(r.stdout, "processed/") {
		t.Errorf("erase output:\n%s", r.stdout)
	}

	// A second call says so and succeeds.
	r2 := l.duty(t, "erase", "--partner", "braintree", "--case-ref", ref, "--reason", "SAR-2026-014")
	if r2.code != 0 || !strings.Contains(r2.stdout, "erased before") {
		t.Fatalf("second erase: %d\n%s%s", r2.code, r2.stdout, r2.stderr)
	}

	// The district sends the case again: it is dropped, and the report
	// tells the district to erase it at source.
	b, err := os.ReadFile(later)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(l.dir, "landing", "braintree", "braintree_2026Q1.csv"), b, 0o644))
	r3 := l.run(t)
	if r3.code != 0 {
		t.Fatalf("run: %d %s", r3.code, r3.stderr)
	}
	if got := filesHolding(t, out, ps); len(got) != 0 {
		t.Errorf("a later file brought the erased case back: %v", got)
	}
	if got := filesHolding(t, state, ps); len(got) != 0 {
		t.Errorf("a later file brought the erased case back into the state: %v", got)
	}
	report, err := os.ReadFile(filepath.Join(processed, "braintree_2026Q1.csv.report.txt"))
	must(t, err)
	if !bytes.Contains(report, []byte("erase")) {
		t.Errorf("the report does not ask the district to erase the case:\n%s", report)
	}
	if r := l.duty(t, "audit", "verify"); r.code != 0 {
		t.Fatalf("audit verify: %d %s", r.code, r.stdout)
	}
	show := l.duty(t, "audit", "show", "--json")
	if !strings.Contains(show.stdout, `"event":"erasure"`) || !strings.Contains(show.stdout, "SAR-2026-014") {
		t.Errorf("the erasure is not in the audit trail")
	}
	l.checkNoRawCaseRefs(t, r, r2, r3, show)
}

func TestE2ERestrictionAndExport(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "braintree")
	q3 := l.drop(t, "braintree", "braintree_2025Q3.csv", synth.Spec{Quarters: []string{"2025Q3"}, Rows: 60, Seed: 12})
	// The 2025Q4 file comes later; it is written now to pick a case it
	// carries too.
	later := filepath.Join(t.TempDir(), "braintree_2025Q4.csv")
	d, _ := synth.DistrictByID("braintree")
	must(t, synth.WriteFile(later, l.schema, synth.Spec{District: d, Quarters: []string{"2025Q4"}, Rows: 60, Seed: 12}))
	ref := commonCase(t, q3, later)
	ps := l.pseudonym(t, "braintree", ref)
	if r := l.run(t); r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	out := filepath.Join(l.dir, "out")
	before := l.outputs(t)["2025Q3/combined.csv"]
	if !bytes.Contains(before, []byte(ps)) {
		t.Fatal("the case should be in the output first")
	}
	r := l.duty(t, "restrict", "--partner", "braintree", "--case-ref", ref, "--reason", "objection 7")
	if r.code != 0 || !strings.Contains(r.stdout, "Restricted") {
		t.Fatalf("restrict: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := filesHolding(t, out, ps); len(got) != 0 {
		t.Fatalf("outputs hold the restricted case: %v", got)
	}
	// The next quarter's file brings the case again: it stays out.
	b, err := os.ReadFile(later)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(l.dir, "landing", "braintree", "braintree_2025Q4.csv"), b, 0o644))
	if r := l.run(t); r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	if got := filesHolding(t, out, ps); len(got) != 0 {
		t.Fatalf("a later file showed the restricted case: %v", got)
	}

	// export-case shows every row held, restricted or not, by pseudonym.
	ex := l.duty(t, "export-case", "--partner", "braintree", "--case-ref", ref)
	if ex.code != 0 {
		t.Fatalf("export-case: %d %s", ex.code, ex.stderr)
	}
	var got struct {
		Pseudonym string `json:"pseudonym"`
		Rows      []struct {
			Quarter    string            `json:"quarter"`
			Restricted bool              `json:"restricted"`
			Values     map[string]string `json:"values"`
			SourceFile string            `json:"source_file"`
			SourceRow  int               `json:"source_row"`
			SHA        string            `json:"source_sha256"`
		} `json:"rows"`
	}
	must(t, json.Unmarshal([]byte(ex.stdout), &got))
	if got.Pseudonym != ps || len(got.Rows) == 0 {
		t.Fatalf("export = %s", ex.stdout)
	}
	for _, row := range got.Rows {
		if !row.Restricted || row.SourceFile == "" || row.SourceRow < 2 || len(row.SHA) != 64 || row.Values["case_ref"] != ps || row.Values["reasonloss"] == "" {
			t.Errorf("exported row = %+v", row)
		}
	}
	exCSV := l.duty(t, "export-case", "--partner", "braintree", "--case-ref", ref, "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(exCSV.stdout)).ReadAll()
	if exCSV.code != 0 || err != nil || len(recs) != len(got.Rows)+1 || recs[0][0] != "quarter" {
		t.Fatalf("export csv: %d %v\n%s", exCSV.code, err, exCSV.stdout)
	}

	un := l.duty(t, "unrestrict", "--partner", "braintree", "--case-ref", ref, "--reason", "objection 7 withdrawn")
	if un.code != 0 {
		t.Fatalf("unrestrict: %d %s", un.code, un.stderr)
	}
	outs := l.outputs(t)
	if !bytes.Equal(outs["2025Q3/combined.csv"], before) {
		t.Error("lifting the restriction did not bring back the same 2025Q3 output")
	}
	if !bytes.Contains(outs["2025Q4/combined.csv"], []byte(ps)) {
		t.Error("lifting the restriction did not bring back the 2025Q4 row")
	}
	if r := l.duty(t, "audit", "verify"); r.code != 0 {
		t.Fatalf("audit verify: %d %s", r.code, r.stdout)
	}
	l.checkNoRawCaseRefs(t, r, ex, exCSV, un)
}

func TestE2EIncidentsAndPurge(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "harlow", "braintree")
	l.drop(t, "harlow", "harlow.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 20, Seed: 9, Extra: []string{"nino"}})
	// Rows of a quarter that ended more than seven years ago are taken,
	// then purged by the cycle's own retention.
	l.drop(t, "braintree", "old.csv", synth.Spec{Quarters: []string{"2018Q3"}, Rows: 20, Seed: 9})
	run := l.run(t)
	if run.code != 0 {
		t.Fatalf("run: %d %s", run.code, run.stderr)
	}
	if _, ok := l.outputs(t)["2018Q3/combined.csv"]; ok {
		t.Error("an expired quarter was published and kept")
	}
	show := l.duty(t, "audit", "show")
	if !strings.Contains(show.stdout, "purge") || !strings.Contains(show.stdout, "incident.open") {
		t.Errorf("the purge and the incident are not in the audit trail:\n%s", show.stdout)
	}
	if r := l.duty(t, "purge", "--dry-run"); r.code != 0 || !strings.Contains(r.stdout, "Nothing has passed") {
		t.Errorf("purge --dry-run after the cycle's purge: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	list := l.duty(t, "incidents")
	if list.code != 0 || !strings.Contains(list.stdout, "INC-") || !strings.Contains(list.stdout, "extra-label") || !strings.Contains(list.stdout, "left") {
		t.Fatalf("incidents: %d\n%s%s", list.code, list.stdout, list.stderr)
	}
	var ins []struct {
		ID  string `json:"id"`
		ICO string `json:"ico_left"`
	}
	js := l.duty(t, "incidents", "--json")
	must(t, json.Unmarshal([]byte(js.stdout), &ins))
	if len(ins) != 1 {
		t.Fatalf("incidents --json = %s", js.stdout)
	}
	id := ins[0].ID
	if r := runBin(t, l.dir, "incidents", "ack", id, "--config", l.protocol, "--partners-notified", "now", "--note", "DPOs emailed"); r.code != 0 {
		t.Fatalf("ack: %d %s", r.code, r.stderr)
	}
	if r := runBin(t, l.dir, "incidents", "ack", id, "--config", l.protocol, "--ico", "not-required", "--note", "no risk"); r.code != 0 || !strings.Contains(r.stdout, "not-required") {
		t.Fatalf("ack ico: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runBin(t, l.dir, "incidents", "close", "INC-1999-0001", "--config", l.protocol, "--note", "x"); r.code != 1 {
		t.Fatalf("closing an unknown id: exit %d, want 1", r.code)
	}
	if r := runBin(t, l.dir, "incidents", "close", id, "--config", l.protocol, "--note", "contained"); r.code != 0 {
		t.Fatalf("close: %d %s", r.code, r.stderr)
	}
	if r := l.duty(t, "incidents"); !strings.Contains(r.stdout, "No open incidents") {
		t.Fatalf("after close: %s", r.stdout)
	}
	show = l.duty(t, "audit", "show", "--json")
	for _, ev := range []string{"incident.ack", "incident.close"} {
		if !strings.Contains(show.stdout, `"event":"`+ev+`"`) {
			t.Errorf("no %s in the audit trail", ev)
		}
	}
	if r := l.duty(t, "audit", "verify"); r.code != 0 {
		t.Fatalf("audit verify: %d %s", r.code, r.stdout)
	}
	l.checkNoRawCaseRefs(t, run, show, list)
}

func TestE2EEraseCaseRefFromStdin(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "braintree")
	q4 := l.drop(t, "braintree", "braintree_2025Q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 60, Seed: 21})
	ref := inScopeCases(t, q4)[0]
	ps := l.pseudonym(t, "braintree", ref)
	if r := l.run(t); r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	out := filepath.Join(l.dir, "out")
	if got := filesHolding(t, out, ps); len(got) == 0 {
		t.Fatal("the case should be in the outputs first")
	}

	r := runBinStdin(t, l.dir, ref+"\n", "erase", "--config", l.protocol, "--partner", "braintree", "--case-ref", "-", "--reason", "SAR-2026-020")
	if r.code != 0 || !strings.Contains(r.stdout, "Erased a case of braintree") {
		t.Fatalf("erase: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := filesHolding(t, out, ps); len(got) != 0 {
		t.Errorf("outputs still hold the erased case: %v", got)
	}
	if got := filesHolding(t, filepath.Join(l.dir, "landing", "braintree", "processed"), ref); len(got) != 0 {
		t.Errorf("processed/ still holds the erased case: %v", got)
	}
	// The store holds nothing of it: export-case, given the ref on
	// stdin too, finds no rows.
	ex := runBinStdin(t, l.dir, ref+"\n", "export-case", "--config", l.protocol, "--partner", "braintree", "--case-ref", "-")
	var got struct {
		Rows []json.RawMessage `json:"rows"`
	}
	if ex.code != 0 || json.Unmarshal([]byte(ex.stdout), &got) != nil || len(got.Rows) != 0 {
		t.Fatalf("export-case after erasure: %d\n%s%s", ex.code, ex.stdout, ex.stderr)
	}
	show := l.duty(t, "audit", "show", "--json")
	if !strings.Contains(show.stdout, `"event":"erasure"`) || !strings.Contains(show.stdout, "SAR-2026-020") {
		t.Errorf("the erasure is not in the audit trail:\n%s", show.stdout)
	}
	if v := l.duty(t, "audit", "verify"); v.code != 0 {
		t.Fatalf("audit verify: %d %s", v.code, v.stdout)
	}
	// The ref is nowhere: not printed, not in the audit log, not in any
	// file of the state folder.
	for _, res := range []result{r, ex, show} {
		if strings.Contains(res.stdout+res.stderr, ref) {
			t.Errorf("the case_ref was printed:\n%s%s", res.stdout, res.stderr)
		}
	}
	if got := filesHolding(t, filepath.Join(l.dir, "state"), ref); len(got) != 0 {
		t.Errorf("state files hold the case_ref: %v", got)
	}
	if got := filesHolding(t, filepath.Join(l.dir, "state"), ps); len(got) != 0 {
		t.Errorf("state files hold the erased pseudonym: %v", got)
	}
	l.checkNoRawCaseRefs(t, r, ex, show)
}

// auditEntries returns the audit entries (from audit show --json) of event
// that match.
func (l *lab) auditEntries(t *testing.T, event string, match func(map[string]any) bool) []map[string]any {
	t.Helper()
	show := l.duty(t, "audit", "show", "--json")
	if show.code != 0 {
		t.Fatalf("audit show: %d %s", show.code, show.stderr)
	}
	var out []map[string]any
	for line := range strings.Lines(show.stdout) {
		var e map[string]any
		must(t, json.Unmarshal([]byte(line), &e))
		if e["event"] == event && (match == nil || match(e)) {
			out = append(out, e)
		}
	}
	return out
}

func TestE2EEraseRecordedOnceWhenTheAuditLogFails(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "braintree")
	q4 := l.drop(t, "braintree", "braintree_2025Q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 60, Seed: 22})
	ref := inScopeCases(t, q4)[0]
	ps := l.pseudonym(t, "braintree", ref)
	if r := l.run(t); r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	args := []string{"erase", "--partner", "braintree", "--case-ref", ref, "--reason", "SAR-2026-021"}
	restore := audittest.BlockAppends(t, filepath.Join(l.dir, "state"))
	r1 := l.duty(t, args...)
	if r1.code != 1 || !strings.Contains(r1.stderr, "audit log") || !strings.Contains(r1.stderr, "run the command again") {
		t.Fatalf("erase with the audit log unwritable: exit %d, want 1 naming the audit log\n%s%s", r1.code, r1.stdout, r1.stderr)
	}
	if got := l.auditEntries(t, "erasure", nil); len(got) != 0 {
		t.Fatalf("erasure entries in a log that could not be written: %v", got)
	}
	restore()

	r2 := l.duty(t, args...)
	if r2.code != 0 || !strings.Contains(r2.stdout, "processed/braintree_2025Q4.csv") {
		t.Fatalf("erase again: %d\n%s%s", r2.code, r2.stdout, r2.stderr)
	}
	store := l.auditEntries(t, "erasure", func(e map[string]any) bool { return e["object"] == nil })
	if len(store) != 1 {
		t.Fatalf("erasure entries for the store = %d, want 1: %v", len(store), store)
	}
	if d, _ := store[0]["data"].(map[string]any); d["reason"] != "SAR-2026-021" || d["rows"] == float64(0) {
		t.Errorf("erasure entry = %v", store[0])
	}
	if got := l.auditEntries(t, "erasure", func(e map[string]any) bool { return e["object"] != nil }); len(got) != 1 {
		t.Errorf("file erasure entries = %d, want 1", len(got))
	}
	if v := l.duty(t, "audit", "verify"); v.code != 0 {
		t.Fatalf("audit verify: %d %s%s", v.code, v.stdout, v.stderr)
	}
	r3 := l.duty(t, args...)
	if r3.code != 0 || !strings.Contains(r3.stdout, "erased before") {
		t.Fatalf("third erase: %d\n%s%s", r3.code, r3.stdout, r3.stderr)
	}
	if got := filesHolding(t, filepath.Join(l.dir, "out"), ps); len(got) != 0 {
		t.Errorf("outputs hold the erased case: %v", got)
	}
	if got := filesHolding(t, filepath.Join(l.dir, "state"), ps); len(got) != 0 {
		t.Errorf("state files hold the erased pseudonym: %v", got)
	}
	l.checkNoRawCaseRefs(t, r1, r2, r3)
}

func TestE2EPurgeRecordedOnceWhenTheAuditLogFails(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "braintree")
	f, err := os.OpenFile(l.protocol, os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteString("retention: {processed_files: 2s}\n")
	must(t, errors.Join(err, f.Close()))
	l.drop(t, "braintree", "braintree_2025Q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 20, Seed: 23})
	if r := l.run(t); r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	time.Sleep(2100 * time.Millisecond) // the processed file's two seconds
	restore := audittest.BlockAppends(t, filepath.Join(l.dir, "state"))
	r1 := l.duty(t, "purge")
	if r1.code != 1 || !strings.Contains(r1.stderr, "audit log") {
		t.Fatalf("purge with the audit log unwritable: exit %d, want 1 naming the audit log\n%s%s", r1.code, r1.stdout, r1.stderr)
	}
	restore()
	r2 := l.duty(t, "purge")
	if r2.code != 0 {
		t.Fatalf("purge again: %d\n%s%s", r2.code, r2.stdout, r2.stderr)
	}
	files := l.auditEntries(t, "purge", func(e map[string]any) bool { return e["object"] == "processed/braintree_2025Q4.csv" })
	if len(files) != 1 {
		t.Fatalf("purge entries for the file = %d, want 1: %v", len(files), files)
	}
	if _, err := os.Stat(filepath.Join(l.dir, "landing", "braintree", "processed", "braintree_2025Q4.csv")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the expired file is still there: %v", err)
	}
	if v := l.duty(t, "audit", "verify"); v.code != 0 {
		t.Fatalf("audit verify: %d %s%s", v.code, v.stdout, v.stderr)
	}
	if r := l.duty(t, "purge", "--dry-run"); r.code != 0 || !strings.Contains(r.stdout, "Nothing has passed") {
		t.Errorf("purge --dry-run after: %d\n%s", r.code, r.stdout)
	}
}
