package table

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// Benchmark files are made once per test binary run, in benchDir.
var (
	benchDir     string
	benchDirOnce sync.Once
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range []string{benchDir, shapeDir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

const (
	benchCSVRows  = 100_000
	benchXLSXRows = 20_000
	benchCols     = 30
)

// benchRow fills cells with synthetic H-CLIC-shaped values for row i.
// Column 6 is reasonloss; "7" (about one row in seven) is domestic abuse.
func benchRow(i int, cells []any) {
	cells[0] = fmt.Sprintf("%07d", i)
	cells[1] = "E0700006" + strconv.Itoa(6+i%6)
	cells[2] = "2025Q" + strconv.Itoa(1+i%4)
	cells[3] = time.Date(2025, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
	cells[4] = 16 + i%70
	cells[5] = []string{"Single adult male", "Single adult female", "Couple with dependent children", "Single parent with dependent children"}[i%4]
	cells[6] = strconv.Itoa(1 + (i*7919)%7)
	cells[7] = []string{"Yes", "No"}[i%2]
	cells[8] = []string{"Prevention", "Relief", "Main duty"}[i%3]
	cells[9] = "Referred by agency, follow-up " + strconv.Itoa(i%1000)
	for c := 10; c < benchCols; c++ {
		cells[c] = strconv.Itoa((i + c) % 9)
	}
}

// benchHeader names the benchmark columns: case_ref, la_code and
// reasonloss where benchRow puts them, f3 and so on elsewhere.
func benchHeader() []string {
	head := make([]string, benchCols)
	for c := range head {
		head[c] = "f" + strconv.Itoa(c+1)
	}
	head[0], head[1], head[6] = "case_ref", "la_code", "reasonloss"
	return head
}

func benchFiles(b *testing.B) (csvPath, xlsxPath string) {
	benchDirOnce.Do(func() {
		dir, err := os.MkdirTemp("", "landingd-table-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = dir
		if err := writeBenchCSV(filepath.Join(dir, "cases.csv"), benchCSVRows); err != nil {
			b.Fatal(err)
		}
		if err := writeBenchXLSX(filepath.Join(dir, "cases.xlsx"), benchXLSXRows); err != nil {
			b.Fatal(err)
		}
	})
	if benchDir == "" {
		b.Fatal("benchmark files were not made")
	}
	return filepath.Join(benchDir, "cases.csv"), filepath.Join(benchDir, "cases.xlsx")
}

func writeBenchCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(bufio.NewWriter(f))
	w.Write(benchHeader())
	cells, rec := make([]any, benchCols), make([]string, benchCols)
	for i := 1; i <= n; i++ {
		benchRow(i, cells)
		for c, v := range cells {
			if d, ok := v.(time.Time); ok {
				v = d.Format("02/01/2006")
			}
			rec[c] = fmt.Sprint(v)
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

// writeBenchXLSX writes with SetSheetRow, which stores strings in a
// shared-string table as Excel does.
func writeBenchXLSX(path string, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	head := benchHeader()
	if err := f.SetSheetRow("Sheet1", "A1", &head); err != nil {
		return err
	}
	cells := make([]any, benchCols)
	for i := 1; i <= n; i++ {
		benchRow(i, cells)
		if err := f.SetSheetRow("Sheet1", "A"+strconv.Itoa(i+1), &cells); err != nil {
			return err
		}
	}
	dateFmt := "dd/mm/yyyy"
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	if err := f.SetColStyle("Sheet1", "D", style); err != nil {
		return err
	}
	return f.SaveAs(path)
}

func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCSV reads the CSV with Open and filters on reasonloss.
func BenchmarkCSV(b *testing.B) {
	path, _ := benchFiles(b)
	benchOpen(b, path, ReadOptions{})
}

// BenchmarkBareEncodingCSV is the floor for BenchmarkCSV: encoding/csv
// alone over the same file, with the same filter.
func BenchmarkBareEncodingCSV(b *testing.B) {
	path, _ := benchFiles(b)
	b.ResetTimer()
	var rows int
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
		r.ReuseRecord = true
		if _, err := r.Read(); err != nil {
			b.Fatal(err)
		}
		rows = 0
		matched := 0
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
			if rec[6] == "7" {
				matched++
			}
		}
		f.Close()
	}
	reportRows(b, rows)
}

// BenchmarkXLSX reads the xlsx with Open and filters on reasonloss.
func BenchmarkXLSX(b *testing.B) {
	_, path := benchFiles(b)
	benchOpen(b, path, ReadOptions{TempDir: b.TempDir()})
}

// benchOpen reads the file at path with Open and filters on reasonloss,
// once per iteration.
func benchOpen(b *testing.B, path string, opt ReadOptions) {
	var rows int
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		tab, err := Open(context.Background(), filepath.Base(path), f, opt)
		if err != nil {
			b.Fatal(err)
		}
		rows, _ = filterTable(b, tab)
		tab.Close()
		f.Close()
	}
	reportRows(b, rows)
}

// BenchmarkBareExcelizeRows is the floor for BenchmarkXLSX: excelize's
// row iterator with raw values over the same file, with the same filter.
func BenchmarkBareExcelizeRows(b *testing.B) {
	_, path := benchFiles(b)
	b.ResetTimer()
	var rows int
	for b.Loop() {
		f, err := excelize.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		it, err := f.Rows("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		rows = -1 // the header
		matched := 0
		for it.Next() {
			cells, err := it.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				b.Fatal(err)
			}
			rows++
			if len(cells) > 6 && cells[6] == "7" {
				matched++
			}
		}
		it.Close()
		f.Close()
	}
	reportRows(b, rows)
}

func filterTable(b *testing.B, tab Table) (rows, matched int) {
	col := -1
	for i, h := range tab.Header().Cells {
		if h == "reasonloss" {
			col = i
		}
	}
	for {
		rec, err := tab.Next()
		if err == io.EOF {
			return rows, matched
		}
		if err != nil {
			b.Fatal(err)
		}
		rows++
		if col < len(rec.Cells) && rec.Cells[col] == "7" {
			matched++
		}
	}
}

// benchShapeRows is the rows of BenchmarkXLSXShapes' workbooks:
// LANDINGD_BENCH_XLSX_ROWS, or 20,000 (bench/readers reads 200,000).
func benchShapeRows(b *testing.B) int {
	if v := os.Getenv("LANDINGD_BENCH_XLSX_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("LANDINGD_BENCH_XLSX_ROWS=%q", v)
		}
		return n
	}
	return 20_000
}

var (
	shapeOnce  sync.Once
	shapeDir   string // removed by TestMain
	shapeFiles map[string]string
)

// BenchmarkXLSXShapes reads the two workbook shapes of the README's
// reader figures, with the sheet scanner and with the token reader
// alone: "shared", strings in a shared-string table and dates as styled
// serials, as Excel saves them; "inline", the same rows written by
// excelize's StreamWriter, with inline strings.
func BenchmarkXLSXShapes(b *testing.B) {
	shapeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "landingd-table-shapes-")
		if err != nil {
			b.Fatal(err)
		}
		shapeDir = dir
		n := benchShapeRows(b)
		shapeFiles = map[string]string{"shared": filepath.Join(dir, "shared.xlsx"), "inline": filepath.Join(dir, "inline.xlsx")}
		if err := writeSharedShape(shapeFiles["shared"], n); err != nil {
			b.Fatal(err)
		}
		if err := writeInlineShape(shapeFiles["inline"], n); err != nil {
			b.Fatal(err)
		}
	})
	for _, shape := range []string{"shared", "inline"} {
		for _, mode := range []string{"scan", "tokens"} {
			b.Run(shape+"/"+mode, func(b *testing.B) {
				path := shapeFiles[shape]
				tmp := b.TempDir()
				var rows int
				for b.Loop() {
					f, err := os.Open(path)
					if err != nil {
						b.Fatal(err)
					}
					tab, err := openXLSXWith(context.Background(), f, ReadOptions{TempDir: tmp}, scanMode{noScan: mode == "tokens"})
					if err != nil {
						b.Fatal(err)
					}
					rows, _ = filterTable(b, tab)
					tab.Close()
					f.Close()
				}
				reportRows(b, rows)
			})
		}
	}
}

