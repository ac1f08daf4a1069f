package publish

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSXKeepsTextAsText checks that text a spreadsheet could take for a
// formula is written to combined.xlsx as it is, in a string cell with no
// formula, while combined.csv keeps the apostrophe that neutralises it.
func TestXLSXKeepsTextAsText(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	// A field title and description that look like formulas reach the
	// Data header (streamed) and the Data dictionary (shared strings).
	fx.s.Fields[6].Title = "=Free text"
	fx.s.Fields[6].Description = "+described"
	if err := Quarter(ctx, fx.out, fx.s, fx.db, "2025Q4", testMeta()); err != nil {
		t.Fatal(err)
	}
	xb := fx.read(t, "2025Q4/combined.xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(xb))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	// Data rows are ordered by district, then pseudonym: Basildon's six,
	// then Braintree's p-b1, p-b2, p-b3.
	tests := []struct {
		sheet, cell, want string
	}{
		{SheetData, "G1", "=Free text"},
		{SheetData, "G4", "=1+2"},
		{SheetData, "G8", "-5"},
		{SheetData, "G9", "+44 1245"},
		{SheetData, "G10", "@home"},
		{SheetData, "G2", "plain, with \"quotes\"\nand a newline"},
	}
	for _, tt := range tests {
		got, err := f.GetCellValue(tt.sheet, tt.cell)
		if err != nil || got != tt.want {
			t.Errorf("%s!%s = %q, %v; want %q", tt.sheet, tt.cell, got, err, tt.want)
		}
		if fm, err := f.GetCellFormula(tt.sheet, tt.cell); err != nil || fm != "" {
			t.Errorf("%s!%s holds the formula %q (%v)", tt.sheet, tt.cell, fm, err)
		}
		typ, err := f.GetCellType(tt.sheet, tt.cell)
		if err != nil || (typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString) {
			t.Errorf("%s!%s type = %v, %v; want a string cell", tt.sheet, tt.cell, typ, err)
		}
	}
	dict, err := f.GetRows(SheetDictionary)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for i, r := range dict {
		if len(r) > 4 && r[0] == fx.s.Fields[6].Name {
			found = true
			if r[1] != "=Free text" || r[4] != "+described" {
				t.Errorf("dictionary row %d = %q", i+1, r)
			}
			for _, col := range []string{"B", "E"} {
				cell := col + strconv.Itoa(i+1)
				if fm, _ := f.GetCellFormula(SheetDictionary, cell); fm != "" {
					t.Errorf("%s!%s holds the formula %q", SheetDictionary, cell, fm)
				}
			}
		}
	}
	if !found {
		t.Fatalf("no row for the last field in the dictionary: %q", dict)
	}

	// No worksheet part holds a formula element at all.
	zr, err := zip.NewReader(bytes.NewReader(xb), int64(len(xb)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("<f>")) || bytes.Contains(b, []byte("<f ")) {
			t.Errorf("%s holds a formula element", zf.Name)
		}
	}

	// The CSV keeps its protection.
	recs, err := csv.NewReader(bytes.NewReader(fx.read(t, "2025Q4/combined.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var free []string
	for _, r := range recs[1:] {
		free = append(free, r[6])
	}
	for _, want := range []string{"'=1+2", "'+44 1245", "'@home", "-5"} {
		if !slices.Contains(free, want) {
			t.Errorf("combined.csv free text %q lacks %q", free, want)
		}
	}
}
