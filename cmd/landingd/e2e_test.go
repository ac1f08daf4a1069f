package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"landingd/ingest/state"
	"landingd/internal/testtier"
	"landingd/transform"
	"landingd/transform/synth"
)

// lab is one protocol folder for an end-to-end test: local zones for the
// named districts, a key, the shipped field list, and stable_after 0s.
type lab struct {
	dir       string
	partners  []synth.District
	schema    *transform.Schema
	protocol  string
	keySource string
}

const schemaPath = "../../deploy/protocols/da-needs-assessment/hclic-da.schema.json"

// newLab writes a protocol for the districts with the given ids (all 12
// when none). key, when non-empty, is copied in as the pseudonymisation
// key so that two labs give the same pseudonyms.
func newLab(t *testing.T, key string, ids ...string) *lab {
	t.Helper()
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	s, err := transform.LoadSchema(raw)
	if err != nil {
		t.Fatal(err)
	}
	l := &lab{dir: t.TempDir(), schema: s}
	if len(ids) == 0 {
		l.partners = synth.Districts()
	} else {
		for _, id := range ids {
			d, ok := synth.DistrictByID(id)
			if !ok {
				t.Fatalf("no district %s", id)
			}
			l.partners = append(l.partners, d)
		}
	}
	must(t, os.WriteFile(filepath.Join(l.dir, "hclic-da.schema.json"), raw, 0o644))
	must(t, os.MkdirAll(filepath.Join(l.dir, "keys"), 0o700))
	keyFile := filepath.Join(l.dir, "keys", "pseudonym.key")
	if key == "" {
		if r := runBin(t, l.dir, "keygen", keyFile); r.code != 0 {
			t.Fatalf("keygen: %d %s", r.code, r.stderr)
		}
	} else {
		b, err := os.ReadFile(key)
		must(t, err)
		must(t, os.WriteFile(keyFile, b, 0o600))
	}
	l.keySource = keyFile
	var b strings.Builder
	b.WriteString(`protocol: {id: e2e, title: "End-to-end test", lead: {name: Essex County Council, gss: E10000012}, review_date: 2030-10-01}
schema: hclic-da.schema.json
filter: {field: reasonloss, keep: [da_victim, da_alleged_perpetrator, da_retired]}
pseudonymise: {key_file: keys/pseudonym.key}
stable_after: 0s
state: state
output: {kind: local, path: out}
partners:
`)
	for _, d := range l.partners {
		fmt.Fprintf(&b, "  - {id: %s, name: %q, gss: %s, dpo_email: dpo@%s.example, landing: {kind: local, path: landing/%s}}\n",
			d.ID, d.Name, d.GSS, strings.ReplaceAll(d.ID, "_", ""), d.ID)
		must(t, os.MkdirAll(filepath.Join(l.dir, "landing", d.ID), 0o750))
	}
	l.protocol = filepath.Join(l.dir, "protocol.yaml")
	must(t, os.WriteFile(l.protocol, []byte(b.String()), 0o644))
	return l
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// drop writes a synthetic file into a district's zone.
func (l *lab) drop(t *testing.T, id, name string, spec synth.Spec) string {
	t.Helper()
	d, _ := synth.DistrictByID(id)
	spec.District = d
	path := filepath.Join(l.dir, "landing", id, name)
	must(t, synth.WriteFile(path, l.schema, spec))
	return path
}

func (l *lab) run(t *testing.T, args ...string) result {
	t.Helper()
	return runBin(t, l.dir, append([]string{"run", "--config", l.protocol}, args...)...)
}

// outputs returns every visible output file, relative to out/.
func (l *lab) outputs(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	root := filepath.Join(l.dir, "out")
	_ = filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.HasPrefix(info.Name(), ".") {
			return nil
		}
		b, err := os.ReadFile(path)
		must(t, err)
		rel, _ := filepath.Rel(root, path)
		files[rel] = b
		return nil
	})
	return files
}

// csvRows parses a combined.csv.
func csvRows(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	must(t, err)
	return rows
}

