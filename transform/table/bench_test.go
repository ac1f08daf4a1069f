package table

import (
	"bufio"
	"context"
	"encoding/csv"
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
	if benchDir != "" {
		os.RemoveAll(benchDir)
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
