package transform

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestJudgeXLSX judges a real workbook with a title row, date cells,
// serial numbers in date fields and UK dates typed as text.
func TestJudgeXLSX(t *testing.T) {
	s := loadTestSchema(t)
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	rows := [][]any{
		{"Basildon Council: H-CLIC domestic abuse extract"},
		{},
		{"la_code", "quarter_end_date", "case_ref", "app_date", "reasonloss", "household_type", "main_app_age", "main_app_sex", "support_need_domestic_abuse"},
		{"E07000066", time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), "REF-0001", time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC), "Domestic abuse – victim", "single_female", 34, "F", true},
		{"E07000066", 46022, "REF-0002", "03/11/2025", "da_retired", "single_female", 34, "F", "no"},
		{"E07000066", "31/12/2025", "REF-0003", "not a date", "da_victim", "single_female", 34, "F", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sh, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle(sh, "B4", "D4", style); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	var got []Row
	res, err := Judge(context.Background(), s, testPseudonymiser(t), "Extract.XLSX", &buf, testOptions(), func(r Row) error {
		got = append(got, r.Clone())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "xlsx" || res.Rows != (Counts{Read: 3, Accepted: 2, Rejected: 1}) {
		t.Fatalf("format %s rows %+v errors %+v files %+v", res.Format, res.Rows, res.Errors, res.FileErrors)
	}
	want := []Issue{{Row: 6, Field: "app_date", Rule: RuleTypeError}}
	if !sameIssues(res.Errors, want) {
		t.Errorf("errors %+v, want %+v", res.Errors, want)
	}
	qi, ai, bi := s.Index("quarter_end_date"), s.Index("app_date"), s.Index("support_need_domestic_abuse")
	for i, r := range got {
		if r.Values[qi] != "2025-12-31" || r.Values[ai] != "2025-11-03" || r.SourceRow != 4+i {
			t.Errorf("row %d: %v", i, r)
		}
	}
	if got[0].Values[bi] != "true" || got[1].Values[bi] != "false" {
		t.Errorf("booleans %q %q", got[0].Values[bi], got[1].Values[bi])
	}
}