// assertSameOutputs compares two output trees: CSV byte for byte, the
// manifest apart from generated_at, and xlsx cell by cell.
func assertSameOutputs(t *testing.T, a, b map[string][]byte) {
	t.Helper()
	if len(a) == 0 {
		t.Fatal("no outputs")
	}
	if got, want := sortedKeys(b), sortedKeys(a); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("output files differ:\n%v\n%v", want, got)
	}
	for name, ab := range a {
		bb := b[name]
		switch filepath.Ext(name) {
		case ".csv":
			if !bytes.Equal(ab, bb) {
				t.Errorf("%s differs", name)
			}
		case ".json":
			if normaliseManifest(t, ab) != normaliseManifest(t, bb) {
				t.Errorf("%s differs apart from generated_at and output hashes", name)
			}
		case ".xlsx":
			if xa, xb := xlsxCells(t, ab), xlsxCells(t, bb); xa != xb {
				t.Errorf("%s cells differ", name)
			}
		}
	}
}

func sortedKeys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// normaliseManifest drops the fields that carry a time: generated_at, the
// audit head, and
// the xlsx's hash and size (its zip holds timestamps).
func normaliseManifest(t *testing.T, b []byte) string {
	t.Helper()
	var m map[string]any
	must(t, json.Unmarshal(b, &m))
	delete(m, "generated_at")
	delete(m, "audit_head") // the audit trail records times
	if outs, ok := m["outputs"].([]any); ok {
		for _, o := range outs {
			om := o.(map[string]any)
			if strings.HasSuffix(om["name"].(string), ".xlsx") {
				delete(om, "sha256")
				delete(om, "size")
			}
		}
	}
	out, _ := json.Marshal(m)
	return string(out)
}

