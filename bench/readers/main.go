// Command readers makes large synthetic district files and reads them
// with the table package or with the bare library loops, so run.sh can
// compare time and peak memory.
//
//	readers gen-csv FILE ROWS     write a 30-column CSV
//	readers gen-xlsx FILE ROWS    write a 30-column xlsx with a shared-string table and date cells
//	readers gen-xlsx-inline FILE ROWS  the same rows with excelize's StreamWriter (inline strings)
//	readers csv table|bare FILE   read a CSV, count rows with reasonloss == "7"
//	readers xlsx table|bare FILE  the same for an xlsx
//
// Each read prints "rows=N matched=M" so run.sh can check the readers
// agree. All data is made up.
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"landingd/transform/table"
)

const cols = 30

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "readers:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 3 {
		return errors.New("usage: readers gen-csv|gen-xlsx|gen-xlsx-inline FILE ROWS | readers csv|xlsx table|bare FILE")
	}
	switch args[0] {
	case "gen-csv", "gen-xlsx", "gen-xlsx-inline":
		n, err := strconv.Atoi(args[2])
		if err != nil {
			return fmt.Errorf("rows: %w", err)
		}
		switch args[0] {
		case "gen-csv":
			return genCSV(args[1], n)
		case "gen-xlsx-inline":
			return genXLSXInline(args[1], n)
		}
		return genXLSX(args[1], n)
	case "csv", "xlsx":
		var rows, matched int
		var err error
		switch args[0] + " " + args[1] {
		case "csv table", "xlsx table":
			rows, matched, err = readTable(args[2])
		case "csv bare":
			rows, matched, err = bareCSV(args[2])
		case "xlsx bare":
			rows, matched, err = bareXLSX(args[2])
		default:
			return fmt.Errorf("unknown reader %q", args[1])
		}
		if err != nil {
			return err
		}
		fmt.Printf("rows=%d matched=%d\n", rows, matched)
		return nil
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// header is the 30 labels; reasonloss is column 7.
func header() []string {
	h := make([]string, cols)
	for c := range h {
		h[c] = "f" + strconv.Itoa(c+1)
	}
	copy(h, []string{"case_ref", "la_code", "quarter", "app_date", "age", "household_type", "reasonloss", "da_support_need", "duty_type", "notes"})
	return h
}

var (
	households = []string{"Single adult male", "Single adult female", "Couple with dependent children", "Single parent with dependent children", "Other"}
	duties     = []string{"Prevention", "Relief", "Main duty"}
)

// row is one synthetic case. Strings are text cells in xlsx; ints are
// numbers; the date is a date cell.
type row struct {
	text  [7]string // case_ref, la_code, quarter, household_type, da_support_need, duty_type, notes
	age   int
	date  time.Time
	code  int // reasonloss
	extra [cols - 10]int
}

func makeRow(i int, r *row) {
	r.text[0] = fmt.Sprintf("%08d", i)
	r.text[1] = "E070000" + strconv.Itoa(66+i%6)
	r.text[2] = "2025Q" + strconv.Itoa(1+i%4)
	r.text[3] = households[(i*31)%len(households)]
	r.code = 1 + (i*7919)%7
	if r.code == 7 {
		r.text[4] = "Yes"
	} else {
		r.text[4] = "No"
	}
	r.text[5] = duties[(i*13)%len(duties)]
	r.text[6] = "Referred by agency, follow-up " + strconv.Itoa((i*17)%1000)
	r.age = 16 + (i*7)%70
	r.date = time.Date(2025, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
	for c := range r.extra {
		r.extra[c] = (i + c*3) % 10
	}
}

func genCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	if err := w.Write(header()); err != nil {
		return err
	}
	var r row
	rec := make([]string, cols)
	for i := 1; i <= n; i++ {
		makeRow(i, &r)
		rec[0], rec[1], rec[2] = r.text[0], r.text[1], r.text[2]
		rec[3] = r.date.Format("02/01/2006")
		rec[4] = strconv.Itoa(r.age)
		rec[5], rec[6], rec[7], rec[8], rec[9] = r.text[3], strconv.Itoa(r.code), r.text[4], r.text[5], r.text[6]
		for c, v := range r.extra {
			rec[10+c] = strconv.Itoa(v)
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// genXLSX writes the workbook as Excel would: strings in a shared-string
// table, dates as serials with a date style. excelize's SetCellValue
// would hold 6 million cells in memory and its StreamWriter writes inline
// strings, so the sheet and the table are written here and the rest of
// the package (styles, workbook, content types) comes from a small
// workbook excelize made.
func genXLSX(path string, n int) error {
	tpl := excelize.NewFile()
	defer tpl.Close()
	h := header()
	hv := make([]any, len(h))
	for i, s := range h {
		hv[i] = s
	}
	if err := tpl.SetSheetRow("Sheet1", "A1", &hv); err != nil {
		return err
	}
	dateFmt := "dd/mm/yyyy"
	dateStyle, err := tpl.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	var tplBuf bytes.Buffer
	if err := tpl.Write(&tplBuf); err != nil {
		return err
	}
	zr, err := zip.NewReader(bytes.NewReader(tplBuf.Bytes()), int64(tplBuf.Len()))
	if err != nil {
		return err
	}

	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	ob := bufio.NewWriterSize(out, 1<<20)
	zw := zip.NewWriter(ob)
	for _, e := range zr.File {
		if e.Name == "xl/worksheets/sheet1.xml" || e.Name == "xl/sharedStrings.xml" {
			continue
		}
		if err := zw.Copy(e); err != nil {
			return err
		}
	}

	sst := map[string]int{}
	var order []string
	idx := func(s string) int {
		if i, ok := sst[s]; ok {
			return i
		}
		sst[s] = len(order)
		order = append(order, s)
		return len(order) - 1
	}
	letters := make([]string, cols)
	for c := range letters {
		letters[c], _ = excelize.ColumnNumberToName(c + 1)
	}
	sw, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(sw, 1<<20)
	w.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<dimension ref="A1:` + letters[cols-1] + strconv.Itoa(n+1) + `"/><sheetData>`)
	str := func(c, r int, s string) {
		fmt.Fprintf(w, `<c r="%s%d" t="s"><v>%d</v></c>`, letters[c], r, idx(s))
	}
	num := func(c, r int, v string, style int) {
		if style > 0 {
			fmt.Fprintf(w, `<c r="%s%d" s="%d"><v>%s</v></c>`, letters[c], r, style, v)
			return
		}
		fmt.Fprintf(w, `<c r="%s%d"><v>%s</v></c>`, letters[c], r, v)
	}
	fmt.Fprintf(w, `<row r="1" spans="1:%d">`, cols)
	for c, s := range h {
		str(c, 1, s)
	}
	w.WriteString(`</row>`)
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	var r row
	for i := 1; i <= n; i++ {
		makeRow(i, &r)
		rn := i + 1
		fmt.Fprintf(w, `<row r="%d" spans="1:%d">`, rn, cols)
		str(0, rn, r.text[0])
		str(1, rn, r.text[1])
		str(2, rn, r.text[2])
		num(3, rn, strconv.Itoa(int(r.date.Sub(epoch).Hours()/24)), dateStyle)
		num(4, rn, strconv.Itoa(r.age), 0)
		str(5, rn, r.text[3])
		num(6, rn, strconv.Itoa(r.code), 0)
		str(7, rn, r.text[4])
		str(8, rn, r.text[5])
		str(9, rn, r.text[6])
		for c, v := range r.extra {
			num(10+c, rn, strconv.Itoa(v), 0)
		}
		w.WriteString(`</row>`)
	}
	w.WriteString(`</sheetData></worksheet>`)
	if err := w.Flush(); err != nil {
		return err
	}

	ssw, err := zw.Create("xl/sharedStrings.xml")
	if err != nil {
		return err
	}
	w = bufio.NewWriterSize(ssw, 1<<20)
	total := n*7 + cols
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, total, len(order))
	for _, s := range order {
		w.WriteString(`<si><t>` + html.EscapeString(s) + `</t></si>`)
	}
	w.WriteString(`</sst>`)
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := ob.Flush(); err != nil {
		return err
	}
	return out.Close()
}

// genXLSXInline writes the rows of genXLSX with excelize's StreamWriter,
// as landingd's own combined workbook and bench/cycle's districts are
// written: strings inline in each cell, dates with a date style.
func genXLSXInline(path string, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	dateFmt := "dd/mm/yyyy"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	cells := make([]any, cols)
	for c, s := range header() {
		cells[c] = s
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	var r row
	for i := 1; i <= n; i++ {
		makeRow(i, &r)
		cells[0], cells[1], cells[2] = r.text[0], r.text[1], r.text[2]
		cells[3] = excelize.Cell{StyleID: dateStyle, Value: r.date}
		cells[4] = r.age
		cells[5], cells[6], cells[7], cells[8], cells[9] = r.text[3], r.code, r.text[4], r.text[5], r.text[6]
		for c, v := range r.extra {
			cells[10+c] = v
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+1), cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// readTable reads path with table.Open and counts reasonloss == "7".
func readTable(path string) (rows, matched int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	tab, err := table.Open(context.Background(), filepath.Base(path), f, table.ReadOptions{TempDir: filepath.Dir(path)})
	if err != nil {
		return 0, 0, err
	}
	defer tab.Close()
	col := indexOf(tab.Header().Cells, "reasonloss")
	for {
		rec, err := tab.Next()
		if err == io.EOF {
			return rows, matched, tab.Close()
		}
		if err != nil {
			return rows, matched, err
		}
		rows++
		if col < len(rec.Cells) && rec.Cells[col] == "7" {
			matched++
		}
	}
}

// bareCSV is encoding/csv alone, as fast as it goes.
func bareCSV(path string) (rows, matched int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	hdr, err := r.Read()
	if err != nil {
		return 0, 0, err
	}
	col := indexOf(hdr, "reasonloss")
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, matched, nil
		}
		if err != nil {
			return rows, matched, err
		}
		rows++
		if col < len(rec) && rec[col] == "7" {
			matched++
		}
	}
}

// bareXLSX is excelize's row iterator with raw values, and no checks.
func bareXLSX(path string) (rows, matched int, err error) {
	f, err := excelize.OpenFile(path, excelize.Options{TmpDir: filepath.Dir(path)})
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	it, err := f.Rows(f.GetSheetList()[0])
	if err != nil {
		return 0, 0, err
	}
	defer it.Close()
	col := -1
	opt := excelize.Options{RawCellValue: true}
	for it.Next() {
		cells, err := it.Columns(opt)
		if err != nil {
			return rows, matched, err
		}
		if col < 0 {
			col = indexOf(cells, "reasonloss")
			continue
		}
		rows++
		if col < len(cells) && cells[col] == "7" {
			matched++
		}
	}
	return rows, matched, it.Close()
}

// indexOf returns the column of label in a header, or one past the end
// when it is missing, so that no row matches.
func indexOf(cells []string, label string) int {
	for i, c := range cells {
		if c == label {
			return i
		}
	}
	return len(cells) + 1
}
