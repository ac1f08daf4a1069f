package publish

import (
	"archive/zip"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"landingd/transform"
)

// Sheet names of combined.xlsx.
const (
	SheetData       = "Data"
	SheetDictionary = "Data dictionary"
	SheetSummary    = "Summary"
)

// xlsxWriter streams the Data sheet and writes the two small sheets at the
// end. Only the Data sheet uses a StreamWriter: excelize writes streamed
// sheets in map order, so one stream keeps the file byte-for-byte stable.
//
// Text goes in as it is, without the apostrophe Neutralise gives the CSV:
// every text value is passed to excelize as a Go string, which it writes
// as a typed string cell (an inline string from the StreamWriter, a shared
// string from SetSheetRow and SetCellValue), never as a formula (excelize
// writes a formula only when given one, as Cell.Formula or through
// SetCellFormula, which this writer never does). So "=1+2" shows as =1+2
// and is never run, where an apostrophe would show literally.
type xlsxWriter struct {
	f    *excelize.File
	sw   *excelize.StreamWriter
	s    *transform.Schema
	bold int
	date int
	row  int
}

func newXLSX(s *transform.Schema, title string, stamp time.Time, tempDir string) (*xlsxWriter, error) {
	// The stream writer spills rows to a temporary file past 16 MiB.
	f := excelize.NewFile(excelize.Options{TmpDir: tempDir})
	ts := stamp.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{
		Creator: "landingd", LastModifiedBy: "landingd", Title: title, Created: ts, Modified: ts,
	}); err != nil {
		return nil, err
	}
	if err := f.SetSheetName("Sheet1", SheetData); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	fmtDate := "yyyy-mm-dd"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &fmtDate})
	if err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(SheetData)
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := sw.SetColWidth(1, len(s.Fields), 18); err != nil {
		return nil, err
	}
	x := &xlsxWriter{f: f, sw: sw, s: s, bold: bold, date: date, row: 1}
	head := make([]any, len(s.Fields))
	for i, fd := range s.Fields {
		h := fd.Title
		if h == "" {
			h = fd.Name
		}
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, err
	}
	return x, nil
}

// add writes one row of cells made by cell.
func (x *xlsxWriter) add(cells []any) error {
	x.row++
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, cells)
}

// cell returns the workbook cell of canonical value v of field fd: a label,
// Yes/No, a date or a number. A value that does not parse as its type is
// written as text. It reads only what newXLSX set, so the reading side
// calls it while add runs on the feed's goroutine.
func (x *xlsxWriter) cell(fd *transform.Field, v string) any {
	if v == "" {
		return nil
	}
	switch fd.Type {
	case transform.TypeInteger:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case transform.TypeBoolean:
		switch v {
		case "true":
			return "Yes"
		case "false":
			return "No"
		}
	case transform.TypeDate:
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return excelize.Cell{StyleID: x.date, Value: t}
		}
	}
	if fd.Coded() {
		if l := fd.Label(v); l != "" {
			return l
		}
	}
	return v
}

// dictionary writes the Data dictionary sheet: one row per field, then one
// row per code of a coded field.
func (x *xlsxWriter) dictionary() error {
	const sh = SheetDictionary
	if _, err := x.f.NewSheet(sh); err != nil {
		return err
	}
	head := []any{"Field", "Title", "Type", "Required", "Description", "Code", "Code label"}
	if err := x.f.SetSheetRow(sh, "A1", &head); err != nil {
		return err
	}
	if err := x.f.SetRowStyle(sh, 1, 1, x.bold); err != nil {
		return err
	}
	if err := x.f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := 2
	put := func(vals []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return x.f.SetSheetRow(sh, cell, &vals)
	}
	for _, fd := range x.s.Fields {
		req := "No"
		if fd.Required {
			req = "Yes"
		}
		if err := put([]any{fd.Name, fd.Title, fd.Type, req, fd.Description}); err != nil {
			return err
		}
		for _, c := range fd.Codes {
			if err := put([]any{fd.Name, nil, nil, nil, nil, c.Value, c.Label}); err != nil {
				return err
			}
		}
	}
	for col, w := range []float64{28, 40, 10, 10, 80, 28, 48} {
		name, _ := excelize.ColumnNumberToName(col + 1)
		if err := x.f.SetColWidth(sh, name, name, w); err != nil {
			return err
		}
	}
	return nil
}