func xlsxCells(t *testing.T, b []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	must(t, err)
	defer f.Close()
	var sb strings.Builder
	for _, sheet := range f.GetSheetList() {
		// Raw values: formatting dates costs excelize far more than the
		// comparison needs, and equal raw values show the same cells.
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		must(t, err)
		fmt.Fprintf(&sb, "[%s]\n", sheet)
		for _, r := range rows {
			sb.WriteString(strings.Join(r, "\x1f"))
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// checkNoRawCaseRefs looks at everything landingd wrote: state, outputs,
// the reports in the zones, and what it printed.
func (l *lab) checkNoRawCaseRefs(t *testing.T, printed ...result) {
	t.Helper()
	assertNoRawCaseRefs(t, filepath.Join(l.dir, "state"), nil)
	assertNoRawCaseRefs(t, filepath.Join(l.dir, "out"), nil)
	assertNoRawCaseRefs(t, filepath.Join(l.dir, "landing"), func(p string) bool {
		return !strings.HasSuffix(p, ".report.txt") // the districts' own files hold their refs
	})
	for _, r := range printed {
		if m := rawCaseRef.FindString(r.stdout + r.stderr); m != "" {
			t.Errorf("a raw case_ref was printed")
		}
	}
}

func quarterDrop(t *testing.T, l *lab, q string, rows int) {
	t.Helper()
	if _, err := synth.QuarterDrop(filepath.Join(l.dir, "landing"), l.schema, q, rows, 7); err != nil {
		t.Fatal(err)
	}
}

func TestE2ETwoRunsGiveTheSameOutputs(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	a := newLab(t, "")
	b := newLab(t, a.keySource)
	quarterDrop(t, a, "2025Q4", 120)
	quarterDrop(t, b, "2025Q4", 120)
	ra := a.run(t)
	rb := b.run(t)
	if ra.code != 0 || rb.code != 0 {
		t.Fatalf("run exit %d/%d\n%s\n%s", ra.code, rb.code, ra.stderr, rb.stderr)
	}
	first := a.outputs(t)
	assertSameOutputs(t, first, b.outputs(t))
	if _, ok := first["2025Q4/combined.csv"]; !ok {
		t.Fatalf("no 2025Q4 output: %v", sortedKeys(first))
	}

	// A second run over the same state takes nothing and changes nothing.
	again := a.run(t)
	if again.code != 0 || !strings.Contains(again.stdout, "Nothing new was ingested") {
		t.Fatalf("second run: %d\n%s", again.code, again.stdout)
	}
	after := a.outputs(t)
	if !bytes.Equal(first["2025Q4/combined.csv"], after["2025Q4/combined.csv"]) {
		t.Error("a run with nothing new changed combined.csv")
	}
	a.checkNoRawCaseRefs(t, ra, again)
	b.checkNoRawCaseRefs(t, rb)
}

func TestE2EResubmissionReplacesRows(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "basildon", "braintree")
	path := l.drop(t, "basildon", "basildon_2025Q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 60, Seed: 3})
	orig, err := os.ReadFile(path)
	must(t, err)
	if r := l.run(t); r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	before := basildonRows(t, l)
	if len(before) == 0 {
		t.Fatal("no basildon rows")
	}

	// The district corrects every main_app_age to 99 and sends the file
	// again under a new name.
	rows := csvRows(t, orig)
	col := indexOf(rows[0], "main_app_age")
	for _, r := range rows[1:] {
		r[col] = "99"
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	must(t, w.WriteAll(rows))
	must(t, os.WriteFile(filepath.Join(l.dir, "landing", "basildon", "basildon_2025Q4_corrected.csv"), buf.Bytes(), 0o644))
	r := l.run(t)
	if r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	after := basildonRows(t, l)
	if len(after) != len(before) {
		t.Fatalf("resubmission changed the case count: %d then %d", len(before), len(after))
	}
	header := csvRows(t, l.outputs(t)["2025Q4/combined.csv"])[0]
	ageCol := indexOf(header, "main_app_age")
	for _, row := range after {
		if row[ageCol] != "99" {
			t.Fatalf("row for %s kept age %s after the correction", row[indexOf(header, "case_ref")], row[ageCol])
		}
	}
	l.checkNoRawCaseRefs(t, r)
}

func basildonRows(t *testing.T, l *lab) [][]string {
	t.Helper()
	var out [][]string
	for _, r := range csvRows(t, l.outputs(t)["2025Q4/combined.csv"])[1:] {
		if r[0] == "E07000066" {
			out = append(out, r)
		}
	}
	return out
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	panic("no column " + x)
}

func TestE2ESameFileUnderANewNameIsNotIngestedTwice(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "chelmsford")
	path := l.drop(t, "chelmsford", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 50, Seed: 5})
	data, err := os.ReadFile(path)
	must(t, err)
	if r := l.run(t); r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	before := l.outputs(t)["2025Q4/combined.csv"]
	must(t, os.WriteFile(filepath.Join(l.dir, "landing", "chelmsford", "q4 (copy).csv"), data, 0o644))
	r := l.run(t)
	if r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	if !bytes.Equal(before, l.outputs(t)["2025Q4/combined.csv"]) {
		t.Error("the same content under a new name changed the output")
	}
	if _, err := os.Stat(filepath.Join(l.dir, "landing", "chelmsford", "processed", "q4 (copy).csv")); err != nil {
		t.Errorf("the duplicate was not moved to processed/: %v", err)
	}
	if !strings.Contains(r.stderr, `"verdict":"duplicate"`) {
		t.Errorf("the log does not show a duplicate verdict:\n%s", r.stderr)
	}
}

func TestE2ERejectedFileLandsInRejectedWithReport(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "harlow", "maldon")
	l.drop(t, "harlow", "harlow q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 30, Seed: 9, Extra: []string{"nino"}})
	l.drop(t, "maldon", "maldon.xls", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 5, Seed: 1, Format: "csv"})
	r := l.run(t)
	if r.code != 0 {
		t.Fatalf("a rejected file is an outcome, not a failure: exit %d\n%s", r.code, r.stderr)
	}
	rej := filepath.Join(l.dir, "landing", "harlow", "rejected")
	if _, err := os.Stat(filepath.Join(rej, "harlow q4.csv")); err != nil {
		t.Fatalf("not in rejected/: %v", err)
	}
	report, err := os.ReadFile(filepath.Join(rej, "harlow q4.csv.report.txt"))
	must(t, err)
	for _, want := range []string{"REJECTED", "extra-label", "nino"} {
		if !bytes.Contains(report, []byte(want)) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if bytes.Contains(report, []byte("QQ")) {
		t.Error("the report repeats a value of the extra column")
	}
	report, err = os.ReadFile(filepath.Join(l.dir, "landing", "maldon", "rejected", "maldon.xls.report.txt"))
	must(t, err)
	if !bytes.Contains(report, []byte(".xlsx")) {
		t.Errorf("an .xls report does not name the accepted formats:\n%s", report)
	}
	if _, ok := l.outputs(t)["2025Q4/combined.csv"]; ok {
		t.Error("a quarter with only rejected files has outputs")
	}
	l.checkNoRawCaseRefs(t, r)
}

func TestE2EUnreachableZoneFailsOnlyThatPartner(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "rochford", "tendring")
	l.drop(t, "tendring", "t.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 20, Seed: 2})
	must(t, os.RemoveAll(filepath.Join(l.dir, "landing", "rochford")))
	r := l.run(t)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stdout)
	}
	if _, err := os.Stat(filepath.Join(l.dir, "landing", "tendring", "processed", "t.csv")); err != nil {
		t.Errorf("the other partner did not complete: %v", err)
	}
	if !strings.Contains(r.stdout, "FAILED") {
		t.Errorf("the summary does not show the failure:\n%s", r.stdout)
	}
}

