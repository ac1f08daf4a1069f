package synth

import (
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// sink writes rendered rows in one file format.
type sink interface {
	title(text string, width int) error
	header(cells []string) error
	row(cells []cell) error
	close() error
	abort() // releases resources after an error, writing nothing more
}

// csvSink streams CSV through an optional encoder.
type csvSink struct {
	cw  *csv.Writer
	enc io.WriteCloser // nil for UTF-8
	rec []string
}

func newCSVSink(w io.Writer, sp *Spec) (*csvSink, error) {
	s := &csvSink{}
	switch sp.Encoding {
	case "utf-8-bom":
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return nil, fmt.Errorf("write csv bom: %w", err)
		}
	case "windows-1252":
		s.enc = transform.NewWriter(w, charmap.Windows1252.NewEncoder())
		w = s.enc
	}
	s.cw = csv.NewWriter(w)
	s.cw.Comma = sp.Delimiter
	s.cw.UseCRLF = sp.CRLF
	return s, nil
}

func (s *csvSink) title(text string, width int) error {
	// Spreadsheet exports pad a title row with empty cells to the width.
	s.rec = append(s.rec[:0], text)
	for len(s.rec) < width {
		s.rec = append(s.rec, "")
	}
	return s.write()
}

func (s *csvSink) header(cells []string) error {
	s.rec = append(s.rec[:0], cells...)
	return s.write()
}

func (s *csvSink) row(cells []cell) error {
	s.rec = s.rec[:0]
	for _, c := range cells {
		s.rec = append(s.rec, c.text)
	}
	return s.write()
}

func (s *csvSink) write() error {
	if err := s.cw.Write(s.rec); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func (s *csvSink) close() error {
	s.cw.Flush()
	if err := s.cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	if s.enc != nil {
		if err := s.enc.Close(); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	return nil
}

func (s *csvSink) abort() {}

// sheetName is the worksheet synthetic xlsx files use.
const sheetName = "Extract"

// xlsxSink writes a workbook with excelize's StreamWriter, which spools
// rows to a temporary file; excelize builds the zip in memory when the
// workbook is written out.
type xlsxSink struct {
	w         io.Writer
	f         *excelize.File
	sw        *excelize.StreamWriter
	dateStyle int
	n         int // rows written
	buf       []any
	produced  time.Time
}

func newXLSXSink(w io.Writer, produced time.Time) (*xlsxSink, error) {
	f := excelize.NewFile()
	s := &xlsxSink{w: w, f: f, produced: produced}
	fail := func(err error) (*xlsxSink, error) {
		_ = f.Close()
		return nil, fmt.Errorf("write xlsx: %w", err)
	}
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return fail(err)
	}
	format := "dd/mm/yyyy"
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	if err != nil {
		return fail(err)
	}
	s.dateStyle = style
	if s.sw, err = f.NewStreamWriter(sheetName); err != nil {
		return fail(err)
	}
	return s, nil
}

func (s *xlsxSink) setRow() error {
	s.n++
	ref, err := excelize.CoordinatesToCellName(1, s.n)
	if err == nil {
		err = s.sw.SetRow(ref, s.buf)
	}
	if err != nil {
		return fmt.Errorf("write xlsx row %d: %w", s.n, err)
	}
	return nil
}

func (s *xlsxSink) title(text string, _ int) error {
	s.buf = append(s.buf[:0], text)
	return s.setRow()
}

func (s *xlsxSink) header(cells []string) error {
	s.buf = s.buf[:0]
	for _, c := range cells {
		s.buf = append(s.buf, c)
	}
	return s.setRow()
}

func (s *xlsxSink) row(cells []cell) error {
	s.buf = s.buf[:0]
	for _, c := range cells {
		switch {
		case !c.date.IsZero():
			s.buf = append(s.buf, excelize.Cell{StyleID: s.dateStyle, Value: c.date})
		case c.isNum:
			s.buf = append(s.buf, c.num)
		case c.text == "":
			s.buf = append(s.buf, nil)
		default:
			s.buf = append(s.buf, c.text)
		}
	}
	return s.setRow()
}

func (s *xlsxSink) close() error {
	err := s.finish()
	if cerr := s.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write xlsx: %w", cerr)
	}
	return err
}

// abort releases the workbook's temporary files without writing it.
func (s *xlsxSink) abort() { _ = s.f.Close() }

func (s *xlsxSink) finish() error {
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	// Fixed document properties keep the bytes identical run to run.
	stamp := s.produced.UTC().Format(time.RFC3339)
	if err := s.f.SetDocProps(&excelize.DocProperties{
		Created: stamp, Modified: stamp, Creator: "landingd synthetic data",
		LastModifiedBy: "landingd synthetic data", Title: "Synthetic H-CLIC extract",
	}); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if err := s.f.Write(s.w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}
