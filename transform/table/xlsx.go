package table

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
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
	// MaxPartBytes caps the sum of every entry but the worksheets (shared
	// strings, styles, the workbook, media): the shared strings are held
	// in memory, and nothing else is worth more to a district file.
	MaxPartBytes = 128 << 20
)

// openXLSX spools r, checks the zip, and opens the sheet.
func openXLSX(ctx context.Context, r io.Reader, opt ReadOptions) (Table, error) {
	return openXLSXWith(ctx, r, opt, scanMode{})
}

// scanMode is how the scanner reads (the tests compare the ways): noScan
// leaves the parts to the token reader alone; buf, when not 0, is the
// scanner's first buffer size, small to make units cross its ends.
type scanMode struct {
	noScan bool
	buf    int
}

// openXLSXWith is openXLSX, with the scanner as mode says.
func openXLSXWith(ctx context.Context, r io.Reader, opt ReadOptions, mode scanMode) (_ Table, err error) {
	maxEntry, maxTotal := opt.MaxEntryBytes, opt.MaxUnzippedBytes
	if maxEntry <= 0 {
		maxEntry = DefaultMaxEntryBytes
	}
	if maxTotal <= 0 {
		maxTotal = DefaultMaxUnzippedBytes
	}
	lim := opt.Limits.orDefault()
	spool, err := os.CreateTemp(opt.TempDir, "landingd-xlsx-*")
	if err != nil {
		return nil, fmt.Errorf("spool xlsx: %w", err)
	}
	spoolName := spool.Name()
	// The name goes at once where the system allows it (Unix): the spool
	// lives on through its descriptor, so a process killed while it reads
	// (SIGKILL, out of memory) leaves no copy of a district's file behind.
	// Where an open file cannot be removed (Windows), it goes at release.
	if os.Remove(spoolName) == nil {
		spoolName = ""
	}
	release := func() error {
		cerr := spool.Close()
		if spoolName != "" {
			if err := os.Remove(spoolName); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("remove xlsx spool: %w", err)
			}
		}
		if cerr != nil && !errors.Is(cerr, os.ErrClosed) {
			return fmt.Errorf("close xlsx spool: %w", cerr)
		}
		return nil
	}
	defer func() {
		if err != nil {
			_ = release()
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
	zr, err := checkZip(spool, n, maxEntry, maxTotal)
	if err != nil {
		return nil, err
	}
	b, err := openBook(ctx, zr, &lim)
	if err != nil {
		return nil, err
	}
	b.scanMode = mode
	t, err := openSheet(b, opt)
	if err != nil {
		return nil, err
	}
	src := t.src.(*sheetSource)
	t.closer = func() error {
		err := src.close()
		if rerr := release(); err == nil {
			err = rerr
		}
		return err
	}
	return t, nil
}

func overLimits() *FileError {
	return formatErr("the workbook is over the decompression limits (it unzips to too much data, or its zip headers do not match its content)")
}

// checkZip checks that the spool is an xlsx within the limits, by the
// sizes its zip headers declare: every entry, their sum, and the parts
// other than worksheets (shared strings, styles, media), which are capped
// as a sum. What an entry really unzips to is checked as it is read:
// archive/zip fails on more bytes than declared, fewer, or a checksum
// mismatch, and the reader turns that into a format-error.
func checkZip(f *os.File, size, maxEntry, maxTotal int64) (*zip.Reader, error) {
	head := make([]byte, 8)
	if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("read xlsx spool: %w", err)
	}
	if what := sniff(head); what != "" && !strings.HasPrefix(what, "a zip") {
		return nil, formatErr("the file is named .xlsx but is " + what)
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return nil, formatErr("the file is named .xlsx but is not an Excel workbook")
	}
	var hasTypes, hasWorkbook bool
	var total, parts uint64
	for _, e := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(e.Name, `\`, "/"))
		switch name {
		case "[content_types].xml":
			hasTypes = true
		case "xl/workbook.xml":
			hasWorkbook = true
		case "mimetype":
			return nil, formatErr("the file is named .xlsx but is an OpenDocument file (.ods)")
		}
		limit := uint64(MaxPartBytes)
		if strings.HasPrefix(name, "xl/worksheets/") {
			limit = uint64(maxEntry)
		}
		limit = min(limit, uint64(maxEntry))
		total += e.UncompressedSize64
		if !strings.HasPrefix(name, "xl/worksheets/") {
			parts += e.UncompressedSize64
		}
		if e.UncompressedSize64 > limit || total > uint64(maxTotal) || parts > MaxPartBytes {
			return nil, overLimits()
		}
	}
	if !hasTypes || !hasWorkbook {
		return nil, formatErr("the file is named .xlsx but is a zip archive, not an Excel workbook")
	}
	return zr, nil
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

// openSheet finds the sheet and its header and returns the table: the
// sheet opt names (exactly, else ignoring case), or the first sheet whose
// header opt.IsHeader accepts, else the first sheet with a row.
func openSheet(b *book, opt ReadOptions) (*table, error) {
	sheets := b.sheets
	if opt.Sheet != "" {
		pick := -1
		for i, s := range sheets {
			if s.name == opt.Sheet {
				pick = i
				break
			}
			if pick < 0 && strings.EqualFold(s.name, opt.Sheet) {
				pick = i
			}
		}
		if pick < 0 {
			names := make([]string, len(sheets))
			for i, s := range sheets {
				names[i] = s.name
			}
			return nil, &FileError{Rule: RuleFormatError, Message: fmt.Sprintf("the workbook has no sheet named %q; its sheets are %s", opt.Sheet, quoteList(names))}
		}
		sheets = sheets[pick : pick+1]
	}
	fallback := -1
	for i, sh := range sheets {
		t, matched, err := sheetTable(b, sh, opt.IsHeader)
		var fe *FileError
		switch {
		case errors.As(err, &fe) && fe.Rule == RuleEmptyFile:
			continue
		case err != nil:
			return nil, err
		case matched || opt.IsHeader == nil || len(sheets) == 1:
			return t, nil
		}
		_ = t.src.(*sheetSource).close()
		if fallback < 0 {
			fallback = i
		}
	}
	if fallback < 0 {
		return nil, &FileError{Rule: RuleEmptyFile, Message: "the workbook has no header row (its sheets are empty)"}
	}
	t, _, err := sheetTable(b, sheets[fallback], opt.IsHeader)
	return t, err
}

// sheetTable opens one sheet and looks for its header.
func sheetTable(b *book, sh bookSheet, isHeader func([]string) bool) (*table, bool, error) {
	if sh.part == "" {
		// A sheet whose part is missing has no rows to read.
		return nil, false, &FileError{Rule: RuleEmptyFile, Message: "the sheet has no rows"}
	}
	src, err := b.openSheetPart(sh.part)
	if err != nil {
		return nil, false, err
	}
	header, rest, matched, err := findHeader(src, isHeader)
	if fe := b.lim.headerOver(header); err == nil && fe != nil {
		err = fe
	}
	if err != nil {
		_ = src.close()
		return nil, false, err
	}
	return &table{format: "xlsx", header: header, pending: rest, src: src, sheet: sh.name, date1904: b.date1904}, matched, nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