func TestE2EOneRunAtATime(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "uttlesford")
	must(t, os.MkdirAll(filepath.Join(l.dir, "state"), 0o700))
	unlock, err := state.Lock(context.Background(), filepath.Join(l.dir, "state"), "run", 0)
	must(t, err)
	defer unlock()
	r := runBin(t, l.dir, "run", "--config", l.protocol, "--wait", "0s")
	if r.code != 1 || !strings.Contains(r.stderr, "in use by PID") || !strings.Contains(r.stderr, "a cycle is running") {
		t.Fatalf("a second run while the state is locked: exit %d\n%s", r.code, r.stderr)
	}
}

func TestE2EKilledRunIsCompletedByTheNextRun(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	ref := newLab(t, "")
	crash := newLab(t, ref.keySource)
	quarterDrop(t, ref, "2025Q4", 1500)
	quarterDrop(t, crash, "2025Q4", 1500)
	// A backfill adds many quarters, so the kill can also land while
	// outputs are being written.
	var backfill []string
	for q := "2022Q1"; q <= "2023Q2"; q = transform.NextQuarter(q) {
		backfill = append(backfill, q)
	}
	spec := synth.Spec{Quarters: backfill, Rows: 300, Seed: 11, CaseOffset: 1_000_000}
	ref.drop(t, "epping_forest", "backfill.csv", spec)
	crash.drop(t, "epping_forest", "backfill.csv", spec)
	if r := ref.run(t); r.code != 0 {
		t.Fatalf("reference run: %d %s", r.code, r.stderr)
	}

	kills := 0
	for _, killAfter := range []string{`"msg":"file judged"`, `"msg":"file disposed"`, `"msg":"quarter published"`} {
		cmd := exec.Command(landingdBin(t), "run", "--config", crash.protocol)
		stderr, err := cmd.StderrPipe()
		must(t, err)
		must(t, cmd.Start())
		sc := bufio.NewScanner(stderr)
		killed := false
		for sc.Scan() {
			if strings.Contains(sc.Text(), killAfter) {
				must(t, cmd.Process.Signal(syscall.SIGKILL))
				killed = true
				break
			}
		}
		go io.Copy(io.Discard, stderr)
		_ = cmd.Wait()
		if !killed {
			break // the run finished before that point: nothing left to kill
		}
		kills++
	}
	if kills == 0 {
		t.Fatal("no run was killed part-way: the test proved nothing")
	}
	t.Logf("killed %d runs part-way", kills)
	r := crash.run(t)
	if r.code != 0 {
		t.Fatalf("run after the kill: %d\n%s", r.code, r.stderr)
	}
	assertSameOutputs(t, ref.outputs(t), crash.outputs(t))
	for _, d := range crash.partners {
		top, _ := os.ReadDir(filepath.Join(crash.dir, "landing", d.ID))
		for _, e := range top {
			if !e.IsDir() {
				t.Errorf("%s/%s was left in the zone after the runs", d.ID, e.Name())
			}
		}
	}
	crash.checkNoRawCaseRefs(t, r)
}

