package table

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"landingd/internal/testtier"
)

// workbook builds an xlsx in memory with excelize.
func workbook(t testing.TB, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// casesBook is a typed workbook as a district might send it: a title row,
// a blank row, the header on row 3, dates with a date style, numbers, a
// text code with leading zeros, a gap of empty rows, a cell styled but
// blank past the last column, and shared strings (SetCellValue writes
// them as Excel does).
func casesBook(t testing.TB) []byte {
	return workbook(t, func(f *excelize.File) {
		must(t, f.SetSheetName("Sheet1", "Cases"))
		dateFmt := "dd/mm/yyyy"
		date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
		must(t, err)
		fill, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}}})
		must(t, err)
		must(t, f.SetCellValue("Cases", "A1", "Homelessness cases, Q1 2025"))
		must(t, f.SetSheetRow("Cases", "A3", &[]any{"case_ref", "la_code", "app_date", "age", "code"}))
		must(t, f.SetSheetRow("Cases", "A4", &[]any{"C001", "E07000066", time.Date(2025, 4, 3, 0, 0, 0, 0, time.UTC), 34, "00123"}))
		must(t, f.SetSheetRow("Cases", "A5", &[]any{"C002", "E07000066", time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), 12.5, "007"}))
		must(t, f.SetSheetRow("Cases", "A9", &[]any{"C003", "E07000067", time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC), 61, "10"}))
		must(t, f.SetCellStyle("Cases", "C4", "C9", date))
		must(t, f.SetCellStyle("Cases", "F3", "H9", fill))
		must(t, f.SetCellStyle("Cases", "A12", "E14", fill))
	})
}

func openBytes(t testing.TB, name string, b []byte, opt ReadOptions) (Table, error) {
	t.Helper()
	if opt.TempDir == "" {
		opt.TempDir = t.TempDir()
	}
	return Open(context.Background(), name, bytes.NewReader(b), opt)
}

