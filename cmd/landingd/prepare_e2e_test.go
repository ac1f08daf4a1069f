package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// personExport is a synthetic per-person case-management export as a
// district's system writes it: H-CLIC question numbers in the headings,
// personal data beside them, one row per person, date-times, and older
// domestic abuse wordings. want lists the case references of the main
// applicants whose reason is domestic abuse.
type personExport struct {
	header []string
	rows   [][]any
	want   []string
	secret []string // personal values that must never be shared
}

func newPersonExport(households int) personExport {
	reasons := []struct {
		label string
		da    bool
	}{
		{"Domestic violence", true},
		{"End of AST", false},
		{"DV", true},
		{"Family or friends no longer willing or able to accommodate", false},
		{"Domestic abuse", true},
		{"DV - partner", true},
		{"Non-violent relationship breakdown", false},
		{"Domestic abuse - victim", true},
		{"Domestic Abuse – Alleged perpetrator", true},
	}
	e := personExport{header: []string{"Person Id", "Forename", "Surname", "NI Number", "Date of Birth", "Address Line 1", "Postcode",
		"Relationship HCLIC 2.5", "H-CLIC 1.1 Local Authority Code and Case Reference Number", "H-CLIC 1.22 Date homeless application made",
		"H-CLIC 1.5 Date of assessment", "H-CLIC 1.15 Main reason for loss of settled home", "H-CLIC 1.16 Reason for loss of AST",
		"Household composition", "H-CLIC 2.4 Age at application", "H-CLIC 2.3 Sex"}}
	person := 0
	for h := 0; h < households; h++ {
		ref := fmt.Sprintf("HX-%05d", 7000+h)
		r := reasons[h%len(reasons)]
		app := time.Date(2025, 10, 1+h%28, 0, 0, 0, 0, time.UTC)
		if h%5 == 2 {
			app = app.Add(14*time.Hour + 30*time.Minute) // a time of day, dropped
		}
		members := []string{"Main Applicant"}
		for k := 0; k < h%3; k++ {
			members = append(members, []string{"Partner", "Child"}[k%2])
		}
		if h%4 == 1 && len(members) > 1 {
			members[0], members[1] = members[1], members[0] // the main applicant is not always first
		}
		for _, rel := range members {
			person++
			fore, sur, nino := fmt.Sprintf("Forename%d", person), fmt.Sprintf("Surname%d", h), fmt.Sprintf("QX%06dA", person)
			age := 20 + (h*7+person)%50
			sex := []string{"Female", "Male"}[person%2]
			e.secret = append(e.secret, fore, sur, nino)
			e.rows = append(e.rows, []any{person, fore, sur, nino, time.Date(1960+age%40, time.Month(1+h%12), 1+h%27, 0, 0, 0, 0, time.UTC),
				fmt.Sprintf("%d Example Road", h), "ZZ9 9ZZ", rel, ref, app, app.AddDate(0, 0, 1), r.label, "",
				[]string{"Single adult - female", "Single parent with dependent children - female", "Couple or two adults with dependent children"}[h%3], age, sex})
			if rel == "Main Applicant" && r.da {
				e.want = append(e.want, ref)
			}
		}
	}
	return e
}

// csvBytes writes the export as CSV with sep, dates as DD/MM/YYYY
// HH:MM:SS, and a BOM when bom.
func (e personExport) csvBytes(sep rune, bom bool) []byte {
	var b bytes.Buffer
	if bom {
		b.WriteString("\ufeff")
	}
	w := csv.NewWriter(&b)
	w.Comma = sep
	_ = w.Write(e.header)
	for _, row := range e.rows {
		cells := make([]string, len(row))
		for i, v := range row {
			if d, ok := v.(time.Time); ok {
				cells[i] = d.Format("02/01/2006 15:04:05")
			} else {
				cells[i] = fmt.Sprint(v)
			}
		}
		_ = w.Write(cells)
	}
	w.Flush()
	return b.Bytes()
}

