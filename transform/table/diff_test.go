package table

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// This file proves the xlsx reader against excelize v2.11.0's raw values,
// which this package read xlsx with before: for a workbook both read,
// the sheet chosen, the date system and every record must be the same.

// sheetRead is what a reader made of a workbook: the first sheet with a
// non-blank row, and all its non-blank records, header first.
type sheetRead struct {
	sheet    string
	date1904 bool
	records  []Record
}

// excelizeRead reads b as this package did with excelize: the sheets in
// workbook order, rows by Rows/Columns with raw cell values, trailing
// blank cells trimmed and blank rows skipped, the row number counted by
// Rows.Next. err is non-nil when excelize could not read the workbook or
// the sheet.
func excelizeRead(b []byte) (read sheetRead, err error) {
	defer func() {
		// A panic in excelize is excelize choking on the input.
		if p := recover(); p != nil {
			err = errors.New("excelize panicked")
		}
	}()
	// excelize reads every part into memory at its declared size: keep
	// fuzzed headers from asking for gigabytes.
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return read, err
	}
	var total uint64
	for _, e := range zr.File {
		if total += e.UncompressedSize64; e.UncompressedSize64 > 16<<20 || total > 64<<20 {
			return read, errors.New("over the comparison's size budget")
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return read, err
	}
	defer f.Close()
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		read.date1904 = *p.Date1904
	}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.Rows(sheet)
		if err != nil {
			continue
		}
		var recs []Record
		n := 0
		for rows.Next() {
			n++
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				rows.Close()
				return read, err
			}
			if cells = trimBlank(cells); len(cells) > 0 {
				recs = append(recs, Record{Row: n, Cells: cells})
			}
		}
		if err := rows.Error(); err != nil {
			rows.Close()
			return read, err
		}
		rows.Close()
		if len(recs) > 0 {
			read.sheet, read.records = sheet, recs
			return read, nil
		}
	}
	return read, errors.New("no sheet has a row")
}

// tableRead reads b with Open and no IsHeader (the first non-blank row is
// the header).
func tableRead(t testing.TB, b []byte) (sheetRead, error) {
	tab, err := Open(context.Background(), "d.xlsx", bytes.NewReader(b), ReadOptions{TempDir: t.TempDir()})
	if err != nil {
		return sheetRead{}, err
	}
	defer tab.Close()
	read := sheetRead{sheet: Sheet(tab), date1904: Date1904(tab), records: []Record{tab.Header()}}
	for {
		rec, err := tab.Next()
		if err == io.EOF {
			return read, nil
		}
		if err != nil {
			return read, err
		}
		rec.Cells = append([]string(nil), rec.Cells...)
		read.records = append(read.records, rec)
	}
}

// compareReaders reads b with both readers. When both read it, they must
// agree exactly; strict says the table reader must read whatever excelize
// reads (for workbooks real producers write). It reports whether both
// read it.
func compareReaders(t *testing.T, b []byte, strict bool) bool {
	t.Helper()
	want, werr := excelizeRead(b)
	got, gerr := tableRead(t, b)
	if gerr != nil {
		var fe *FileError
		if !errors.As(gerr, &fe) {
			t.Fatalf("table reader: %v (%T), want a *FileError", gerr, gerr)
		}
		if strict && werr == nil {
			t.Fatalf("table reader refused a workbook excelize reads: %v", gerr)
		}
		return false
	}
	if werr != nil {
		return false
	}
	if got.sheet != want.sheet || got.date1904 != want.date1904 {
		t.Fatalf("sheet %q date1904 %v, excelize: sheet %q date1904 %v", got.sheet, got.date1904, want.sheet, want.date1904)
	}
	if !reflect.DeepEqual(got.records, want.records) {
		for i := range min(len(got.records), len(want.records)) {
			if !reflect.DeepEqual(got.records[i], want.records[i]) {
				t.Fatalf("record %d:\n got %d %q\nwant %d %q", i, got.records[i].Row, got.records[i].Cells, want.records[i].Row, want.records[i].Cells)
			}
		}
		t.Fatalf("%d records, excelize %d", len(got.records), len(want.records))
	}
	return true
}