func TestE2EStatus(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "basildon", "brentwood", "maldon")
	q := transform.LastCompletedQuarter(time.Now())
	// Maldon had no cases this quarter and sends a header-only file.
	header := "la_code,quarter_end_date,case_ref,app_date,reasonloss,household_type,main_app_age,main_app_sex\n"
	must(t, os.WriteFile(filepath.Join(l.dir, "landing", "maldon", "none.csv"), []byte(header), 0o644))
	l.drop(t, "basildon", "b.csv", synth.Spec{Quarters: []string{q}, Rows: 40, Seed: 4})
	l.drop(t, "brentwood", "b.csv", synth.Spec{Quarters: []string{q}, Rows: 10, Seed: 4, Drop: []string{"main_app_sex"}})
	if r := l.run(t); r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	r := runBin(t, l.dir, "status", "--config", l.protocol, "--json")
	if r.code != 0 {
		t.Fatalf("status: %d %s", r.code, r.stderr)
	}
	var st struct {
		Quarters []string
		Matrix   []struct {
			Quarter string
			Cells   []struct {
				Partner, State string
				Cases          int
			}
		}
		LastRun struct{ Outcome string } `json:"last_run"`
	}
	must(t, json.Unmarshal([]byte(r.stdout), &st))
	if st.Quarters[0] != "2021Q2" || st.Quarters[len(st.Quarters)-1] != q {
		t.Errorf("quarters run %s..%s, want 2021Q2..%s", st.Quarters[0], st.Quarters[len(st.Quarters)-1], q)
	}
	if st.Matrix[0].Quarter != q {
		t.Fatalf("first matrix row is %s, want %s", st.Matrix[0].Quarter, q)
	}
	got := map[string]string{}
	for _, c := range st.Matrix[0].Cells {
		got[c.Partner] = c.State
		if c.Partner == "basildon" && c.Cases == 0 {
			t.Error("basildon accepted with 0 cases")
		}
	}
	if got["basildon"] != "accepted" || got["brentwood"] != "rejected" || got["maldon"] != "accepted" {
		t.Errorf("states %v, want basildon and maldon (header only) accepted and brentwood rejected", got)
	}
	if st.Matrix[1].Cells[0].State != "missing" {
		t.Errorf("an older quarter is %s, want missing", st.Matrix[1].Cells[0].State)
	}
	if st.LastRun.Outcome != "ok" {
		t.Errorf("last run outcome %q", st.LastRun.Outcome)
	}
}

func TestE2EInterruptedRunTakesNoNewFile(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	ref := newLab(t, "")
	l := newLab(t, ref.keySource)
	quarterDrop(t, ref, "2025Q4", 1500)
	quarterDrop(t, l, "2025Q4", 1500)
	if r := ref.run(t); r.code != 0 {
		t.Fatalf("reference run: %d %s", r.code, r.stderr)
	}
	cmd := exec.Command(landingdBin(t), "run", "--config", l.protocol)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	must(t, err)
	must(t, cmd.Start())
	sc := bufio.NewScanner(stderr)
	var logLines []string
	signalled := false
	for sc.Scan() {
		logLines = append(logLines, sc.Text())
		if !signalled && strings.Contains(sc.Text(), `"msg":"file judged"`) {
			must(t, cmd.Process.Signal(os.Interrupt))
			signalled = true
		}
	}
	err = cmd.Wait()
	if !signalled {
		t.Fatal("the run ended before it could be interrupted")
	}
	if err != nil {
		t.Fatalf("an interrupted run should exit 0 after finishing its file: %v\n%s", err, strings.Join(logLines, "\n"))
	}
	judged := 0
	for _, line := range logLines {
		if strings.Contains(line, `"msg":"file judged"`) {
			judged++
		}
	}
	if judged >= len(l.partners) {
		t.Errorf("the interrupted run judged all %d files: it kept taking new files", judged)
	}
	if !strings.Contains(stdout.String(), "Stopped by a signal") {
		t.Errorf("the summary does not say the run was stopped:\n%s", stdout.String())
	}
	// Every file taken was finished: each one judged is out of the zone.
	left := 0
	for _, d := range l.partners {
		top, _ := os.ReadDir(filepath.Join(l.dir, "landing", d.ID))
		for _, e := range top {
			if !e.IsDir() {
				left++
			}
		}
	}
	if left != len(l.partners)-judged {
		t.Errorf("%d files left in the zones after %d of %d were judged", left, judged, len(l.partners))
	}
	if r := l.run(t); r.code != 0 {
		t.Fatalf("the next run: %d %s", r.code, r.stderr)
	}
	assertSameOutputs(t, ref.outputs(t), l.outputs(t))
}