// xlsxBytes writes the export as a workbook whose dates are date cells.
func (e personExport) xlsxBytes(t *testing.T) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	style, err := f.NewStyle(&excelize.Style{NumFmt: 22})
	must(t, err)
	hdr := make([]any, len(e.header))
	for i, h := range e.header {
		hdr[i] = h
	}
	must(t, f.SetSheetRow(sh, "A1", &hdr))
	for r, row := range e.rows {
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		must(t, f.SetSheetRow(sh, cell, &row))
		for c, v := range row {
			if _, ok := v.(time.Time); ok {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
				must(t, f.SetCellStyle(sh, cell, cell, style))
			}
		}
	}
	var buf bytes.Buffer
	must(t, f.Write(&buf))
	return buf.Bytes()
}

// TestE2EPrepareThenRun is the district kit end to end: a per-person
// export goes through prepare with a short mapping, the prepared file is
// accepted by validate and by a county run, and it holds exactly the main
// applicants whose reason is domestic abuse, and only agreed columns.
func TestE2EPrepareThenRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	e := newPersonExport(60)
	variants := []struct {
		name, file string
		data       []byte
	}{
		{"CSV", "basildon export 2025Q4.csv", e.csvBytes(',', false)},
		{"SemicolonBOM", "basildon_export_2025-q4.csv", e.csvBytes(';', true)},
		{"XLSX", "basildon export 2025Q4.xlsx", e.xlsxBytes(t)},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			l := newLab(t, "", "basildon")
			export := filepath.Join(l.dir, v.file)
			must(t, os.WriteFile(export, v.data, 0o600))
			mapping := filepath.Join(l.dir, "basildon-mapping.yaml")
			must(t, os.WriteFile(mapping, []byte("keep_rows:\n  - {column: \"Relationship HCLIC 2.5\", equals: \"Main Applicant\"}\ndate_order: dmy\n"), 0o600))
			prepared := filepath.Join(l.dir, "basildon_2025Q4.csv")

			r := runBin(t, l.dir, "prepare", "--config", l.protocol, "--partner", "basildon", "--mapping", mapping, "--out", prepared, export)
			if r.code != 0 {
				t.Fatalf("prepare: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			for _, want := range []string{`"NI Number": dropped: personal data (NI number), never shared`, `"Forename": dropped: personal data`,
				`"Postcode": dropped: personal data`, `"Date of Birth": dropped: personal data`, "Verdict:  ACCEPTED"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("prepare's output lacks %q:\n%s", want, r.stdout)
				}
			}
			raw, err := os.ReadFile(prepared)
			must(t, err)
			for _, s := range e.secret {
				if bytes.Contains(raw, []byte(s)) || strings.Contains(r.stdout+r.stderr, s) {
					t.Fatalf("personal value %q left the export", s)
				}
			}
			rows := csvRows(t, raw)
			if got, want := strings.Join(rows[0], ","), "la_code,quarter_end_date,case_ref,app_date,assess_date,reasonloss,household_type,main_app_age,main_app_sex"; got != want {
				t.Errorf("prepared columns %s, want %s", got, want)
			}
			var refs []string
			for _, row := range rows[1:] {
				refs = append(refs, row[2])
			}
			slices.Sort(refs)
			if !slices.Equal(refs, e.want) {
				t.Errorf("prepared cases %v, want the DA main applicants %v", refs, e.want)
			}

			if r := runBin(t, l.dir, "validate", "--config", l.protocol, "--partner", "basildon", prepared); r.code != 0 {
				t.Fatalf("validate: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			must(t, os.WriteFile(filepath.Join(l.dir, "landing", "basildon", "basildon_2025Q4.csv"), raw, 0o600))
			if r := l.run(t); r.code != 0 {
				t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
			}
			if _, err := os.Stat(filepath.Join(l.dir, "landing", "basildon", "processed", "basildon_2025Q4.csv")); err != nil {
				t.Fatalf("the prepared file was not accepted: %v", err)
			}
			combined := csvRows(t, l.outputs(t)["2025Q4/combined.csv"])
			if len(combined)-1 != len(e.want) {
				t.Errorf("combined holds %d cases, want %d", len(combined)-1, len(e.want))
			}
			for _, row := range combined {
				for _, ref := range e.want {
					if slices.Contains(row, ref) {
						t.Fatalf("the combined dataset holds the raw case reference %s", ref)
					}
				}
			}
		})
	}
}