// diffBooks are workbooks both readers must read alike: every xlsx in
// testdata and in the fuzz corpus, and workbooks built here as producers
// write them.
func diffBooks(t *testing.T) map[string][]byte {
	books := map[string][]byte{}
	for _, pattern := range []string{"testdata/*.xlsx", "testdata/fuzz/FuzzOpenXLSX/*", "testdata/fuzz/FuzzXLSXReaders/*"} {
		names, err := filepath.Glob(pattern)
		must(t, err)
		for _, n := range names {
			b, err := os.ReadFile(n)
			must(t, err)
			if strings.Contains(n, "/fuzz/") {
				b = corpusBytes(t, b)
			}
			books[n] = b
		}
	}
	books["cases"] = casesBook(t)
	books["features"] = featureBook(t)
	books["1904"] = rezip(t, casesBook(t), func(name string, d []byte) []byte {
		if name == "xl/workbook.xml" {
			return bytes.Replace(d, []byte("<workbookPr"), []byte(`<workbookPr date1904="1"`), 1)
		}
		return d
	}, nil)
	return books
}

// corpusBytes returns the []byte a "go test fuzz v1" corpus file holds.
func corpusBytes(t *testing.T, file []byte) []byte {
	lines := strings.SplitN(string(file), "\n", 3)
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "[]byte(") {
		return file
	}
	v, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatalf("corpus file: %v", err)
	}
	return []byte(v)
}

// featureBook is a workbook with what SpreadsheetML allows beside plain
// values: rich text, booleans, errors, formulas with cached values,
// merged cells, styles, a comment part, several sheets, gaps, and text
// that needs entities and _xHHHH_ escapes.
func featureBook(t testing.TB) []byte {
	return workbook(t, func(f *excelize.File) {
		must(t, f.SetSheetName("Sheet1", "Data"))
		must(t, f.SetSheetRow("Data", "A1", &[]any{"case_ref", "la_code", "flag", "sum", "notes"}))
		must(t, f.SetSheetRow("Data", "A2", &[]any{"C001", "E07000066", true, 3, "a & b < c"}))
		must(t, f.SetSheetRow("Data", "A3", &[]any{"C002", "E07000066", false, 4.25, "tab\there _x0041_ _x005F_x0041_"}))
		must(t, f.SetCellFormula("Data", "D4", "D2+D3"))
		must(t, f.SetCellValue("Data", "A4", "C003"))
		must(t, f.SetCellRichText("Data", "E4", []excelize.RichTextRun{{Text: "bold ", Font: &excelize.Font{Bold: true}}, {Text: "plain"}}))
		must(t, f.SetCellValue("Data", "A6", "C004"))
		must(t, f.SetCellValue("Data", "H6", "far"))
		must(t, f.MergeCell("Data", "B6", "C6"))
		must(t, f.SetCellValue("Data", "A7", "  "))
		must(t, f.SetCellValue("Data", "A8", "line\nbreak"))
		must(t, f.AddComment("Data", excelize.Comment{Cell: "A2", Author: "x", Text: "note"}))
		_, err := f.NewSheet("Other")
		must(t, err)
		must(t, f.SetCellValue("Other", "A1", "other"))
	})
}

func TestReadersAgree(t *testing.T) {
	t.Parallel()
	books := diffBooks(t)
	if len(books) < 6 {
		t.Fatalf("only %d workbooks", len(books))
	}
	for name, b := range books {
		t.Run(filepath.Base(name), func(t *testing.T) {
			strict := !strings.Contains(name, "/fuzz/")
			if !compareReaders(t, b, strict) && strict {
				t.Fatal("excelize could not read it")
			}
			if got, _ := tableRead(t, b); name == "1904" && !got.date1904 {
				t.Error("the 1904 workbook was read as counting from 1900")
			}

		})
	}
}

// FuzzXLSXReaders compares the reader with excelize on fuzzed bytes,
// seeded from the workbooks of TestReadersAgree. Inputs excelize cannot
// read are skipped; inputs the reader refuses must be refused with a
// *FileError.
func FuzzXLSXReaders(f *testing.F) {
	seed(f, "*.xlsx")
	f.Add(featureBook(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			t.Skip("larger than the fuzz budget")
		}
		compareReaders(t, data, false)
	})
}