func TestReadXLSX(t *testing.T) {
	t.Parallel()
	tab, err := openBytes(t, "cases.xlsx", casesBook(t), ReadOptions{IsHeader: hasLabels})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	if tab.Format() != "xlsx" || Sheet(tab) != "Cases" || Date1904(tab) {
		t.Errorf("Format %q, Sheet %q, Date1904 %v", tab.Format(), Sheet(tab), Date1904(tab))
	}
	wantHeader := Record{3, []string{"case_ref", "la_code", "app_date", "age", "code"}}
	if got := tab.Header(); !reflect.DeepEqual(got, wantHeader) {
		t.Errorf("Header() = %+v, want %+v", got, wantHeader)
	}
	got, err := readAll(tab)
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{4, []string{"C001", "E07000066", "45750", "34", "00123"}},
		{5, []string{"C002", "E07000066", "45778", "12.5", "007"}},
		{9, []string{"C003", "E07000067", "45838", "61", "10"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records:\n got %+v\nwant %+v", got, want)
	}
	for i, wantDate := range []string{"2025-04-03", "2025-05-01", "2025-06-30"} {
		if d, ok := ExcelDate(got[i].Cells[2], Date1904(tab)); d != wantDate || !ok {
			t.Errorf("ExcelDate(%q) = %q, %v; want %s", got[i].Cells[2], d, ok, wantDate)
		}
	}
}

func TestReadXLSXNoIsHeader(t *testing.T) {
	t.Parallel()
	// Without IsHeader the first non-blank row is the header: the title.
	tab, err := openBytes(t, "cases.xlsx", casesBook(t), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	if got := tab.Header(); got.Row != 1 || got.Cells[0] != "Homelessness cases, Q1 2025" {
		t.Errorf("Header() = %+v", got)
	}
	recs, err := readAll(tab)
	if err != nil || len(recs) != 4 || recs[0].Row != 3 {
		t.Errorf("records %+v, err %v", recs, err)
	}
}

func TestReadXLSXStreamWriter(t *testing.T) {
	t.Parallel()
	// StreamWriter writes inline strings, not a shared-string table.
	b := workbook(t, func(f *excelize.File) {
		sw, err := f.NewStreamWriter("Sheet1")
		must(t, err)
		must(t, sw.SetRow("A1", []any{"case_ref", "la_code", "age"}))
		must(t, sw.SetRow("A2", []any{"00042", "E07000066", 40}))
		must(t, sw.SetRow("A4", []any{"00043", "E07000068", 19, nil, ""}))
		must(t, sw.Flush())
	})
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	must(t, err)
	for _, e := range zr.File {
		if strings.EqualFold(e.Name, "xl/sharedStrings.xml") {
			t.Fatal("StreamWriter wrote a shared-string table; the test no longer covers inline strings")
		}
	}
	tab, err := openBytes(t, "inline.XLSX", b, ReadOptions{IsHeader: hasLabels})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	got, err := readAll(tab)
	want := []Record{{2, []string{"00042", "E07000066", "40"}}, {4, []string{"00043", "E07000068", "19"}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("records %+v, err %v; want %+v", got, err, want)
	}
}

func TestReadXLSXSheets(t *testing.T) {
	t.Parallel()
	b := workbook(t, func(f *excelize.File) {
		must(t, f.SetSheetName("Sheet1", "Notes"))
		must(t, f.SetCellValue("Notes", "A1", "Read me first"))
		_, err := f.NewSheet("Empty")
		must(t, err)
		_, err = f.NewSheet("Q1 data")
		must(t, err)
		must(t, f.SetSheetRow("Q1 data", "B2", &[]any{"case_ref", "la_code"}))
		must(t, f.SetSheetRow("Q1 data", "B3", &[]any{"C1", "E07000066"}))
	})
	t.Run("FirstWithHeader", func(t *testing.T) {
		tab, err := openBytes(t, "b.xlsx", b, ReadOptions{IsHeader: hasLabels})
		if err != nil {
			t.Fatal(err)
		}
		defer tab.Close()
		if Sheet(tab) != "Q1 data" || tab.Header().Row != 2 {
			t.Fatalf("sheet %q header %+v", Sheet(tab), tab.Header())
		}
		// Cells keep their column: a blank column A stays a blank cell.
		recs, err := readAll(tab)
		want := []Record{{3, []string{"", "C1", "E07000066"}}}
		if err != nil || !reflect.DeepEqual(recs, want) {
			t.Errorf("records %+v, err %v", recs, err)
		}
	})
	t.Run("Named", func(t *testing.T) {
		tab, err := openBytes(t, "b.xlsx", b, ReadOptions{Sheet: "q1 DATA"})
		if err != nil {
			t.Fatal(err)
		}
		defer tab.Close()
		if Sheet(tab) != "Q1 data" {
			t.Fatalf("sheet %q", Sheet(tab))
		}
	})
	t.Run("NoSheetMatches", func(t *testing.T) {
		tab, err := openBytes(t, "b.xlsx", b, ReadOptions{IsHeader: func([]string) bool { return false }})
		if err != nil {
			t.Fatal(err)
		}
		defer tab.Close()
		if Sheet(tab) != "Notes" || tab.Header().Row != 1 {
			t.Fatalf("sheet %q header %+v", Sheet(tab), tab.Header())
		}
	})
	t.Run("Missing", func(t *testing.T) {
		_, err := openBytes(t, "b.xlsx", b, ReadOptions{Sheet: "Cases"})
		var fe *FileError
		if !errors.As(err, &fe) || fe.Rule != RuleFormatError {
			t.Fatalf("err = %v, want a format-error", err)
		}
		if msg := err.Error(); !strings.Contains(msg, `"Notes", "Empty", "Q1 data"`) {
			t.Errorf("message %q does not name the sheets", msg)
		}
	})
	t.Run("NamedEmpty", func(t *testing.T) {
		_, err := openBytes(t, "b.xlsx", b, ReadOptions{Sheet: "Empty"})
		checkFileErr(t, err, &FileError{Rule: RuleEmptyFile})
	})
}

func TestReadXLSXEmpty(t *testing.T) {
	t.Parallel()
	b := workbook(t, func(f *excelize.File) {})
	_, err := openBytes(t, "e.xlsx", b, ReadOptions{})
	checkFileErr(t, err, &FileError{Rule: RuleEmptyFile})
	_, err = openBytes(t, "e.xlsx", nil, ReadOptions{})
	checkFileErr(t, err, &FileError{Rule: RuleEmptyFile})
}

func TestReadXLSXHeaderOnly(t *testing.T) {
	t.Parallel()
	b := workbook(t, func(f *excelize.File) {
		must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"case_ref", "la_code"}))
	})
	tab, err := openBytes(t, "h.xlsx", b, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	if _, err := tab.Next(); err != io.EOF {
		t.Fatalf("Next = %v, want io.EOF", err)
	}
}

// rezip copies the zip in b, letting edit replace or drop entries (return
// nil to drop, or the content to write) and then add more.
func rezip(t testing.TB, b []byte, edit func(name string, data []byte) []byte, add func(w *zip.Writer)) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	must(t, err)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, e := range zr.File {
		rc, err := e.Open()
		must(t, err)
		data, err := io.ReadAll(rc)
		must(t, err)
		rc.Close()
		if edit != nil {
			if data = edit(e.Name, data); data == nil {
				continue
			}
		}
		w, err := zw.Create(e.Name)
		must(t, err)
		_, err = w.Write(data)
		must(t, err)
	}
	if add != nil {
		add(zw)
	}
	must(t, zw.Close())
	return out.Bytes()
}

