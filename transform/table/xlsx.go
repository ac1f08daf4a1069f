package table

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Decompression limits for xlsx, used when ReadOptions leaves them 0.
// A quarter's H-CLIC extract for one district is a few MiB of sheet XML;
// the defaults leave room for a million-row sheet and stop zip bombs.
const (
	// DefaultMaxEntryBytes caps one zip entry's uncompressed size. The
	// sheets are streamed from disk, so this bounds disk, not memory.
	DefaultMaxEntryBytes = 1 << 30
	// DefaultMaxUnzippedBytes caps the sum of all entries.
	DefaultMaxUnzippedBytes = 2 << 30
	// MaxPartBytes caps what excelize holds whole in memory: the sum of
	// every entry but the worksheets it streams from disk (shared strings,
	// styles, the workbook, media, and sheets under xmlInMemoryBytes).
	MaxPartBytes = 128 << 20
	// xmlInMemoryBytes is excelize's UnzipXMLSizeLimit: sheets larger than
	// this are extracted to a temporary file and streamed from there.
	xmlInMemoryBytes = 16 << 20
)

// openXLSX spools r, checks the zip, and opens the sheet.
func openXLSX(ctx context.Context, r io.Reader, opt ReadOptions) (_ Table, err error) {
	maxEntry, maxTotal := opt.MaxEntryBytes, opt.MaxUnzippedBytes
	if maxEntry <= 0 {
		maxEntry = DefaultMaxEntryBytes
	}
	if maxTotal <= 0 {
		maxTotal = DefaultMaxUnzippedBytes
	}
	spool, err := os.CreateTemp(opt.TempDir, "landingd-xlsx-*")
	if err != nil {
		return nil, fmt.Errorf("spool xlsx: %w", err)
	}
	spoolName := spool.Name()
	removeSpool := func() error {
		if err := os.Remove(spoolName); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove xlsx spool: %w", err)
		}
		return nil
	}
	defer func() {
		if err != nil {
			_ = spool.Close()
			_ = removeSpool()
		}
	}()
	// A zip is never larger than what it holds by much, so the total
	// limit also caps the spool.
	n, err := io.Copy(spool, io.LimitReader(ctxReader{ctx, r}, maxTotal+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("spool xlsx: %w", err)
	}
	if n > maxTotal {
		return nil, overLimits()
	}
	if n == 0 {
		return nil, &FileError{Rule: RuleEmptyFile, Message: "the file is empty"}
	}
	if err := checkZip(ctx, spool, n, maxEntry, maxTotal); err != nil {
		return nil, err
	}
	if err := spool.Close(); err != nil {
		return nil, fmt.Errorf("spool xlsx: %w", err)
	}
	f, err := excelize.OpenFile(spoolName, excelize.Options{
		UnzipSizeLimit:    maxTotal,
		UnzipXMLSizeLimit: min(xmlInMemoryBytes, maxTotal),
		TmpDir:            opt.TempDir,
	})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return nil, formatErr("the workbook could not be read (it may be damaged)")
	}
	// excelize has read every part into memory or its own temporary
	// files: the spool is no longer needed.
	if err := removeSpool(); err != nil {
		_ = f.Close()
		return nil, err
	}
	t, err := openSheet(ctx, f, opt)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return t, nil
}

func overLimits() *FileError {
	return formatErr("the workbook is over the decompression limits (it unzips to too much data, or its zip headers do not match its content)")
}

