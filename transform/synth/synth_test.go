package synth_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"landingd/transform/synth"
)

func TestDistricts(t *testing.T) {
	t.Parallel()
	ds := synth.Districts()
	if len(ds) != 12 {
		t.Fatalf("Districts() has %d, want 12", len(ds))
	}
	for i, d := range ds {
		want := fmt.Sprintf("E070000%02d", 66+i)
		if d.GSS != want {
			t.Errorf("district %d %s: GSS %s, want %s", i, d.ID, d.GSS, want)
		}
		if !strings.Contains(d.Name, "Council") {
			t.Errorf("district %s: name %q is not a council's", d.ID, d.Name)
		}
		got, ok := synth.DistrictByID(d.ID)
		if !ok || got != d {
			t.Errorf("DistrictByID(%q) = %v, %v", d.ID, got, ok)
		}
	}
	if ds[3].ID != "castle_point" || ds[6].ID != "epping_forest" {
		t.Errorf("ids %q, %q; want castle_point, epping_forest", ds[3].ID, ds[6].ID)
	}
	if _, ok := synth.DistrictByID("southend"); ok {
		t.Error("DistrictByID(southend) found a district")
	}
	ds[0].Name = "changed"
	if synth.Districts()[0].Name == "changed" {
		t.Error("Districts() shares its backing array")
	}
}

