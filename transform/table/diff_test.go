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
// testdata (openpyxl-cases.xlsx was written by openpyxl 3.0.9, Debian's
// python3-openpyxl, from made-up values) and in the fuzz corpus, and
// workbooks built here as producers write them.
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
	books["excel-style"] = excelStyleBook(t)
	books["libreoffice-style"] = libreOfficeStyleBook(t)
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

// excelStyleBook is a workbook shaped as Excel saves one: markup
// compatibility namespaces and x14ac attributes, spans, a shared-string
// table with rich text and phonetic runs, a shared formula, a cached
// error and a formula string.
func excelStyleBook(t testing.TB) []byte {
	sheet := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
		`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac xr" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision">` +
		`<dimension ref="A1:E4"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/>` +
		`<sheetData><row r="1" spans="1:5" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>` +
		`<row r="2" spans="1:5" x14ac:dyDescent="0.25"><c r="A2" t="s"><v>4</v></c><c r="B2" s="1"><v>45750</v></c><c r="C2"><f>B2*2</f><v>91500</v></c><c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>` +
		`<row r="4" spans="1:5" ht="30" customHeight="1" x14ac:dyDescent="0.25"><c r="A4" t="s"><v>5</v></c><c r="B4" s="1"><v>45751</v></c><c r="C4"><f t="shared" ref="C4:C5" si="0">B4*2</f><v>91502</v></c><c r="D4" t="str"><f>"x"&amp;A4</f><v>xR2</v></c><c r="E4" s="2"/></row>` +
		`</sheetData><mergeCells count="1"><mergeCell ref="A6:B6"/></mergeCells><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`
	sst := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" +
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">` +
		`<si><t>case_ref</t></si><si><t>app_date</t></si><si><t>twice</t></si><si><t>err</t></si>` +
		`<si><r><rPr><b/><sz val="11"/><color theme="1"/><rFont val="Calibri"/><family val="2"/><scheme val="minor"/></rPr><t>R</t></r><r><rPr><sz val="11"/><color rgb="FFFF0000"/><rFont val="Calibri"/></rPr><t xml:space="preserve">1 </t></r></si>` +
		`<si><t>R2</t><rPh sb="0" eb="1"><t>アール</t></rPh><phoneticPr fontId="1"/></si></sst>`
	return packageBook(t, []string{sheet}, sst, ` defaultThemeVersion="166925"`)
}

// libreOfficeStyleBook is a worksheet shaped as LibreOffice Calc saves
// one: every row and cell attribute spelled out, aca="false" formulas,
// and xml:space on shared strings.
func libreOfficeStyleBook(t testing.TB) []byte {
	sheet := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheetPr filterMode="false"><pageSetUpPr fitToPage="false"/></sheetPr><dimension ref="A1:C3"/>` +
		`<cols><col collapsed="false" customWidth="false" hidden="false" outlineLevel="0" max="1025" min="1" style="0" width="11.52"/></cols>` +
		`<sheetData><row r="1" customFormat="false" ht="12.8" hidden="false" customHeight="false" outlineLevel="0" collapsed="false">` +
		`<c r="A1" s="0" t="s"><v>0</v></c><c r="B1" s="0" t="s"><v>1</v></c><c r="C1" s="0" t="s"><v>2</v></c></row>` +
		`<row r="2" customFormat="false" ht="12.8" hidden="false" customHeight="false" outlineLevel="0" collapsed="false">` +
		`<c r="A2" s="0" t="s"><v>3</v></c><c r="B2" s="1" t="n"><v>45750</v></c><c r="C2" s="0" t="n"><f aca="false">1+1</f><v>2</v></c></row>` +
		`<row r="3" customFormat="false" ht="12.8" hidden="false" customHeight="false" outlineLevel="0" collapsed="false">` +
		`<c r="A3" s="0" t="s"><v>4</v></c><c r="B3" s="0" t="b"><v>1</v></c><c r="C3" s="0" t="str"><f aca="false">A3</f><v> padded </v></c></row>` +
		`</sheetData><printOptions headings="false" gridLines="false" gridLinesSet="true" horizontalCentered="false" verticalCentered="false"/></worksheet>`
	sst := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">` +
		`<si><t xml:space="preserve">case_ref</t></si><si><t xml:space="preserve">app_date</t></si><si><t xml:space="preserve">sum</t></si>` +
		`<si><t xml:space="preserve">C0001</t></si><si><t xml:space="preserve"> C0002 </t></si></sst>`
	return packageBook(t, []string{sheet}, sst, ` date1904="false"`)
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
