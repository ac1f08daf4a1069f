package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"landingd/ingest/state"
	"landingd/storage"
	"landingd/storage/local"
	"landingd/transform"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var genAt = time.Date(2026, 1, 7, 6, 30, 0, 0, time.UTC)

func loadSchema(t testing.TB) *transform.Schema {
	t.Helper()
	b, err := os.ReadFile("testdata/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := transform.LoadSchema(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testMeta() Meta {
	return Meta{
		ProtocolID:      "essex-da-needs-assessment",
		LandingdVersion: "0.1.0-test",
		GeneratedAt:     genAt,
		Partners: []Partner{
			{ID: "basildon", Name: "Basildon", GSS: "E07000066"},
			{ID: "braintree", Name: "Braintree", GSS: "E07000067"},
			{ID: "harlow", Name: "Harlow", GSS: "E07000073"},
		},
		CategoryField: "reasonloss",
		Categories:    []string{"da_victim", "da_alleged_perpetrator"},
	}
}

// fixture is a store holding two Braintree files (the second rectifies a
// case of the first), one Basildon file and a row in another quarter.
type fixture struct {
	db  *state.DB
	out *local.Output
	dir string
	s   *transform.Schema
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := state.Open(ctx, filepath.Join(t.TempDir(), state.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dir := t.TempDir()
	out, err := local.NewOutput(dir)
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{db: db, out: out, dir: dir, s: loadSchema(t)}
	fx.file(t, "braintree", "braintree-2025q4.csv", "aa11",
		[]string{"E07000067", "2025-12-31", "p-b2", "da_victim", "2", "true", "=HYPERLINK(\"x\")"},
		[]string{"E07000067", "2025-12-31", "p-b1", "da_victim", "0", "", "-5"},
		[]string{"E07000067", "2025-12-31", "p-b3", "da_alleged_perpetrator", "", "false", "@home"},
		[]string{"E07000067", "2025-09-30", "p-b9", "da_victim", "1", "", ""},
	)
	fx.file(t, "braintree", "braintree-2025q4-fix.csv", "bb22",
		[]string{"E07000067", "2025-12-31", "p-b2", "da_victim", "3", "true", "+44 1245"},
	)
	fx.file(t, "basildon", "basildon.xlsx", "cc33",
		[]string{"E07000066", "2025-12-31", "p-a1", "da_victim", "1", "", "plain, with \"quotes\"\nand a newline"},
		[]string{"E07000066", "2025-12-31", "p-a2", "da_victim", "4", "true", ""},
		[]string{"E07000066", "2025-12-31", "p-a3", "da_victim", "", "", "=1+2"},
		[]string{"E07000066", "2025-12-31", "p-a4", "da_victim", "", "", ""},
		[]string{"E07000066", "2025-12-31", "p-a5", "da_victim", "", "", ""},
		[]string{"E07000066", "2025-12-31", "p-a6", "da_alleged_perpetrator", "", "", ""},
	)
	return fx
}

func (fx *fixture) file(t testing.TB, partner, name, sha string, rows ...[]string) {
	t.Helper()
	ctx := context.Background()
	ft, err := fx.db.BeginFile(ctx, state.FileRecord{RunID: "r1", Partner: partner, Name: name, SHA256: sha,
		ReceivedAt: genAt, SchemaVersion: fx.s.Version, QuarterHint: "2025Q4"})
	if err != nil {
		t.Fatal(err)
	}
	defer ft.Rollback()
	for i, v := range rows {
		d, _ := time.Parse(time.DateOnly, v[1])
		if err := ft.Put(ctx, transform.Row{LACode: v[0], Pseudonym: v[2], QuarterEndDate: v[1],
			Quarter: transform.QuarterOf(d), SourceRow: i + 2, Values: v}); err != nil {
			t.Fatal(err)
		}
	}
	res := transform.Result{Verdict: transform.Accepted, Format: "csv",
		Rows: transform.Counts{Read: len(rows) + 2, Accepted: len(rows), OutOfScope: 1, Rejected: 1}}
	if err := ft.Commit(ctx, res, genAt); err != nil {
		t.Fatal(err)
	}
}

func (fx *fixture) read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fx.dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// volatile blanks what legitimately varies with the toolchain (the
// workbook's bytes, since compress/flate may change between Go releases).
var volatile = regexp.MustCompile(`("name": "2025Q4/combined.xlsx",\s+"size": )\d+(,\s+"sha256": ")[0-9a-f]{64}`)

func TestQuarterGolden(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	if err := Quarter(ctx, fx.out, fx.s, fx.db, "2025Q4", testMeta()); err != nil {
		t.Fatal(err)
	}
	golden(t, "2025Q4.combined.csv.golden", fx.read(t, "2025Q4/combined.csv"))
	m := fx.read(t, "2025Q4/manifest.json")
	golden(t, "2025Q4.manifest.json.golden", volatile.ReplaceAll(m, []byte("${1}0${2}<xlsx>")))

	// The manifest vouches for the files as written.
	var man Manifest
	if err := json.Unmarshal(m, &man); err != nil {
		t.Fatal(err)
	}
	for _, o := range man.Outputs {
		b := fx.read(t, o.Name)
		if got := sha(b); got != o.SHA256 || int64(len(b)) != o.Size {
			t.Errorf("%s: sha256 %s size %d, manifest says %s %d", o.Name, got, len(b), o.SHA256, o.Size)
		}
	}
	// The dirty mark is the caller's to clear.
	qs, _ := fx.db.DirtyQuarters(ctx)
	if strings.Join(qs, ",") != "2025Q3,2025Q4" {
		t.Errorf("dirty after publishing 2025Q4 = %v, want both quarters", qs)
	}
}

func TestQuarterIsDeterministic(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	meta := testMeta()
	if err := Quarter(ctx, fx.out, fx.s, fx.db, "2025Q4", meta); err != nil {
		t.Fatal(err)
	}
	csv1, xlsx1, man1 := fx.read(t, "2025Q4/combined.csv"), fx.read(t, "2025Q4/combined.xlsx"), fx.read(t, "2025Q4/manifest.json")
	meta.GeneratedAt = genAt.Add(90 * 24 * time.Hour)
	if err := Quarter(ctx, fx.out, fx.s, fx.db, "2025Q4", meta); err != nil {
		t.Fatal(err)
	}
	csv2, xlsx2, man2 := fx.read(t, "2025Q4/combined.csv"), fx.read(t, "2025Q4/combined.xlsx"), fx.read(t, "2025Q4/manifest.json")
	if !bytes.Equal(csv1, csv2) {
		t.Error("combined.csv differs between two generations")
	}
	if !bytes.Equal(xlsx1, xlsx2) {
		t.Error("combined.xlsx differs between two generations")
	}
	l1, l2 := strings.Split(string(man1), "\n"), strings.Split(string(man2), "\n")
	if len(l1) != len(l2) {
		t.Fatalf("manifests have %d and %d lines", len(l1), len(l2))
	}
	for i := range l1 {
		if l1[i] != l2[i] && !strings.Contains(l1[i], `"generated_at"`) {
			t.Errorf("manifest line %d differs: %q vs %q", i+1, l1[i], l2[i])
		}
	}
	if bytes.Equal(man1, man2) {
		t.Error("manifests are identical: generated_at was not written")
	}
}

func TestQuarterWorkbook(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	if err := Quarter(ctx, fx.out, fx.s, fx.db, "2025Q4", testMeta()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(fx.read(t, "2025Q4/combined.xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "Data|Data dictionary|Summary" {
		t.Fatalf("sheets = %s", got)
	}
	panes, err := f.GetPanes(SheetData)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("Data panes = %+v, %v; want frozen header", panes, err)
	}
	rows, err := f.GetRows(SheetData)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], "|"); got != "District|Quarter end date|Case reference (pseudonym)|Reason for loss of last settled home|Number of dependent children|Temporary accommodation out of area|Free text" {
		t.Errorf("header = %s", got)
	}
	st, _ := f.GetCellStyle(SheetData, "A1")
	if style, err := f.GetStyle(st); err != nil || style.Font == nil || !style.Font.Bold {
		t.Errorf("header is not bold: %+v %v", style, err)
	}
	if len(rows) != 1+9 {
		t.Fatalf("Data has %d rows, want 10", len(rows))
	}
	// rows[8] is Braintree's p-b2 after rectification (after Basildon's
	// six and Braintree's p-b1).
	want := []string{"Braintree", "2025-12-31", "p-b2", "Domestic abuse – victim", "3", "Yes", "+44 1245"}
	if got := rows[8]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("row 8 = %q, want %q", got, want)
	}
	if got := rows[9][5]; got != "No" {
		t.Errorf("false shown as %q", got)
	}
	// Dates are real dates and integers real numbers.
	for _, c := range []struct {
		cell string
		typ  excelize.CellType
	}{{"B8", excelize.CellTypeNumber}, {"E8", excelize.CellTypeNumber}, {"C8", excelize.CellTypeInlineString}} {
		typ, err := f.GetCellType(SheetData, c.cell)
		if err != nil {
			t.Fatal(err)
		}
		if c.typ == excelize.CellTypeNumber && typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s type = %v, want a number", c.cell, typ)
		}
	}
	raw, _ := f.GetCellValue(SheetData, "B8", excelize.Options{RawCellValue: true})
	if raw != "46022" { // 2025-12-31 as an Excel serial
		t.Errorf("B8 raw = %q, want the serial 46022", raw)
	}
	if v, _ := f.GetCellValue(SheetData, "G4"); v != "=1+2" {
		t.Errorf("formula text shown as %q", v)
	}
	if f, _ := f.GetCellFormula(SheetData, "G4"); f != "" {
		t.Errorf("G4 holds a formula %q", f)
	}

	dict, _ := f.GetRows(SheetDictionary)
	var codes, fields int
	for _, r := range dict[1:] {
		if len(r) > 5 && r[5] != "" {
			codes++
		} else {
			fields++
		}
	}
	if fields != len(fx.s.Fields) || codes != 3+3 {
		t.Errorf("dictionary has %d fields and %d codes, want %d and 6", fields, codes, len(fx.s.Fields))
	}
	if r := dict[1]; strings.Join(r[:4], "|") != "la_code|District|string|Yes" {
		t.Errorf("dictionary row 2 = %q", r)
	}

	sum, _ := f.GetRows(SheetSummary)
	got := []string{}
	for _, r := range sum[2:7] {
		got = append(got, strings.Join(r, " "))
	}
	// Basildon 5 victims, 1 perpetrator; Braintree 2 and 1; Harlow sent
	// nothing: ".." (not available), left out of the totals.
	// Counts from 0 to 4 are "<5". Basildon's total 6 would give its 1
	// away (6 - 5), so it is hidden, and the victims' total 7 would give
	// Braintree's 2 away (7 - 5), so it goes too. "*" gives no bound, so
	// with the 5 and the grand total 9 shown every "<5" still ranges over
	// 0 to 4, and each "*" over 5 to 9.
	wantSum := []string{
		"District Domestic abuse – victim Domestic abuse – alleged perpetrator Total",
		"Basildon 5 <5 *",
		"Braintree <5 <5 <5",
		"Harlow .. .. ..",
		"Total * <5 9",
	}
	if strings.Join(got, "\n") != strings.Join(wantSum, "\n") {
		t.Errorf("Summary =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantSum, "\n"))
	}
	if notes := strings.Join(sum[len(sum)-1], " "); !strings.HasPrefix(notes, "..: not available") {
		t.Errorf("last footnote = %q, want the not-available note", notes)
	}
	// "*" gives no bound: the footnote must not say it is 5 or more.
	star := ""
	for _, r := range sum[7:] {
		if len(r) > 0 && strings.HasPrefix(r[0], "*: ") {
			star = r[0]
		}
	}
	if !strings.Contains(star, "may be any number") || strings.Contains(star, "5 or more") {
		t.Errorf("footnote for * = %q, want one that says it may be any number", star)
	}
}

func TestNeutralise(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"=SUM(A1)", "'=SUM(A1)"},
		{"+44 1245 000000", "'+44 1245 000000"},
		{"-5", "-5"},
		{"+44", "+44"},
		{"-3.25", "-3.25"},
		{"+1e5", "+1e5"},
		{"-", "'-"},
		{"--5", "'--5"},
		{"-5-", "'-5-"},
		{"+Inf", "'+Inf"},
		{"@SUM(1)", "'@SUM(1)"},
		{"\tx", "'\tx"},
		{"\r=1", "'\r=1"},
		{"a=1", "a=1"},
		{" =1", " =1"},
		{"'=1", "'=1"},
		{"E07000067", "E07000067"},
		{"2025-12-31", "2025-12-31"},
	} {
		if got := Neutralise(tt.in); got != tt.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuarterRejectsRowsThatDoNotFit(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	fx.file(t, "harlow", "short.csv", "dd44", []string{"E07000073", "2025-12-31", "p-h1"})
	err := Quarter(ctx, fx.out, fx.s, fx.db, "2025Q4", testMeta())
	if err == nil || !strings.Contains(err.Error(), "fields are not recorded") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "p-h1") {
		t.Fatalf("error carries a stored value: %v", err)
	}
	if _, err := os.Stat(filepath.Join(fx.dir, "2025Q4", "manifest.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("manifest written after a failure: %v", err)
	}
}

// failingOutput fails Put for names ending in failOn.
type failingOutput struct {
	storage.Output
	failOn string
	puts   []string
}

func (f *failingOutput) Put(ctx context.Context, name string, r io.Reader) error {
	f.puts = append(f.puts, name)
	if strings.HasSuffix(name, f.failOn) {
		_, _ = io.Copy(io.Discard, r)
		return fmt.Errorf("put %s: disk full", name)
	}
	return f.Output.Put(ctx, name, r)
}

func TestQuarterWritesManifestLastAndOnlyOnSuccess(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	fo := &failingOutput{Output: fx.out, failOn: XLSXName}
	if err := Quarter(ctx, fo, fx.s, fx.db, "2025Q4", testMeta()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(fx.dir, "2025Q4", "manifest.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("manifest written after a failure: %v", err)
	}
	fo.failOn, fo.puts = "never", nil
	if err := Quarter(ctx, fo, fx.s, fx.db, "2025Q4", testMeta()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(fo.puts, " "); got != "2025Q4/combined.csv 2025Q4/combined.xlsx 2025Q4/manifest.json" {
		t.Fatalf("puts = %s", got)
	}
	// A regeneration that fails half way leaves no manifest vouching for
	// the new combined.csv beside the old workbook.
	fo.failOn = XLSXName
	if err := Quarter(ctx, fo, fx.s, fx.db, "2025Q4", testMeta()); err == nil {
		t.Fatal("the failing regeneration succeeded")
	}
	if _, err := os.Stat(filepath.Join(fx.dir, "2025Q4", "manifest.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the previous manifest outlived a failed regeneration: %v", err)
	}
}

func TestDeleteQuarter(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	if err := Quarter(ctx, fx.out, fx.s, fx.db, "2025Q4", testMeta()); err != nil {
		t.Fatal(err)
	}
	if err := DeleteQuarter(ctx, fx.out, "2025Q4"); err != nil {
		t.Fatal(err)
	}
	var left []string
	_ = fx.out.List(ctx, "2025Q4", func(n string) error { left = append(left, n); return nil })
	if len(left) != 0 {
		t.Fatalf("left after delete: %v", left)
	}
	if err := DeleteQuarter(ctx, fx.out, "2025Q4"); err != nil {
		t.Fatalf("second delete: %v", err)
	}
}

func TestQuarterWithNoRowsLeftRemovesItsOutputs(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	if err := Quarter(ctx, fx.out, fx.s, fx.db, "2025Q3", testMeta()); err != nil {
		t.Fatal(err)
	}
	list := func() []string {
		var names []string
		if err := fx.out.List(ctx, "2025Q3", func(n string) error { names = append(names, n); return nil }); err != nil {
			t.Fatal(err)
		}
		return names
	}
	if len(list()) != 3 {
		t.Fatalf("outputs of 2025Q3 = %v, want three", list())
	}
	if _, err := fx.db.PurgeCases(ctx, "2025-09-30", genAt, nil); err != nil {
		t.Fatal(err)
	}
	if err := Quarter(ctx, fx.out, fx.s, fx.db, "2025Q3", testMeta()); err != nil {
		t.Fatal(err)
	}
	if left := list(); len(left) != 0 {
		t.Fatalf("left after the quarter's last row went: %v", left)
	}
}

func TestQuarterBadID(t *testing.T) {
	fx := newFixture(t)
	if err := Quarter(context.Background(), fx.out, fx.s, fx.db, "2025-Q4", testMeta()); err == nil {
		t.Fatal("a bad quarter id was accepted")
	}
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