func TestCaseRef(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^SYN-[A-Z]{3}-[0-9]{6,}$`)
	seen := map[string]bool{}
	for _, d := range synth.Districts() {
		ref := synth.CaseRef(d, 123)
		if !re.MatchString(ref) {
			t.Errorf("CaseRef(%s, 123) = %q, want SYN-XXX-000123", d.ID, ref)
		}
		if seen[ref] {
			t.Errorf("CaseRef(%s, 123) = %q, as for another district", d.ID, ref)
		}
		seen[ref] = true
	}
	if got := synth.CaseRef(district(t, "basildon"), 123); got != "SYN-BAS-000123" {
		t.Errorf("CaseRef(basildon, 123) = %q", got)
	}
	if got := synth.CaseRef(district(t, "tendring"), 1234567); got != "SYN-TEN-1234567" {
		t.Errorf("CaseRef(tendring, 1234567) = %q", got)
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	bas := district(t, "basildon")
	specs := map[string]synth.Spec{
		"csv":   {District: bas, Quarters: []string{"2023Q2", "2023Q3"}, Rows: 300, BadRows: 5, Duplicates: 3, Extra: []string{"nino"}},
		"mixed": {District: bas, Quarters: []string{"2025Q4"}, Rows: 300, Spelling: "mixed", Headers: "mixed", Shuffle: true, Encoding: "windows-1252", TitleRows: []string{"Basildon – extract"}},
		"xlsx":  {District: bas, Quarters: []string{"2025Q3", "2025Q4"}, Rows: 300, Format: "xlsx", DateStyle: "excel", TitleRows: []string{"Basildon H-CLIC extract"}},
	}
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			spec.Seed = 7
			a, _ := write(t, spec)
			b, _ := write(t, spec)
			if !bytes.Equal(a, b) {
				t.Fatal("the same seed gave different bytes")
			}
			spec.Seed = 8
			c, _ := write(t, spec)
			if bytes.Equal(a, c) {
				t.Fatal("seeds 7 and 8 gave the same bytes")
			}
		})
	}
}

func TestHeaderColumns(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	required := s.Required()
	tests := []struct {
		name string
		spec synth.Spec
		want []string
	}{
		{"required only", synth.Spec{Optional: []string{}}, required},
		{"optional", synth.Spec{Optional: []string{"ta_type", "assess_date"}},
			insertInSchemaOrder(t, required, "assess_date", "ta_type")},
		{"drop and extra", synth.Spec{Optional: []string{}, Drop: []string{"main_app_sex"}, Extra: []string{"nino", "postcode"}},
			append(slices.DeleteFunc(slices.Clone(required), func(s string) bool { return s == "main_app_sex" }), "nino", "postcode")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.District, tt.spec.Quarters, tt.spec.Rows = district(t, "harlow"), []string{"2025Q4"}, 50
			data, _ := write(t, tt.spec)
			tbl := parseCSV(t, data, ',', 0)
			if !slices.Equal(tbl.header, tt.want) {
				t.Fatalf("header %v\nwant %v", tbl.header, tt.want)
			}
			for i, row := range tbl.rows {
				if len(row) != len(tt.want) {
					t.Fatalf("row %d has %d cells, want %d", i+2, len(row), len(tt.want))
				}
			}
			if slices.Contains(tt.spec.Extra, "nino") {
				ni := regexp.MustCompile(`^QQ[0-9]{6}C$`)
				col := tbl.col(t, "nino")
				for _, row := range tbl.rows {
					if !ni.MatchString(row[col]) {
						t.Fatalf("nino %q is not an obviously fake QQ number", row[col])
					}
				}
			}
		})
	}
}

// insertInSchemaOrder returns the schema's fields among base and extra, in
// schema order.
func insertInSchemaOrder(t *testing.T, base []string, extra ...string) []string {
	var out []string
	for _, f := range loadSchema(t).Fields {
		if slices.Contains(base, f.Name) || slices.Contains(extra, f.Name) {
			out = append(out, f.Name)
		}
	}
	return out
}

func TestDefaultOptional(t *testing.T) {
	t.Parallel()
	data, _ := write(t, synth.Spec{District: district(t, "maldon"), Quarters: []string{"2025Q4"}, Rows: 5})
	tbl := parseCSV(t, data, ',', 0)
	for _, want := range []string{"assess_date", "referral_source", "ta_type"} {
		tbl.col(t, want)
	}
	if slices.Contains(tbl.header, "main_app_sexual_orientation") {
		t.Error("the default set holds main_app_sexual_orientation, which districts rarely send")
	}
}

// TestRows checks the realism rules over a large backfill.
func TestRows(t *testing.T) {
	t.Parallel()
	const rows = 1500
	quarters := []string{"2022Q4", "2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1"}
	d := district(t, "colchester")
	data, st := write(t, synth.Spec{District: d, Quarters: quarters, Rows: rows, Seed: 3})
	tbl := parseCSV(t, data, ',', 0)
	if len(tbl.rows) != rows*len(quarters) || st.Rows != len(tbl.rows) {
		t.Fatalf("%d rows (stats %d), want %d", len(tbl.rows), st.Rows, rows*len(quarters))
	}
	c := func(name string) int { return tbl.col(t, name) }
	iLA, iQED, iRef, iApp, iAssess, iReason := c("la_code"), c("quarter_end_date"), c("case_ref"), c("app_date"), c("assess_date"), c("reasonloss")
	iHouse, iKids, iAge, iSex := c("household_type"), c("num_dependent_children"), c("main_app_age"), c("main_app_sex")
	date := func(v string) time.Time {
		tm, err := time.Parse(time.DateOnly, v)
		if err != nil {
			t.Fatalf("date %q: %v", v, err)
		}
		return tm
	}
	sexCodes := codeSet(t, "main_app_sex")
	perQuarter := map[string]int{}
	refsByQuarter := map[string]map[string]bool{}
	keys := map[string]bool{}
	da, age1860 := 0, 0
	daByCode := map[string]int{}
	for i, row := range tbl.rows {
		line := i + 2
		if row[iLA] != d.GSS {
			t.Fatalf("row %d: la_code %s, want %s", line, row[iLA], d.GSS)
		}
		qed := date(row[iQED])
		q := quarterOf(qed)
		if !slices.Contains(quarters, q) || qed != quarterEnd(t, q) {
			t.Fatalf("row %d: quarter_end_date %s is not the end of a requested quarter", line, row[iQED])
		}
		perQuarter[q]++
		key := row[iRef] + "|" + row[iQED]
		if keys[key] {
			t.Fatalf("row %d: (case_ref, quarter_end_date) repeats", line)
		}
		keys[key] = true
		if refsByQuarter[q] == nil {
			refsByQuarter[q] = map[string]bool{}
		}
		refsByQuarter[q][row[iRef]] = true
		if !strings.HasPrefix(row[iRef], "SYN-COL-") {
			t.Fatalf("row %d: case_ref %q", line, row[iRef])
		}
		app := date(row[iApp])
		if app.Before(time.Date(2018, 4, 3, 0, 0, 0, 0, time.UTC)) || app.After(qed) {
			t.Fatalf("row %d: app_date %s outside 2018-04-03..%s", line, row[iApp], row[iQED])
		}
		if row[iAssess] != "" {
			if as := date(row[iAssess]); as.Before(app) || as.After(qed) {
				t.Fatalf("row %d: assess_date %s not between app_date %s and quarter end", line, row[iAssess], row[iApp])
			}
		}
		age, err := strconv.Atoi(row[iAge])
		if err != nil || age < 16 || age > 120 {
			t.Fatalf("row %d: main_app_age %q", line, row[iAge])
		}
		if age >= 18 && age <= 60 {
			age1860++
		}
		kids, err := strconv.Atoi(row[iKids])
		if err != nil || kids < 0 || kids > 6 {
			t.Fatalf("row %d: num_dependent_children %q", line, row[iKids])
		}
		house := row[iHouse]
		switch {
		case strings.Contains(house, "no_children") || strings.HasPrefix(house, "single_") && !strings.HasPrefix(house, "single_parent"):
			if kids != 0 {
				t.Fatalf("row %d: %s with %d children", line, house, kids)
			}
		case strings.Contains(house, "with_children") || strings.HasPrefix(house, "single_parent"):
			if kids == 0 {
				t.Fatalf("row %d: %s without children", line, house)
			}
		}
		if !sexCodes[row[iSex]] {
			t.Fatalf("row %d: main_app_sex %q is not a code", line, row[iSex])
		}
		if strings.HasSuffix(house, "_female") && row[iSex] != "female" || strings.HasSuffix(house, "_male") && row[iSex] != "male" {
			t.Fatalf("row %d: household %s but sex %s", line, house, row[iSex])
		}
		reason := row[iReason]
		if strings.HasPrefix(reason, "da_") {
			da++
			if q < "2023Q3" && reason != synth.CodeDARetired {
				t.Fatalf("row %d: %s in %s, before the split", line, reason, q)
			}
			if q >= "2023Q3" {
				daByCode[reason]++
			}
		}
	}
	for _, q := range quarters {
		if perQuarter[q] != rows {
			t.Errorf("quarter %s has %d rows, want %d", q, perQuarter[q], rows)
		}
	}
	if share := float64(da) / float64(len(tbl.rows)); share < 0.37 || share > 0.43 {
		t.Errorf("domestic abuse share %.3f, want about 0.4", share)
	}
	if da != st.InScope {
		t.Errorf("stats say %d in scope, file has %d", st.InScope, da)
	}
	if share := float64(age1860) / float64(len(tbl.rows)); share < 0.8 {
		t.Errorf("only %.2f of ages are 18-60", share)
	}
	v, p, r := daByCode[synth.CodeDAVictim], daByCode[synth.CodeDAPerpetrator], daByCode[synth.CodeDARetired]
	if v <= p || p == 0 || r == 0 || r >= p {
		t.Errorf("after the split: victim %d, alleged perpetrator %d, retired %d; want victim most, a few retired", v, p, r)
	}
	for i := 1; i < len(quarters); i++ {
		shared := 0
		for ref := range refsByQuarter[quarters[i]] {
			if refsByQuarter[quarters[i-1]][ref] {
				shared++
			}
		}
		if shared < rows/5 || shared == rows {
			t.Errorf("%s shares %d of %d cases with %s; want recurring cases and new ones", quarters[i], shared, rows, quarters[i-1])
		}
	}
}

func codeSet(t *testing.T, field string) map[string]bool {
	f := loadSchema(t).Field(field)
	if f == nil {
		t.Fatalf("no field %s", field)
	}
	out := map[string]bool{}
	for _, c := range f.Codes {
		out[c.Value] = true
	}
	return out
}

func quarterOf(t time.Time) string {
	return fmt.Sprintf("%dQ%d", t.Year(), (int(t.Month())+2)/3)
}

func quarterEnd(t *testing.T, q string) time.Time {
	year, _ := strconv.Atoi(q[:4])
	n, _ := strconv.Atoi(q[5:])
	return time.Date(year, time.Month(3*n+1), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
}

func TestDAShare(t *testing.T) {
	t.Parallel()
	for _, share := range []float64{-1, 0.1, 0.9, 1} {
		_, st := write(t, synth.Spec{District: district(t, "rochford"), Quarters: []string{"2025Q4"}, Rows: 2000, DAShare: share})
		want := max(share, 0)
		got := float64(st.InScope) / float64(st.Rows)
		if got < want-0.04 || got > want+0.04 {
			t.Errorf("DAShare %v: %.3f of rows in scope", share, got)
		}
	}
}

// TestCasesLinkAcrossFiles checks that two files for consecutive quarters
// written with the same seed share cases with the same attributes.
func TestCasesLinkAcrossFiles(t *testing.T) {
	t.Parallel()
	d := district(t, "braintree")
	spec := synth.Spec{District: d, Rows: 200, Seed: 11, Optional: []string{}}
	spec.Quarters = []string{"2025Q3"}
	a, _ := write(t, spec)
	spec.Quarters = []string{"2025Q4"}
	b, _ := write(t, spec)
	ta, tb := parseCSV(t, a, ',', 0), parseCSV(t, b, ',', 0)
	iRef, iQED := ta.col(t, "case_ref"), ta.col(t, "quarter_end_date")
	prev := map[string][]string{}
	for _, row := range ta.rows {
		prev[row[iRef]] = row
	}
	shared := 0
	for _, row := range tb.rows {
		p, ok := prev[row[iRef]]
		if !ok {
			continue
		}
		shared++
		for i := range row {
			if i != iQED && ta.header[i] != "reasonloss" && row[i] != p[i] {
				t.Fatalf("case %s: %s is %q in 2025Q3 but %q in 2025Q4", row[iRef], ta.header[i], p[i], row[i])
			}
		}
	}
	if shared == 0 {
		t.Fatal("no case of 2025Q3 recurs in 2025Q4")
	}
}

func TestWindows1252(t *testing.T) {
	t.Parallel()
	spec := synth.Spec{District: district(t, "tendring"), Quarters: []string{"2025Q4"}, Rows: 40, Spelling: "labels", Seed: 5,
		TitleRows: []string{"Tendring – H-CLIC extract, café £0"}}
	utf, _ := write(t, spec)
	spec.Encoding = "windows-1252"
	win, _ := write(t, spec)
	if utf8.Valid(win) {
		t.Fatal("windows-1252 output is valid UTF-8: no character exercises decoding")
	}
	back, err := charmap.Windows1252.NewDecoder().Bytes(win)
	if err != nil {
		t.Fatalf("decode windows-1252: %v", err)
	}
	if !bytes.Equal(back, utf) {
		t.Fatal("windows-1252 output decodes to something other than the UTF-8 output")
	}
	if !bytes.Contains(win, []byte{0x96}) {
		t.Error("no en dash (0x96) in the windows-1252 output")
	}
}

func TestWindows1252Unencodable(t *testing.T) {
	t.Parallel()
	spec := synth.Spec{District: district(t, "tendring"), Quarters: []string{"2025Q4"}, Rows: 1,
		Encoding: "windows-1252", TitleRows: []string{"Tendring 住宅"}}
	if err := synth.Write(io.Discard, loadSchema(t), spec); err == nil {
		t.Fatal("a title Windows-1252 cannot encode was written without error")
	}
}

func TestBOMAndDelimiter(t *testing.T) {
	t.Parallel()
	spec := synth.Spec{District: district(t, "brentwood"), Quarters: []string{"2025Q4"}, Rows: 10,
		Encoding: "utf-8-bom", Delimiter: ';', CRLF: true}
	data, _ := write(t, spec)
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		t.Fatal("no BOM")
	}
	if bytes.Count(data, []byte("\r\n")) != 11 || bytes.Count(data, []byte("\n")) != 11 {
		t.Error("lines do not all end in CRLF")
	}
	tbl := parseCSV(t, data[3:], ';', 0)
	if tbl.header[0] != "la_code" || len(tbl.rows) != 10 {
		t.Errorf("header %v, %d rows", tbl.header, len(tbl.rows))
	}
}

func TestTitleRows(t *testing.T) {
	t.Parallel()
	titles := []string{"Chelmsford H-CLIC extract", "Produced 2026-01-08"}
	spec := synth.Spec{District: district(t, "chelmsford"), Quarters: []string{"2025Q4"}, Rows: 3, TitleRows: titles}
	data, st := write(t, spec)
	tbl := parseCSV(t, data, ',', 0)
	if tbl.header[0] != titles[0] || tbl.rows[0][0] != titles[1] || tbl.rows[1][0] != "la_code" {
		t.Fatalf("CSV does not start with the title rows then the header: %q", data[:120])
	}
	spec.Format = "xlsx"
	rows := xlsxRows(t, spec)
	if rows[0][0] != titles[0] || rows[1][0] != titles[1] || rows[2][0] != "la_code" || len(rows) != 6 {
		t.Fatalf("xlsx rows start %v", rows[:3])
	}
	spec.Format, spec.BadRows = "csv", 2
	_, st = write(t, spec)
	if !slices.Equal(st.BadRows, []int{4, 6}) {
		t.Errorf("bad rows at %v, want [4 6] (data starts at row 4, after 2 title rows and the header)", st.BadRows)
	}
}

func xlsxRows(t *testing.T, spec synth.Spec) [][]string {
	data, _ := write(t, spec)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatalf("read xlsx: %v", err)
	}
	return rows
}

// TestXLSXMatchesCSV checks that an xlsx holds the rows of the CSV written
// with the same seed, for each date style.
func TestXLSXMatchesCSV(t *testing.T) {
	t.Parallel()
	for _, style := range []string{"iso", "uk", "excel"} {
		t.Run(style, func(t *testing.T) {
			spec := synth.Spec{District: district(t, "uttlesford"), Quarters: []string{"2023Q2", "2023Q3"}, Rows: 60,
				Seed: 9, Spelling: "mixed", BadRows: 3, Extra: []string{"nino"}, Format: "xlsx", DateStyle: style}
			rows := xlsxRows(t, spec)
			spec.Format = "csv"
			if style == "excel" {
				spec.DateStyle = "uk" // the xlsx date format is dd/mm/yyyy
			}
			data, _ := write(t, spec)
			tbl := parseCSV(t, data, ',', 0)
			want := append([][]string{tbl.header}, tbl.rows...)
			if len(rows) != len(want) {
				t.Fatalf("xlsx has %d rows, CSV %d", len(rows), len(want))
			}
			for i := range want {
				// excelize leaves out trailing empty cells.
				w := want[i]
				for len(w) > 0 && w[len(w)-1] == "" {
					w = w[:len(w)-1]
				}
				if !slices.Equal(rows[i], w) {
					t.Fatalf("row %d:\nxlsx %q\ncsv  %q", i+1, rows[i], w)
				}
			}
		})
	}
}

func TestExcelDateCells(t *testing.T) {
	t.Parallel()
	spec := synth.Spec{District: district(t, "harlow"), Quarters: []string{"2025Q4"}, Rows: 2, Format: "xlsx", DateStyle: "excel"}
	data, _ := write(t, spec)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	typ, err := f.GetCellType(sheet, "B2")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := f.GetCellValue(sheet, "B2", excelize.Options{RawCellValue: true})
	shown, _ := f.GetCellValue(sheet, "B2")
	if typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString || raw != "46022" || shown != "31/12/2025" {
		t.Errorf("quarter_end_date cell: type %v, raw %q, shown %q; want the serial 46022 shown as 31/12/2025", typ, raw, shown)
	}
	props, err := f.GetDocProps()
	if err != nil || props.Created != "2026-01-08T00:00:00Z" || props.Modified != props.Created {
		t.Errorf("doc props %+v, %v; want fixed created and modified times", props, err)
	}
}

func TestBadRowsAndDuplicates(t *testing.T) {
	t.Parallel()
	spec := synth.Spec{District: district(t, "epping_forest"), Quarters: []string{"2023Q2", "2023Q3"}, Rows: 50,
		BadRows: 6, Duplicates: 4, DateStyle: "uk"}
	data, st := write(t, spec)
	tbl := parseCSV(t, data, ',', 0)
	if st.Bad != 6 || st.Duplicates != 4 || st.Rows != 104 || len(tbl.rows) != 104 {
		t.Fatalf("stats %+v, %d rows", st, len(tbl.rows))
	}
	iSex, iApp, iAge, iReason := tbl.col(t, "main_app_sex"), tbl.col(t, "app_date"), tbl.col(t, "main_app_age"), tbl.col(t, "reasonloss")
	kinds := map[string]int{}
	for _, n := range st.BadRows {
		row := tbl.rows[n-2]
		switch {
		case row[iSex] == "Z9":
			kinds["code"]++
		case strings.HasPrefix(row[iApp], "30/02/"):
			kinds["date"]++
		case row[iAge] == "130" || row[iAge] == "12":
			kinds["age"]++
		default:
			t.Errorf("row %d is listed as bad but looks fine: %v", n, row)
		}
		if !strings.HasPrefix(row[iReason], "da_") {
			t.Errorf("bad row %d is out of scope (%s)", n, row[iReason])
		}
	}
	if kinds["code"] != 2 || kinds["date"] != 2 || kinds["age"] != 2 {
		t.Errorf("bad kinds %v, want 2 of each", kinds)
	}
	iRef, iQED := tbl.col(t, "case_ref"), tbl.col(t, "quarter_end_date")
	for _, n := range st.DuplicateRows {
		row := tbl.rows[n-2]
		found := false
		for _, earlier := range tbl.rows[:n-2] {
			found = found || earlier[iRef] == row[iRef] && earlier[iQED] == row[iQED]
		}
		if !found {
			t.Errorf("duplicate row %d repeats no earlier key", n)
		}
	}
	if last := st.BadRows[len(st.BadRows)-1]; last < 60 {
		t.Errorf("bad rows %v are not spread through the file", st.BadRows)
	}
}

func TestSpecErrors(t *testing.T) {
	t.Parallel()
	bas := district(t, "basildon")
	now := time.Date(2026, 1, 20, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		spec synth.Spec
		want string
	}{
		{"no district", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 1}, "no district"},
		{"no quarters", synth.Spec{District: bas, Rows: 1}, "no quarters"},
		{"bad quarter", synth.Spec{District: bas, Quarters: []string{"2025-4"}, Rows: 1}, "want YYYYQn"},
		{"quarter 5", synth.Spec{District: bas, Quarters: []string{"2025Q5"}, Rows: 1}, "n from 1 to 4"},
		{"before hclic", synth.Spec{District: bas, Quarters: []string{"2018Q1"}, Rows: 1}, "before H-CLIC"},
		{"future", synth.Spec{District: bas, Quarters: []string{"2026Q1"}, Rows: 1, Now: now}, "ends after 2026-01-20"},
		{"repeated quarter", synth.Spec{District: bas, Quarters: []string{"2025Q4", "2025Q4"}, Rows: 1}, "given twice"},
		{"format", synth.Spec{District: bas, Quarters: []string{"2025Q4"}, Rows: 1, Format: "ods"}, `"ods"`},
		{"excel dates in csv", synth.Spec{District: bas, Quarters: []string{"2025Q4"}, Rows: 1, DateStyle: "excel"}, "needs xlsx"},
		{"delimiter", synth.Spec{District: bas, Quarters: []string{"2025Q4"}, Rows: 1, Delimiter: '|'}, "delimiter"},
		{"too many bad rows", synth.Spec{District: bas, Quarters: []string{"2025Q4"}, Rows: 2, BadRows: 3}, "3 bad rows"},
		{"drop unknown", synth.Spec{District: bas, Quarters: []string{"2025Q4"}, Rows: 1, Drop: []string{"nino"}}, `drop "nino"`},
		{"optional required", synth.Spec{District: bas, Quarters: []string{"2025Q4"}, Rows: 1, Optional: []string{"case_ref"}}, "is required"},
		{"extra on the list", synth.Spec{District: bas, Quarters: []string{"2025Q4"}, Rows: 1, Extra: []string{"case_ref"}}, `extra "case_ref"`},
		{"share", synth.Spec{District: bas, Quarters: []string{"2025Q4"}, Rows: 1, DAShare: 1.5}, "above 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := synth.Write(io.Discard, loadSchema(t), tt.spec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	ok := synth.Spec{District: bas, Quarters: []string{"2025Q4"}, Rows: 1, Now: now}
	if err := synth.Write(io.Discard, loadSchema(t), ok); err != nil {
		t.Errorf("a finished quarter was refused: %v", err)
	}
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := synth.Spec{District: district(t, "maldon"), Quarters: []string{"2025Q4"}, Rows: 20, Seed: 2}
	path := filepath.Join(dir, "maldon.xlsx")
	if err := synth.WriteFile(path, loadSchema(t), spec); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	spec.Format = "xlsx" // WriteFile takes it from the extension
	if want, _ := write(t, spec); !bytes.Equal(got, want) {
		t.Error("the file differs from Write's output")
	}
	bad := spec
	bad.Rows = -1
	if err := synth.WriteFile(filepath.Join(dir, "bad.csv"), loadSchema(t), bad); err == nil {
		t.Error("a bad spec was written")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "maldon.xlsx" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want only maldon.xlsx", names)
	}
	if err := synth.WriteFile(filepath.Join(dir, "missing", "x.csv"), loadSchema(t), spec); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("writing into a missing folder: %v, want not exist", err)
	}
}

func TestCaseOffset(t *testing.T) {
	t.Parallel()
	spec := synth.Spec{District: district(t, "tendring"), Quarters: []string{"2025Q4"}, Rows: 100, Seed: 1}
	a, _ := write(t, spec)
	spec.CaseOffset = 1_000_000
	b, _ := write(t, spec)
	ta, tb := parseCSV(t, a, ',', 0), parseCSV(t, b, ',', 0)
	iRef := ta.col(t, "case_ref")
	refs := map[string]bool{}
	for _, row := range ta.rows {
		refs[row[iRef]] = true
	}
	for _, row := range tb.rows {
		if refs[row[iRef]] || !strings.HasPrefix(row[iRef], "SYN-TEN-1") {
			t.Fatalf("case_ref %s with offset 1000000 clashes or lacks the offset", row[iRef])
		}
	}
}