// lyingEntry writes name holding data deflated, with a header that says
// it unzips to declared bytes.
func lyingEntry(t testing.TB, zw *zip.Writer, name string, data []byte, declared uint64) {
	t.Helper()
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestSpeed)
	must(t, err)
	_, err = fw.Write(data)
	must(t, err)
	must(t, fw.Close())
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(data),
		CompressedSize64:   uint64(comp.Len()),
		UncompressedSize64: declared,
	})
	must(t, err)
	_, err = w.Write(comp.Bytes())
	must(t, err)
}

// bigSheet is worksheet XML of n rows, about 60 bytes each.
func bigSheet(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	b.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>case_ref</t></is></c></row>`)
	for i := 2; i <= n; i++ {
		b.WriteString(`<row><c t="inlineStr"><is><t>C0000000000001</t></is></c></row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.Bytes()
}

func TestXLSXLimits(t *testing.T) {
	t.Parallel()
	base := workbook(t, func(f *excelize.File) {
		must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"case_ref", "la_code"}))
		must(t, f.SetSheetRow("Sheet1", "A2", &[]any{"C1", "E07000066"}))
	})
	sheet := bigSheet(20000) // about 1.2 MB
	withSheet := func(data []byte) []byte {
		return rezip(t, base, func(name string, d []byte) []byte {
			if name == "xl/worksheets/sheet1.xml" {
				return data
			}
			return d
		}, nil)
	}
	t.Run("WithinLimits", func(t *testing.T) {
		tab, err := openBytes(t, "ok.xlsx", withSheet(sheet), ReadOptions{MaxEntryBytes: 2 << 20})
		if err != nil {
			t.Fatal(err)
		}
		defer tab.Close()
		recs, err := readAll(tab)
		if err != nil || len(recs) != 19999 || recs[len(recs)-1].Row != 20000 {
			t.Fatalf("%d records, err %v", len(recs), err)
		}
	})
	t.Run("EntryOverLimit", func(t *testing.T) {
		_, err := openBytes(t, "bomb.xlsx", withSheet(sheet), ReadOptions{MaxEntryBytes: 1 << 20})
		checkFileErr(t, err, &FileError{Rule: RuleFormatError})
		if !strings.Contains(err.Error(), "decompression limits") {
			t.Errorf("message %q", err)
		}
	})
	t.Run("TotalOverLimit", func(t *testing.T) {
		_, err := openBytes(t, "bomb.xlsx", withSheet(sheet), ReadOptions{MaxUnzippedBytes: 1 << 20})
		checkFileErr(t, err, &FileError{Rule: RuleFormatError})
	})
	t.Run("ZerosBomb", func(t *testing.T) {
		testtier.Slow(t, "inflates a gigabyte")
		// 300 MiB of zeros as the shared-string table: over MaxPartBytes,
		// since excelize would hold it in memory. The file is about 300 KB.
		zeros := make([]byte, 300<<20)
		b := rezip(t, base, nil, func(zw *zip.Writer) {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: "xl/sharedStrings.xml", Method: zip.Deflate})
			must(t, err)
			_, err = w.Write(zeros)
			must(t, err)
		})
		if len(b) > 1<<20 {
			t.Fatalf("bomb is %d bytes", len(b))
		}
		_, err := openBytes(t, "bomb.xlsx", b, ReadOptions{})
		checkFileErr(t, err, &FileError{Rule: RuleFormatError})
	})
	t.Run("ManyPartsBomb", func(t *testing.T) {
		testtier.Slow(t, "inflates many parts")
		// Twelve media parts of 16 MiB of zeros: each under MaxPartBytes,
		// but excelize would hold all 192 MiB in memory at once.
		zeros := make([]byte, 16<<20)
		b := rezip(t, base, nil, func(zw *zip.Writer) {
			for i := range 12 {
				w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("xl/media/junk%d.bin", i), Method: zip.Deflate})
				must(t, err)
				_, err = w.Write(zeros)
				must(t, err)
			}
		})
		_, err := openBytes(t, "bomb.xlsx", b, ReadOptions{})
		checkFileErr(t, err, &FileError{Rule: RuleFormatError})
		if !strings.Contains(err.Error(), "decompression limits") {
			t.Errorf("message %q", err)
		}
	})
	t.Run("UnderstatedSize", func(t *testing.T) {
		b := rezip(t, base, func(name string, d []byte) []byte {
			if name == "xl/worksheets/sheet1.xml" {
				return nil
			}
			return d
		}, func(zw *zip.Writer) {
			lyingEntry(t, zw, "xl/worksheets/sheet1.xml", sheet, 4096)
		})
		checkRule(t, openAll(t, "liar.xlsx", b, ReadOptions{}), RuleFormatError)
	})
	t.Run("OverstatedSize", func(t *testing.T) {
		b := rezip(t, base, func(name string, d []byte) []byte {
			if name == "xl/worksheets/sheet1.xml" {
				return nil
			}
			return d
		}, func(zw *zip.Writer) {
			lyingEntry(t, zw, "xl/worksheets/sheet1.xml", sheet, uint64(len(sheet))+10)
		})
		checkRule(t, openAll(t, "liar.xlsx", b, ReadOptions{}), RuleFormatError)
	})
}