// summary writes the Summary sheet from the suppressed table t, whose rows
// are rowNames then "Total" and whose columns are colNames then "Total".
// NotAvailable is the Summary sheet's mark for a district that had no
// accepted file for the quarter (the ministry's "not available").
const NotAvailable = ".."

func (x *xlsxWriter) summary(title string, rowNames []string, avail []bool, colNames []string, t [][]Cell) error {
	const sh = SheetSummary
	if _, err := x.f.NewSheet(sh); err != nil {
		return err
	}
	if err := x.f.SetCellValue(sh, "A1", title); err != nil {
		return err
	}
	if err := x.f.SetCellStyle(sh, "A1", "A1", x.bold); err != nil {
		return err
	}
	head := []any{"District"}
	for _, c := range colNames {
		head = append(head, c)
	}
	head = append(head, "Total")
	if err := x.f.SetSheetRow(sh, "A3", &head); err != nil {
		return err
	}
	if err := x.f.SetRowStyle(sh, 3, 3, x.bold); err != nil {
		return err
	}
	// Districts without an accepted file show ".." in every cell, in
	// their place; t holds the others, then the totals.
	missing := false
	k := 0
	for i := 0; i <= len(rowNames); i++ {
		var vals []any
		switch {
		case i == len(rowNames):
			vals = []any{"Total"}
		case !avail[i]:
			missing = true
			vals = []any{rowNames[i]}
			for range len(colNames) + 1 {
				vals = append(vals, NotAvailable)
			}
		default:
			vals = []any{rowNames[i]}
		}
		if i == len(rowNames) || avail[i] {
			for _, c := range t[k] {
				if c.Suppressed() {
					vals = append(vals, c.String())
				} else {
					vals = append(vals, c.N)
				}
			}
			k++
		}
		cell, _ := excelize.CoordinatesToCellName(1, 4+i)
		if err := x.f.SetSheetRow(sh, cell, &vals); err != nil {
			return err
		}
	}
	last := 4 + len(rowNames) + 1
	if err := x.f.SetRowStyle(sh, last-1, last-1, x.bold); err != nil {
		return err
	}
	notes := []string{
		"<5: a count from 0 to 4, hidden so that no household can be picked out.",
		"*: hidden so that a small count cannot be worked out from the totals; it may be any number.",
		"0 is hidden as <5 too: were zeros shown, several <5 cells could be worked out from a small total.",
		"Totals are the true totals of all cases, hidden or not.",
	}
	if missing {
		notes = append(notes, NotAvailable+": not available: the district had no accepted file for this quarter; it is left out of the totals.")
	}
	for i, n := range notes {
		if err := x.f.SetCellValue(sh, "A"+strconv.Itoa(last+1+i), n); err != nil {
			return err
		}
	}
	return x.f.SetColWidth(sh, "A", "A", 24)
}

// finish writes the workbook to w. excelize's WriteTo builds the whole zip
// in a memory buffer first; a zip writer over w streams it instead, and
// the (then empty) buffer goes to io.Discard. This skips excelize's zip64
// header fix-up, needed only for a part over 4 GiB, far beyond the
// 1,048,576 rows a sheet can hold at this width.
func (x *xlsxWriter) finish(w io.Writer) error {
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("flush data sheet: %w", err)
	}
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, xlsxDeflateLevel)
		})
		return zw
	})
	if _, err := x.f.WriteTo(io.Discard); err != nil {
		return err
	}
	return nil
}

// xlsxDeflateLevel is the compression of the workbook's parts. The Data
// sheet of bench/cycle's quarter (12 x 50,000 rows read, 239,293 kept) is
// 423 MB of XML; deflating it took 4.9 s
// with compress/flate's default level (50 MB out), 1.5 s at its best speed
// (70 MB) and 0.8 s with klauspost/compress's level 1 (66 MB), so the
// workbook uses the last: a real quarter is a few thousand rows, and its
// size does not matter beside the time a national quarter would take.
const xlsxDeflateLevel = flate.BestSpeed

// close removes the writer's temporary files.
func (x *xlsxWriter) close() { _ = x.f.Close() }