// writeSharedShape writes n rows of benchRow as Excel saves them: text
// in a shared-string table, numbers as numbers, the date as a serial
// with a date style.
func writeSharedShape(path string, n int) error {
	var sst []string
	idx := map[string]int{}
	str := func(s string) int {
		i, ok := idx[s]
		if !ok {
			i = len(sst)
			idx[s] = i
			sst = append(sst, s)
		}
		return i
	}
	var sheetXML bytes.Buffer
	sheetXML.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><dimension ref="A1"/><sheetData>`)
	cells := make([]any, benchCols)
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	for i := 0; i <= n; i++ {
		fmt.Fprintf(&sheetXML, `<row r="%d" spans="1:%d">`, i+1, benchCols)
		for c := range benchCols {
			ref := column(c+1) + strconv.Itoa(i+1)
			if i == 0 {
				fmt.Fprintf(&sheetXML, `<c r="%s" t="s"><v>%d</v></c>`, ref, str(benchHeader()[c]))
				continue
			}
			benchRow(i, cells)
			switch v := cells[c].(type) {
			case string:
				fmt.Fprintf(&sheetXML, `<c r="%s" t="s"><v>%d</v></c>`, ref, str(v))
			case time.Time:
				fmt.Fprintf(&sheetXML, `<c r="%s" s="1"><v>%d</v></c>`, ref, int(v.Sub(epoch).Hours()/24))
			default:
				fmt.Fprintf(&sheetXML, `<c r="%s"><v>%v</v></c>`, ref, v)
			}
		}
		sheetXML.WriteString(`</row>`)
	}
	sheetXML.WriteString(`</sheetData></worksheet>`)
	var sstXML bytes.Buffer
	fmt.Fprintf(&sstXML, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="%d">`, len(sst))
	for _, s := range sst {
		sstXML.WriteString("<si><t>")
		xml.EscapeText(&sstXML, []byte(s))
		sstXML.WriteString("</t></si>")
	}
	sstXML.WriteString(`</sst>`)
	return os.WriteFile(path, packageBook(nopTB{}, []string{sheetXML.String()}, sstXML.String(), ""), 0o644)
}

// writeInlineShape writes n rows of benchRow with excelize's
// StreamWriter, which writes strings inline.
func writeInlineShape(path string, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	head := benchHeader()
	row := make([]any, benchCols)
	for c, h := range head {
		row[c] = h
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		benchRow(i, row)
		if err := sw.SetRow("A"+strconv.Itoa(i+1), row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// nopTB lets packageBook build a benchmark file outside a test's must.
type nopTB struct{ testing.TB }

func (nopTB) Helper()               {}
func (nopTB) Fatal(args ...any)     { panic(fmt.Sprint(args...)) }
func (nopTB) Fatalf(string, ...any) { panic("packageBook failed") }