func TestXLSXNotWhatItSays(t *testing.T) {
	t.Parallel()
	book := casesBook(t)
	tests := []struct {
		name string
		data []byte
	}{
		{"csv.xlsx", []byte("case_ref,la_code\nC1,E07000066\n")},
		{"ole.xlsx", append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 512)...)},
		{"pdf.xlsx", []byte("%PDF-1.4\n")},
		{"zip.xlsx", rezip(t, book, func(name string, d []byte) []byte {
			if name == "xl/workbook.xml" {
				return nil
			}
			return d
		}, nil)},
		{"ods.xlsx", rezip(t, book, nil, func(zw *zip.Writer) {
			w, _ := zw.Create("mimetype")
			w.Write([]byte("application/vnd.oasis.opendocument.spreadsheet"))
		})},
		{"truncated.xlsx", book[:len(book)/2]},
		{"book.xls", book},
		{"book.ods", book},
		{"book.zip", book},
		{"book.csv", book},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openBytes(t, tt.name, tt.data, ReadOptions{})
			checkFileErr(t, err, &FileError{Rule: RuleFormatError})
		})
	}
}

func TestXLSXTempFilesRemoved(t *testing.T) {
	testtier.Slow(t, "reads a 16 MiB sheet")
	t.Parallel()
	dir := t.TempDir()
	// A sheet over 16 MiB makes excelize extract it to a temp file too.
	big := rezip(t, workbook(t, func(f *excelize.File) {}), func(name string, d []byte) []byte {
		if name == "xl/worksheets/sheet1.xml" {
			return bigSheet(300000)
		}
		return d
	}, nil)
	for _, b := range [][]byte{casesBook(t), big} {
		tab, err := Open(context.Background(), "c.xlsx", bytes.NewReader(b), ReadOptions{TempDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := readAll(tab); err != nil {
			t.Fatal(err)
		}
		must(t, tab.Close())
		must(t, tab.Close()) // twice is fine
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Fatalf("%d files left in the temp dir", len(left))
		}
	}
	// And after a rejected file.
	_, err := Open(context.Background(), "c.xlsx", strings.NewReader("not a zip"), ReadOptions{TempDir: dir})
	checkFileErr(t, err, &FileError{Rule: RuleFormatError})
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("%d files left after a rejected file", len(left))
	}
}

func TestXLSXContextCancelled(t *testing.T) {
	t.Parallel()
	b := rezip(t, workbook(t, func(f *excelize.File) {}), func(name string, d []byte) []byte {
		if name == "xl/worksheets/sheet1.xml" {
			return bigSheet(5 * ctxEvery)
		}
		return d
	}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	tab, err := Open(ctx, "c.xlsx", bytes.NewReader(b), ReadOptions{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	cancel()
	if _, err := readAll(tab); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := Open(ctx, "c.xlsx", bytes.NewReader(b), ReadOptions{TempDir: t.TempDir()}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Open err = %v, want context.Canceled", err)
	}
}

// openAll opens b and reads it to the end, returning the first error.
func openAll(t testing.TB, name string, b []byte, opt ReadOptions) error {
	t.Helper()
	tab, err := openBytes(t, name, b, opt)
	if err != nil {
		return err
	}
	defer tab.Close()
	_, err = readAll(tab)
	return err
}

// checkRule checks that err is a *FileError with the rule, whatever its
// row, and returns it.
func checkRule(t testing.TB, err error, rule string) *FileError {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) || fe.Rule != rule {
		t.Fatalf("error = %v (%T), want a *FileError %s", err, err, rule)
	}
	return fe
}

// Where the system allows it, the spool has no name while the sheet is
// read: a process killed mid-read leaves no copy of the file behind.
func TestXLSXSpoolHasNoName(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("an open file cannot be removed on Windows: the spool goes at Close")
	}
	t.Parallel()
	dir := t.TempDir()
	tab, err := Open(context.Background(), "c.xlsx", bytes.NewReader(casesBook(t)), ReadOptions{TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("while the sheet is open, the temp dir holds %v", left)
	}
	if _, err := readAll(tab); err != nil {
		t.Fatal(err)
	}
}
