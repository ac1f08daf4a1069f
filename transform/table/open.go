package table

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
)

// File-level rule names a *FileError carries. They match the rule names
// of package transform.
const (
	RuleFormatError   = "format-error"
	RuleEncodingError = "encoding-error"
	RuleEmptyFile     = "empty-file"
)

// Accepted names the formats Open reads, as a district officer would say
// them. Format errors end with it.
const Accepted = ".csv (UTF-8 or Windows-1252) or .xlsx"

// HeaderScan is how many non-blank records Open looks through for the
// header row (ReadOptions.IsHeader) before it falls back to the first
// non-blank record.
const HeaderScan = 20

// ctxEvery is how many records a reader reads between checks of ctx.
const ctxEvery = 1024

// Open opens the file called name, whose content r streams, as a Table.
// The format comes from the extension (.csv or .xlsx, any case) and must
// agree with the content: anything else, or a file that is not what its
// name says, is a *FileError with Rule "format-error" naming the accepted
// formats. A file with no header row is a *FileError with Rule
// "empty-file"; a header and no data rows is fine (Next returns io.EOF at
// once).
//
// The header is the first of the first HeaderScan non-blank records for
// which opt.IsHeader returns true; title rows above it are skipped. When
// none qualifies (or IsHeader is nil) the first non-blank record is the
// header, and the caller then finds its labels wrong.
//
// Open reads r only as far as it needs for a CSV, and to the end for an
// xlsx (which it spools to opt.TempDir). Errors other than *FileError are
// read or temporary-file faults, or ctx's error. The caller closes r; the
// Table's Close releases only what Open made.
func Open(ctx context.Context, name string, r io.Reader, opt ReadOptions) (Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/"))); ext {
	case ".csv":
		return openCSV(ctx, r, opt)
	case ".xlsx":
		return openXLSX(ctx, r, opt)
	case ".xls":
		return nil, formatErr("the file is an Excel 97-2003 workbook (.xls)")
	case ".xlsm", ".xlsb", ".xltx":
		return nil, formatErr("the file is an Excel " + ext + " workbook")
	case ".ods":
		return nil, formatErr("the file is an OpenDocument spreadsheet (.ods)")
	case "":
		return nil, formatErr("the file name has no extension")
	default:
		return nil, formatErr("files ending " + ext + " are not read")
	}
}

// formatErr is a format-error whose message ends with the accepted formats.
func formatErr(what string) *FileError {
	return &FileError{Rule: RuleFormatError, Message: what + "; send " + Accepted}
}

// sniff names what a file's first bytes say it is, or "" for text.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return "a zip archive (such as an .xlsx renamed)"
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		return "an Excel 97-2003 workbook (.xls) or a password-protected workbook"
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "a PDF document"
	case bytes.HasPrefix(head, []byte("\xFF\xFE")), bytes.HasPrefix(head, []byte("\xFE\xFF")):
		return "UTF-16 text (such as Excel's \"Unicode Text\")"
	case bytes.IndexByte(head, 0) >= 0:
		return "a binary file"
	}
	return ""
}

// source yields a file's non-blank records, trailing blank cells trimmed,
// in order, then io.EOF. Cells may be reused by the next call.
type source interface {
	next() (Record, error)
}

// findHeader reads up to HeaderScan records of src and picks the header
// among them. matched reports whether isHeader chose it (always false for
// a nil isHeader). rest holds the records after the header that were read
// while looking. No record at all is an empty-file error.
func findHeader(src source, isHeader func([]string) bool) (header Record, rest []Record, matched bool, err error) {
	var seen []Record
	for len(seen) < HeaderScan {
		rec, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Record{}, nil, false, err
		}
		rec.Cells = append([]string(nil), rec.Cells...)
		if isHeader == nil {
			return rec, nil, false, nil
		}
		if isHeader(rec.Cells) {
			return rec, nil, true, nil
		}
		seen = append(seen, rec)
	}
	if len(seen) == 0 {
		return Record{}, nil, false, &FileError{Rule: RuleEmptyFile, Message: "the file has no header row (it is empty or blank)"}
	}
	return seen[0], seen[1:], false, nil
}

// trimBlank drops trailing blank cells (empty or white space only).
func trimBlank(cells []string) []string {
	n := len(cells)
	for n > 0 && isBlank(cells[n-1]) {
		n--
	}
	return cells[:n]
}

// isBlank is the one definition of an empty cell: white space only, as
// strings.TrimSpace sees it (so a non-breaking space is blank too), the
// same test the validator applies to labels and values.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// table is what both formats share: the header, the records read past
// it while looking for it, then the source.
type table struct {
	format  string
	header  Record
	pending []Record
	src     source
	closer  func() error
	closed  bool
	// fromPending is true when Next returned a record read while looking
	// for the header.
	fromPending bool
	// xlsx only
	sheet    string
	date1904 bool
}

func (t *table) Format() string { return t.format }

func (t *table) Header() Record { return t.header }

func (t *table) Next() (Record, error) {
	if t.closed {
		return Record{}, fmt.Errorf("read %s table: closed", t.format)
	}
	t.fromPending = len(t.pending) > 0
	if t.fromPending {
		rec := t.pending[0]
		t.pending = t.pending[1:]
		return rec, nil
	}
	return t.src.next()
}

func (t *table) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	if t.closer != nil {
		return t.closer()
	}
	return nil
}
