package prepare

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"landingd/transform"
)

const schemaPath = "../../deploy/protocols/da-needs-assessment/hclic-da.schema.json"

func loadSchema(t testing.TB) *transform.Schema {
	t.Helper()
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	s, err := transform.LoadSchema(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func options(t testing.TB, mapping string) Options {
	t.Helper()
	s := loadSchema(t)
	opt := Options{Schema: s, PartnerGSS: "E07000066", FilterField: "reasonloss",
		Keep: []string{"da_victim", "da_alleged_perpetrator", "da_retired"}}
	if mapping != "" {
		m, err := LoadMapping("map.yaml", []byte(mapping), s)
		if err != nil {
			t.Fatal(err)
		}
		opt.Mapping = m
	}
	return opt
}

// personHeader is a per-person export's header: question numbers,
// personal data, and a relationship column.
var personHeader = []string{"Person Id", "Forename", "Surname", "NI Number", "Date of birth", "Postcode", "Relationship",
	"H-CLIC 1.1 Local Authority Code and Case Reference Number", "H-CLIC 1.22 Date homeless application made",
	"H-CLIC 1.15 Main reason for loss of settled home", "Household composition", "H-CLIC 2.4 Age at application", "H-CLIC 2.3 Sex"}

var personRows = [][]string{
	{"1", "Ann", "Smith", "QQ123456A", "01/02/1990 00:00:00", "CM1 1AA", "Main Applicant", "C-1", "01/10/2025 00:00:00", "Domestic violence", "Single adult - female", "35", "Female"},
	{"2", "Bob", "Smith", "QQ123456B", "01/02/2015 00:00:00", "CM1 1AA", "Child", "C-1", "01/10/2025 00:00:00", "Domestic violence", "Single adult - female", "10", "Male"},
	{"3", "Cat", "Jones", "QQ123456C", "01/02/1980 00:00:00", "CM1 1AB", "Main Applicant", "C-2", "02/10/2025 00:00:00", "End of AST", "Single adult - female", "45", "Female"},
	{"4", "Dan", "Brown", "QQ123456D", "01/02/1970 00:00:00", "CM1 1AC", "Main applicant", "C-3", "03/10/2025 10:15:00", "DV - partner", "Single adult - male", "55", "Male"},
	{"5", "Eve", "Brown", "QQ123456E", "01/02/1972 00:00:00", "CM1 1AC", "Partner", "C-3", "03/10/2025 10:15:00", "DV - partner", "Single adult - male", "53", "Female"},
	{"6", "Fay", "Green", "QQ123456F", "01/02/1985 00:00:00", "CM1 1AD", "Main Applicant", "C-4", "04/10/2025 00:00:00", "DV (partner)", "Single adult - female", "40", "F"},
}

// wantPrepared is what every variant of the export prepares to.
const wantPrepared = `la_code,quarter_end_date,case_ref,app_date,reasonloss,household_type,main_app_age,main_app_sex
E07000066,2025-12-31,C-1,2025-10-01,da_retired,single_female,35,female
E07000066,2025-12-31,C-3,2025-10-03,da_victim,single_male,55,male
E07000066,2025-12-31,C-4,2025-10-04,da_victim,single_female,40,female
`

const shortMapping = `keep_rows:
  - {column: Relationship, equals: Main Applicant}
values:
  reasonloss: {"DV (partner)": da_victim}
`

func writeCSV(t testing.TB, sep rune, bom bool, title string, header []string, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if bom {
		b.WriteString("\ufeff")
	}
	if title != "" {
		b.WriteString(title + "\r\n\r\n")
	}
	w := csv.NewWriter(&b)
	w.Comma = sep
	w.UseCRLF = true
	_ = w.Write(header)
	_ = w.WriteAll(rows)
	return b.Bytes()
}

// writeXLSX writes the export as Excel would: dates as date cells.
func writeXLSX(t testing.TB, header []string, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	put := func(r int, cells []any) {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := f.SetSheetRow(sh, cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	hdr := make([]any, len(header))
	for i, h := range header {
		hdr[i] = h
	}
	put(1, hdr)
	for i, row := range rows {
		cells := make([]any, len(row))
		for c, v := range row {
			cells[c] = v
			if d, err := time.Parse("02/01/2006 15:04:05", v); err == nil {
				cells[c] = d
			}
		}
		put(i+2, cells)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPrepareFamily prepares one per-person export written the ways real
// exports are, and wants the same agreed file from each.
func TestPrepareFamily(t *testing.T) {
	t.Parallel()
	renamed := append([]string(nil), personHeader...)
	renamed[8], renamed[9], renamed[11] = "1.22 Application date", "REASONLOSS", "Q2.4: Age"
	mapped := append([]string(nil), personHeader...)
	mapped[7] = "Case Ref"
	tests := []struct {
		name    string
		file    string
		data    []byte
		mapping string
	}{
		{"Comma", "export 2025Q4.csv", writeCSV(t, ',', false, "", personHeader, personRows), shortMapping},
		{"BOMSemicolon", "export_2025-q4.csv", writeCSV(t, ';', true, "", personHeader, personRows), shortMapping},
		{"TabTitleRows", "export-2025Q4.csv", writeCSV(t, '\t', false, "Homelessness cases, Basildon", personHeader, personRows), shortMapping},
		{"OtherHeadings", "2025Q4.csv", writeCSV(t, ',', false, "", renamed, personRows), shortMapping},
		{"MappedColumn", "2025Q4.csv", writeCSV(t, ',', false, "", mapped, personRows), shortMapping + "columns: {\"case ref\": case_ref}\n"},
		{"InCondition", "2025Q4.csv", writeCSV(t, ',', false, "", personHeader, personRows),
			"keep_rows: [{column: relationship, in: [MAIN APPLICANT, Sole applicant]}]\nvalues: {reasonloss: {\"DV (partner)\": da_victim}}\n"},
		{"XLSX", "export 2025Q4.xlsx", writeXLSX(t, personHeader, personRows), shortMapping},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			rc, err := Prepare(context.Background(), tt.file, bytes.NewReader(tt.data), &out, options(t, tt.mapping))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.ReplaceAll(out.String(), "\r\n", "\n"); got != wantPrepared {
				t.Errorf("prepared\n%s\nwant\n%s", got, wantPrepared)
			}
			if rc.Read != 6 || rc.NotKept != 2 || rc.OutOfScope != 1 || rc.Written != 3 || rc.TimesDropped != 1 {
				t.Errorf("receipt %+v", rc)
			}
			personal := 0
			for _, d := range rc.Dropped {
				if d.Personal != "" {
					personal++
				}
			}
			if personal != 5 || len(rc.Dropped) != 7 {
				t.Errorf("dropped %+v; want 7, 5 of them personal", rc.Dropped)
			}
			var receipt bytes.Buffer
			if err := rc.WriteText(&receipt); err != nil {
				t.Fatal(err)
			}
			for _, row := range personRows {
				for _, v := range row[1:6] {
					if strings.Contains(receipt.String(), v) || strings.Contains(out.String(), v) {
						t.Errorf("the value %q is in the receipt or the prepared file", v)
					}
				}
			}
			if !strings.Contains(receipt.String(), `"NI Number": dropped: personal data (NI number), never shared`) {
				t.Errorf("receipt:\n%s", receipt.String())
			}
		})
	}
}

func TestPrepareErrors(t *testing.T) {
	t.Parallel()
	good := writeCSV(t, ',', false, "", personHeader, personRows)
	tests := []struct {
		name, file string
		data       []byte
		mapping    string
		quarter    string
		want       string
	}{
		{"NoHeader", "2025Q4.csv", []byte("a,b\n1,2\n"), "", "", "prepare 2025Q4.csv: no row among the first"},
		{"Empty", "2025Q4.csv", nil, "", "", "prepare 2025Q4.csv: the file has no header row"},
		{"NotXLSX", "2025Q4.xlsx", []byte("not a zip"), "", "", "prepare 2025Q4.xlsx:"},
		{"UnknownColumn", "2025Q4.csv", good, "columns: {Case Number: case_ref}\n", "", `prepare 2025Q4.csv: row 1: the mapping's columns name "Case Number", which is not a heading of the header row (line 1 of the mapping)`},
		{"UnknownKeepColumn", "2025Q4.csv", good, "keep_rows:\n  - {column: Role, equals: x}\n", "", `row 1: the mapping's keep_rows name the column "Role", which is not a heading of the header row (line 2 of the mapping)`},
		{"NoQuarter", "export.csv", good, "", "", "its name holds no quarter"},
		{"BadQuarter", "export.csv", good, "", "2025Q5", `quarter "2025Q5"`},
		{"Quoting", "2025Q4.csv", append(append([]byte(nil), good...), "1,\"x\n"...), "", "", "prepare 2025Q4.csv: row 8:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opt := options(t, tt.mapping)
			opt.Quarter = tt.quarter
			_, err := Prepare(context.Background(), tt.file, bytes.NewReader(tt.data), &bytes.Buffer{}, opt)
			var pe *Error
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want an *Error with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "QQ1234") {
				t.Errorf("a cell value in %q", err)
			}
		})
	}
}

func TestLoadMapping(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	tests := []struct{ name, in, want string }{
		{"Valid", shortMapping + "columns: {Case Ref: case_ref}\ndate_order: mdy\n", ""},
		{"Empty", "", ""},
		{"UnknownKey", "keep_row:\n  - {column: a, equals: b}\n", "line 1: field keep_row not found"},
		{"UnknownConditionKey", "keep_rows:\n  - {column: a, is: b}\n", "line 2: field is not found"},
		{"UnknownField", "columns:\n  Case Ref: case_reference\n", `map.yaml:2: columns: "Case Ref" maps to "case_reference", which is not on the agreed field list`},
		{"SameHeading", "columns:\n  Case Ref: case_ref\n  CASE REF: case_ref\n", "are the same heading"},
		{"NoColumn", "keep_rows:\n  - {equals: b}\n", "map.yaml:2: keep_rows: a condition needs a column"},
		{"NoTest", "keep_rows:\n  - column: a\n", "map.yaml:2: keep_rows: a condition needs equals or in"},
		{"UncodedValues", "values:\n  app_date: {x: y}\n", `map.yaml:2: values: "app_date" is not a coded field`},
		{"UnknownCode", "values:\n  reasonloss: {DV: domestic_violence}\n", `map.yaml:2: values: reasonloss: "DV" maps to "domestic_violence", which is not one of the field's codes`},
		{"BadDateOrder", "date_order: ymd\n", `map.yaml:1: date_order: "ymd" is not a date order`},
		{"NotYAML", "columns: [", "load mapping map.yaml: yaml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadMapping("map.yaml", []byte(tt.in), s)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// FuzzLoadMapping checks that no mapping file crashes the loader, and
// that one it accepts prepares an export without crashing.
func FuzzLoadMapping(f *testing.F) {
	f.Add([]byte(shortMapping))
	f.Add([]byte("columns: {Case Ref: case_ref}\nkeep_rows: [{column: a, in: [x, y]}]\ndate_order: mdy\n"))
	f.Add([]byte("values:\n  reasonloss:\n    DV: da_retired\n"))
	s := loadSchema(f)
	export := writeCSV(f, ',', false, "", personHeader, personRows)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := LoadMapping("map.yaml", data, s)
		if err != nil {
			return
		}
		opt := Options{Schema: s, Mapping: m, PartnerGSS: "E07000066", Quarter: "2025Q4", FilterField: "reasonloss", Keep: []string{"da_victim"}}
		_, _ = Prepare(context.Background(), "x.csv", bytes.NewReader(export), &bytes.Buffer{}, opt)
	})
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "export 2025Q4.csv")
	if err := os.WriteFile(in, writeCSV(t, ',', false, "", personHeader, personRows), 0o644); err != nil {
		t.Fatal(err)
	}
	opt := options(t, shortMapping)
	for _, out := range []string{in, filepath.Join(dir, ".", "export 2025Q4.csv")} {
		var pe *Error
		if _, err := WriteFile(context.Background(), in, out, opt); !errors.As(err, &pe) || !strings.Contains(err.Error(), "overwrite") {
			t.Errorf("writing over the export %s: %v", out, err)
		}
	}
	out := filepath.Join(dir, "basildon_2025Q4.csv")
	if _, err := WriteFile(context.Background(), in, out, opt); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil || strings.ReplaceAll(string(got), "\r\n", "\n") != wantPrepared {
		t.Fatalf("wrote %q, %v", got, err)
	}
	// A failed prepare leaves no file and no temporary file behind.
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteFile(context.Background(), bad, filepath.Join(dir, "never.csv"), opt); err == nil {
		t.Fatal("prepared a file without a header")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("files left: %v", entries)
	}
}
