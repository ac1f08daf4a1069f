package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"landingd/config"
	"landingd/deploy"
	"landingd/transform"
)

// builtinSchema returns the field list of the built-in protocol.
func builtinSchema(t *testing.T) *transform.Schema {
	t.Helper()
	cfg, err := config.LoadFS(deploy.Protocols, deploy.DefaultProtocol)
	if err != nil {
		t.Fatal(err)
	}
	s, err := transform.LoadSchema(cfg.SchemaData)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeTemplateCmd runs "landingd fields --xlsx" with args and opens what
// it wrote.
func writeTemplateCmd(t *testing.T, args ...string) (string, *excelize.File) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "template.xlsx")
	code, out, errOut := runCmd(t, append([]string{"fields", "--xlsx", path}, args...)...)
	if code != exitOK {
		t.Fatalf("fields --xlsx: exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, path) {
		t.Errorf("stdout %q does not name the file written", out)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return path, f
}

// listValues returns the cells a list validation's formula refers to,
// such as Lists!$C$2:$C$17.
func listValues(t *testing.T, f *excelize.File, formula string) []string {
	t.Helper()
	sheet, rng, ok := strings.Cut(strings.TrimPrefix(formula, "="), "!")
	if !ok {
		t.Fatalf("list formula %q is not a range on another sheet", formula)
	}
	from, to, ok := strings.Cut(strings.ReplaceAll(rng, "$", ""), ":")
	if !ok {
		t.Fatalf("list formula %q is not a range", formula)
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(from)
	c2, r2, err2 := excelize.CellNameToCoordinates(to)
	if err1 != nil || err2 != nil || c1 != c2 {
		t.Fatalf("list formula %q is not one column", formula)
	}
	var out []string
	for r := r1; r <= r2; r++ {
		cell, _ := excelize.CoordinatesToCellName(c1, r)
		v, err := f.GetCellValue(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// columnValidations maps a data column's letter to its validation.
func columnValidations(t *testing.T, f *excelize.File, sheet string) map[string]*excelize.DataValidation {
	t.Helper()
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		from, _, _ := strings.Cut(dv.Sqref, ":")
		col := strings.TrimRight(from, "0123456789")
		if m[col] != nil {
			t.Errorf("column %s has two validations", col)
		}
		m[col] = dv
	}
	return m
}

func numFmt(t *testing.T, f *excelize.File, style int) string {
	t.Helper()
	st, err := f.GetStyle(style)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	return fmt.Sprintf("builtin %d", st.NumFmt)
}

func TestFieldsTemplate(t *testing.T) {
	t.Parallel()
	s := builtinSchema(t)
	for _, tc := range []struct {
		name    string
		args    []string
		laCodes []string // what la_code's list offers, nil: every district's label
	}{
		{name: "every district"},
		{name: "one partner", args: []string{"--partner", "basildon"}, laCodes: []string{"Basildon"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, f := writeTemplateCmd(t, tc.args...)
			if got, want := f.GetSheetList(), []string{"Data", "Dictionary", "Lists"}; !slices.Equal(got, want) {
				t.Fatalf("sheets %q, want %q", got, want)
			}
			for sheet, want := range map[string]bool{"Data": true, "Dictionary": true, "Lists": false} {
				if got, err := f.GetSheetVisible(sheet); err != nil || got != want {
					t.Errorf("sheet %s visible = %v (%v), want %v", sheet, got, err, want)
				}
			}
			if f.GetActiveSheetIndex() != 0 {
				t.Errorf("active sheet %d, want the Data sheet", f.GetActiveSheetIndex())
			}
			rows, err := f.GetRows("Data")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, fd := range s.Fields {
				names = append(names, fd.Name)
			}
			if len(rows) != 1 || !slices.Equal(rows[0], names) {
				t.Fatalf("Data sheet rows %q, want only the header %q", rows, names)
			}
			if p, err := f.GetPanes("Data"); err != nil || !p.Freeze || p.YSplit != 1 || p.XSplit != 0 {
				t.Errorf("Data panes %+v (%v), want the header row frozen", p, err)
			}
			dvs := columnValidations(t, f, "Data")
			for i := range s.Fields {
				fd := &s.Fields[i]
				col, _ := excelize.ColumnNumberToName(i + 1)
				// Required headers are bold, optional ones are not.
				style, err := f.GetCellStyle("Data", col+"1")
				if err != nil {
					t.Fatal(err)
				}
				st, err := f.GetStyle(style)
				if err != nil {
					t.Fatal(err)
				}
				if bold := st.Font != nil && st.Font.Bold; bold != fd.Required {
					t.Errorf("header %s: bold %v, required %v", fd.Name, bold, fd.Required)
				}
				dv := dvs[col]
				if dv != nil {
					if want := fmt.Sprintf("%s2:%s%d", col, col, templateRows+1); dv.Sqref != want {
						t.Errorf("%s: validation covers %s, want %s", fd.Name, dv.Sqref, want)
					}
					if !dv.ShowErrorMessage || dv.ErrorStyle == nil || *dv.ErrorStyle != "stop" || dv.Error == nil || *dv.Error == "" {
						t.Errorf("%s: validation has no stop alert: %+v", fd.Name, dv)
					}
				}
				switch {
				case fd.Coded() || fd.Type == transform.TypeBoolean:
					if dv == nil || dv.Type != "list" {
						t.Errorf("%s: no list validation: %+v", fd.Name, dv)
						continue
					}
					got := listValues(t, f, dv.Formula1)
					var want []string
					switch {
					case fd.Name == "la_code" && tc.laCodes != nil:
						want = tc.laCodes
					case fd.Type == transform.TypeBoolean:
						want = []string{"Yes", "No"}
					default:
						for _, c := range fd.Codes {
							want = append(want, c.Label)
						}
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s: list %q, want %q", fd.Name, got, want)
					}
					// Every choice is accepted by validate as its own code.
					for j, v := range got {
						c, ok := fd.Lookup(v, nil)
						switch {
						case fd.Type == transform.TypeBoolean:
						case !ok:
							t.Errorf("%s: choice %q is not accepted", fd.Name, v)
						case tc.laCodes == nil && c != fd.Codes[j].Value:
							t.Errorf("%s: choice %q reads as %s, want %s", fd.Name, v, c, fd.Codes[j].Value)
						}
					}
				case fd.Type == transform.TypeDate:
					if dv == nil || dv.Type != "date" {
						t.Errorf("%s: no date validation: %+v", fd.Name, dv)
					}
					style, err := f.GetColStyle("Data", col)
					if err != nil {
						t.Fatal(err)
					}
					if got := numFmt(t, f, style); got != "dd/mm/yyyy" {
						t.Errorf("%s: column format %q, want dd/mm/yyyy", fd.Name, got)
					}
				case fd.Type == transform.TypeInteger:
					if dv == nil || dv.Type != "whole" {
						t.Errorf("%s: no whole number validation: %+v", fd.Name, dv)
					}
				}
			}
			// The Lists sheet's headings never read as the agreed header.
			lists, err := f.GetRows("Lists")
			if err != nil {
				t.Fatal(err)
			}
			if len(lists) == 0 || s.IsHeader(lists[0]) {
				t.Errorf("Lists heading %q reads as the agreed header", lists)
			}
		})
	}
}

// TestFieldsTemplateDictionary checks the Dictionary sheet against the
// field list: one row per field, then a row per code.
func TestFieldsTemplateDictionary(t *testing.T) {
	t.Parallel()
	s := builtinSchema(t)
	_, f := writeTemplateCmd(t)
	rows, err := f.GetRows("Dictionary")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Field", "Title", "H-CLIC question", "XML element", "Type", "Required", "Description", "Code", "Label", "Aliases"}}
	for _, fd := range s.Fields {
		req := "optional"
		if fd.Required {
			req = "required"
		}
		want = append(want, trimRow([]string{fd.Name, fd.Title, fd.Question(), fd.Element(), fd.Type, req, fd.Description}))
		for _, c := range fd.Codes {
			want = append(want, trimRow([]string{fd.Name, "", "", "", "", "", "", c.Value, c.Label, strings.Join(c.Aliases, "; ")}))
		}
	}
	if len(rows) != len(want) {
		t.Fatalf("Dictionary has %d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("Dictionary row %d = %q, want %q", i+1, rows[i], want[i])
		}
	}
	// Spot checks that the content is the H-CLIC one, not only consistent.
	var reason []string
	for _, r := range rows {
		if len(r) > 3 && r[0] == "reasonloss" {
			reason = r
			break
		}
	}
	if len(reason) < 7 || reason[2] != "1.15" || reason[3] != "REASONLOSS" || reason[5] != "required" || reason[6] == "" {
		t.Errorf("reasonloss row %q", reason)
	}
}

// trimRow drops trailing empty cells, as GetRows does.
func trimRow(r []string) []string {
	for len(r) > 0 && r[len(r)-1] == "" {
		r = r[:len(r)-1]
	}
	return r
}

// pick returns the choice of field name's drop-down list that Lookup
// reads as code.
func pick(t *testing.T, f *excelize.File, s *transform.Schema, name, code string) string {
	t.Helper()
	i := s.Index(name)
	col, _ := excelize.ColumnNumberToName(i + 1)
	dv := columnValidations(t, f, "Data")[col]
	if dv == nil {
		t.Fatalf("%s has no validation", name)
	}
	for _, v := range listValues(t, f, dv.Formula1) {
		if c, ok := s.Fields[i].Lookup(v, nil); ok && c == code {
			return v
		}
	}
	t.Fatalf("%s: no choice reads as %s", name, code)
	return ""
}

// TestFieldsTemplateRoundTrip fills the template as a district would,
// picking from its lists and typing dates as dates, and validates it.
func TestFieldsTemplateRoundTrip(t *testing.T) {
	t.Parallel()
	s := builtinSchema(t)
	qed := time.Date(2025, time.December, 31, 0, 0, 0, 0, time.UTC)
	type row struct {
		caseRef string
		reason  string // a code, picked by its label, or a value off the list
		app     time.Time
		age     int
		sex     string
		da      string // support_need_domestic_abuse: Yes, No or ""
	}
	for _, tc := range []struct {
		name      string
		rows      []row
		code      int
		counts    transform.Counts
		wantIssue transform.Issue // Message not compared
	}{
		{
			name: "accepted",
			rows: []row{
				{"00123", "da_victim", time.Date(2025, time.November, 3, 0, 0, 0, 0, time.UTC), 34, "female", "Yes"},
				{"00124", "da_retired", time.Date(2025, time.October, 1, 0, 0, 0, 0, time.UTC), 51, "male", ""},
				{"00125", "ast_end", time.Date(2025, time.December, 30, 0, 0, 0, 0, time.UTC), 27, "other_not_known", "No"},
			},
			code:   exitOK,
			counts: transform.Counts{Read: 3, Accepted: 2, OutOfScope: 1},
		},
		{
			name: "a value off the list",
			rows: []row{
				{"00123", "da_victim", time.Date(2025, time.November, 3, 0, 0, 0, 0, time.UTC), 34, "female", "Yes"},
				{"00124", "Domestic troubles", time.Date(2025, time.October, 1, 0, 0, 0, 0, time.UTC), 51, "male", ""},
			},
			code:      exitFailed,
			counts:    transform.Counts{Read: 2, Accepted: 1, Rejected: 1},
			wantIssue: transform.Issue{Row: 3, Field: "reasonloss", Rule: transform.RuleConstraintError},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path, f := writeTemplateCmd(t, "--partner", "basildon")
			col := func(name string) string {
				c, _ := excelize.ColumnNumberToName(s.Index(name) + 1)
				return c
			}
			set := func(name string, r int, v any) {
				t.Helper()
				if err := f.SetCellValue("Data", fmt.Sprintf("%s%d", col(name), r), v); err != nil {
					t.Fatal(err)
				}
			}
			for i, rw := range tc.rows {
				r := i + 2
				set("la_code", r, pick(t, f, s, "la_code", "E07000066"))
				set("quarter_end_date", r, qed)
				set("case_ref", r, rw.caseRef)
				set("app_date", r, rw.app)
				reason := rw.reason
				if _, ok := s.Fields[s.Index("reasonloss")].Lookup(reason, nil); ok {
					reason = pick(t, f, s, "reasonloss", rw.reason)
				}
				set("reasonloss", r, reason)
				set("household_type", r, pick(t, f, s, "household_type", "single_female"))
				set("main_app_age", r, rw.age)
				set("main_app_sex", r, pick(t, f, s, "main_app_sex", rw.sex))
				if rw.da != "" {
					set("support_need_domestic_abuse", r, rw.da)
				}
			}
			// A date typed into a date column is a number shown dd/mm/yyyy.
			cell := col("app_date") + "2"
			if typ, err := f.GetCellType("Data", cell); err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
				t.Errorf("app_date cell type %v (%v), want a number", typ, err)
			}
			if raw, err := f.GetCellValue("Data", cell, excelize.Options{RawCellValue: true}); err != nil || raw != "45964" {
				t.Errorf("app_date cell holds %q (%v), want the serial 45964", raw, err)
			}
			if style, err := f.GetCellStyle("Data", cell); err != nil || numFmt(t, f, style) != "dd/mm/yyyy" {
				t.Errorf("app_date cell style %d (%v) is not dd/mm/yyyy", style, err)
			}
			if err := f.Save(); err != nil {
				t.Fatal(err)
			}

			code, out, errOut := runCmd(t, "validate", "--partner", "basildon", "--json", path)
			if code != tc.code {
				t.Fatalf("validate: exit %d, want %d; stderr %q, stdout %s", code, tc.code, errOut, out)
			}
			var got struct {
				Files []transform.Result `json:"files"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Files) != 1 {
				t.Fatalf("%d results", len(got.Files))
			}
			res := got.Files[0]
			if res.Format != "xlsx" || res.Rows != tc.counts {
				t.Errorf("format %q rows %+v, want xlsx %+v; errors %+v %+v", res.Format, res.Rows, tc.counts, res.FileErrors, res.Errors)
			}
			if tc.wantIssue.Rule == "" {
				if res.Verdict != transform.Accepted || len(res.Errors) != 0 || len(res.FileErrors) != 0 {
					t.Errorf("verdict %s, errors %+v %+v", res.Verdict, res.FileErrors, res.Errors)
				}
				return
			}
			if len(res.Errors) != 1 {
				t.Fatalf("errors %+v, want one", res.Errors)
			}
			is := res.Errors[0]
			if is.Row != tc.wantIssue.Row || is.Field != tc.wantIssue.Field || is.Rule != tc.wantIssue.Rule {
				t.Errorf("error %+v, want %+v", is, tc.wantIssue)
			}
		})
	}
}

// TestFieldsTemplateExitCodes holds the template's invocations to their
// exit codes, and an existing file to being kept.
func TestFieldsTemplateExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.xlsx")
	if err := os.WriteFile(existing, []byte("the district's own workbook"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no file name", []string{"--xlsx"}, exitUsage, "flag needs an argument"},
		{"empty file name", []string{"--xlsx="}, exitUsage, "--xlsx needs a file name"},
		{"with json", []string{"--json", "--xlsx", filepath.Join(dir, "a.xlsx")}, exitUsage, "cannot be given together"},
		{"partner without xlsx", []string{"--partner", "basildon"}, exitUsage, "go with --xlsx"},
		{"unknown partner", []string{"--xlsx", filepath.Join(dir, "b.xlsx"), "--partner", "basildn"}, exitUsage, "the partners are: basildon"},
		{"existing file", []string{"--xlsx", existing}, exitUsage, "exists; give --overwrite"},
		{"no such folder", []string{"--xlsx", filepath.Join(dir, "none", "c.xlsx")}, exitFailed, "write template"},
		{"written", []string{"--xlsx", filepath.Join(dir, "d.xlsx")}, exitOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, append([]string{"fields"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) || (tc.stderr == "") != (errOut == "") {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tc.code, tc.stderr)
			}
		})
	}
	if b, err := os.ReadFile(existing); err != nil || string(b) != "the district's own workbook" {
		t.Errorf("existing file now %q (%v)", b, err)
	}
	for _, name := range []string{"a.xlsx", "b.xlsx"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s written on a usage error (%v)", name, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	// --overwrite replaces the file with the template.
	if code, _, errOut := runCmd(t, "fields", "--xlsx", existing, "--overwrite"); code != exitOK {
		t.Fatalf("--overwrite: exit %d, stderr %q", code, errOut)
	}
	f, err := excelize.OpenFile(existing)
	if err != nil {
		t.Fatalf("overwritten file: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) == 0 || got[0] != "Data" {
		t.Errorf("overwritten file's sheets %q", got)
	}
}

// TestWriteTemplatePartnerSheet checks that the data sheet takes the
// name a partner's sheet setting gives, which is the sheet the county
// reads, and that a name the template uses for itself is refused.
func TestWriteTemplatePartnerSheet(t *testing.T) {
	t.Parallel()
	s := builtinSchema(t)
	for _, tc := range []struct {
		sheet string
		want  []string // the sheets; nil: an error
	}{
		{"", []string{"Data", "Dictionary", "Lists"}},
		{"Cases", []string{"Cases", "Dictionary", "Lists"}},
		{"lists", nil},
	} {
		t.Run(tc.sheet, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			err := writeTemplate(&b, s, &config.Partner{ID: "basildon", GSS: "E07000066", Sheet: tc.sheet})
			if tc.want == nil {
				if err == nil || !strings.Contains(err.Error(), `"lists"`) {
					t.Fatalf("err = %v, want a refusal naming the sheet", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(strings.NewReader(b.String()))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := f.GetSheetList(); !slices.Equal(got, tc.want) {
				t.Errorf("sheets %q, want %q", got, tc.want)
			}
		})
	}
}