// checkZip checks that the spool is an xlsx within the limits: every
// entry's declared size, their sum, and what each entry really unzips to
// (excelize silently truncates an entry whose header understates it).
func checkZip(ctx context.Context, f *os.File, size, maxEntry, maxTotal int64) error {
	head := make([]byte, 8)
	if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
		return fmt.Errorf("read xlsx spool: %w", err)
	}
	if what := sniff(head); what != "" && !strings.HasPrefix(what, "a zip") {
		return formatErr("the file is named .xlsx but is " + what)
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return formatErr("the file is named .xlsx but is not an Excel workbook")
	}
	var hasTypes, hasWorkbook bool
	var total, inMemory uint64
	for _, e := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(e.Name, `\`, "/"))
		switch name {
		case "[content_types].xml":
			hasTypes = true
		case "xl/workbook.xml":
			hasWorkbook = true
		case "mimetype":
			return formatErr("the file is named .xlsx but is an OpenDocument file (.ods)")
		}
		limit := uint64(MaxPartBytes)
		if strings.HasPrefix(name, "xl/worksheets/") {
			limit = uint64(maxEntry)
		}
		limit = min(limit, uint64(maxEntry))
		total += e.UncompressedSize64
		// Only worksheets over xmlInMemoryBytes are extracted to disk;
		// excelize reads every other entry into memory, so many parts
		// each under the limit must not add up past it.
		if !strings.HasPrefix(name, "xl/worksheets/sheet") || e.UncompressedSize64 <= xmlInMemoryBytes {
			inMemory += e.UncompressedSize64
		}
		if e.UncompressedSize64 > limit || total > uint64(maxTotal) || inMemory > MaxPartBytes {
			return overLimits()
		}
	}
	if !hasTypes || !hasWorkbook {
		return formatErr("the file is named .xlsx but is a zip archive, not an Excel workbook")
	}
	for _, e := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasSuffix(e.Name, "/") {
			continue
		}
		if err := checkEntry(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// checkEntry unzips e to nowhere, reading at most one byte past its
// declared size; archive/zip fails on a size or checksum mismatch.
func checkEntry(ctx context.Context, e *zip.File) error {
	rc, err := e.Open()
	if err != nil {
		return formatErr("the workbook could not be unzipped (it may be damaged)")
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(ctxReader{ctx, rc}, int64(e.UncompressedSize64)+1))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) {
			return overLimits()
		}
		return formatErr("the workbook could not be unzipped (it may be damaged)")
	}
	if uint64(n) != e.UncompressedSize64 {
		return overLimits()
	}
	return nil
}

// ctxReader stops a long copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// openSheet finds the sheet and its header and returns the table.
func openSheet(ctx context.Context, f *excelize.File, opt ReadOptions) (Table, error) {
	sheets := f.GetSheetList()
	if opt.Sheet != "" {
		name := ""
		for _, s := range sheets {
			if s == opt.Sheet {
				name = s
				break
			}
			if name == "" && strings.EqualFold(s, opt.Sheet) {
				name = s
			}
		}
		if name == "" {
			return nil, &FileError{Rule: RuleFormatError, Message: fmt.Sprintf("the workbook has no sheet named %q; its sheets are %s", opt.Sheet, quoteList(sheets))}
		}
		sheets = []string{name}
	}
	fallback := ""
	for _, name := range sheets {
		t, matched, err := sheetTable(ctx, f, name, opt.IsHeader)
		var fe *FileError
		switch {
		case errors.As(err, &fe) && fe.Rule == RuleEmptyFile:
			continue
		case err != nil:
			return nil, err
		case matched || opt.IsHeader == nil || len(sheets) == 1:
			return t, nil
		}
		_ = t.src.(*xlsxSource).rows.Close()
		if fallback == "" {
			fallback = name
		}
	}
	if fallback == "" {
		return nil, &FileError{Rule: RuleEmptyFile, Message: "the workbook has no header row (its sheets are empty)"}
	}
	t, _, err := sheetTable(ctx, f, fallback, opt.IsHeader)
	return t, err
}

// sheetTable opens one sheet and looks for its header.
func sheetTable(ctx context.Context, f *excelize.File, sheet string, isHeader func([]string) bool) (*table, bool, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		// A chart sheet or a damaged sheet has no rows to read.
		return nil, false, &FileError{Rule: RuleEmptyFile, Message: "the sheet has no rows"}
	}
	src := &xlsxSource{ctx: ctx, rows: rows}
	header, rest, matched, err := findHeader(src, isHeader)
	if err != nil {
		_ = rows.Close()
		return nil, false, err
	}
	date1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	t := &table{format: "xlsx", header: header, pending: rest, src: src, sheet: sheet, date1904: date1904}
	t.closer = func() error {
		err := rows.Close()
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close xlsx: %w", cerr)
		}
		return err
	}
	return t, matched, nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// xlsxSource reads a sheet with excelize's row iterator. Rows.Next visits
// every row number up to the last stored row, gaps included (Columns
// returns nothing for a row missing from the XML), so the count of Next
// calls is the sheet row number.
type xlsxSource struct {
	ctx  context.Context
	rows *excelize.Rows
	row  int
	err  error // sticky
}

var rawValues = excelize.Options{RawCellValue: true}

func (s *xlsxSource) next() (Record, error) {
	if s.err != nil {
		return Record{}, s.err
	}
	for s.rows.Next() {
		s.row++
		if s.row%ctxEvery == 0 {
			if err := s.ctx.Err(); err != nil {
				s.err = err
				return Record{}, err
			}
		}
		cells, err := s.rows.Columns(rawValues)
		if err != nil {
			s.err = &FileError{Rule: RuleFormatError, Row: s.row, Message: "the sheet's row could not be read (the workbook may be damaged)"}
			return Record{}, s.err
		}
		if cells = trimBlank(cells); len(cells) > 0 {
			return Record{Row: s.row, Cells: cells}, nil
		}
	}
	if err := s.rows.Error(); err != nil {
		s.err = &FileError{Rule: RuleFormatError, Row: s.row, Message: "the sheet could not be read to the end (too many rows, or the workbook is damaged)"}
		return Record{}, s.err
	}
	s.err = io.EOF
	return Record{}, io.EOF
}
