package prepare

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"landingd/internal/atomicfile"
	"landingd/transform"
	"landingd/transform/table"
)

// Options are what Prepare needs besides the export.
type Options struct {
	Schema  *transform.Schema
	Mapping *Mapping // nil: H-CLIC names and the field list's spellings only
	// PartnerGSS fills la_code when the export has no such column.
	PartnerGSS string
	// Quarter (such as 2025Q4) fills quarter_end_date when the export has
	// no such column; "" means the quarter the export's name holds.
	Quarter string
	// FilterField and Keep are the protocol's filter: rows whose filter
	// value is a code outside Keep are left out of scope.
	FilterField string
	Keep        []string
	// Aliases are the partner's aliases from the protocol, field -> their
	// value -> code; the mapping's values are added to them.
	Aliases map[string]map[string]string
	// DateOrder is the protocol's for the partner; a mapping's date_order
	// overrides it.
	DateOrder transform.DateOrder
	Encoding  string // "" detects
	Sheet     string // xlsx sheet; "" picks the first with a header
	TempDir   string // where an xlsx is spooled; "" means os.TempDir()
}

// Receipt says what Prepare did, without any cell value.
type Receipt struct {
	File       string
	Read       int // data rows read (blank rows skipped)
	NotKept    int // left out by the mapping's keep_rows
	OutOfScope int // left out by the protocol's filter
	Written    int // rows written
	// Columns are the agreed fields written, in order.
	Columns []string
	// Filled names the fields Prepare filled in, with the value: la_code
	// (the partner's GSS code) and quarter_end_date, which are no one's
	// personal data.
	Filled map[string]string
	// Dropped are the export's columns left out, in file order.
	Dropped []DroppedColumn
	// TimesDropped counts dates whose time of day was dropped.
	TimesDropped int
}

// DroppedColumn is a column of the export that is not written. Personal
// is the kind of personal data its heading suggests ("" for none) and
// Suggest an agreed field its heading is close to.
type DroppedColumn struct {
	Heading  string
	Personal transform.PersonalKind
	Suggest  string
}

// Error is a problem with the export or the mapping that stops Prepare:
// it names the file and, where there is one, the row as Excel shows it.
type Error struct {
	File string
	Row  int
	Msg  string
}

func (e *Error) Error() string {
	if e.Row > 0 {
		return fmt.Sprintf("prepare %s: row %d: %s", e.File, e.Row, e.Msg)
	}
	return fmt.Sprintf("prepare %s: %s", e.File, e.Msg)
}

// quarterInName finds a quarter id such as 2025Q4 or 2025-q4 in a file
// name.
var quarterInName = regexp.MustCompile(`(?i)(?:^|[^0-9])(20[0-9]{2})[-_ ]?q([1-4])(?:[^0-9]|$)`)

// column is what Prepare does with one column of the export.
type column struct {
	field int // index in Schema.Fields, -1 when dropped
}

// Prepare reads the export called name from r and writes the agreed CSV
// to w: the agreed columns only, in field list order, under the agreed
// names; the rows that pass the mapping's keep_rows and are not outside
// the protocol's filter; coded values written as their codes (a label, an
// alias, the partner's alias or the mapping's value); dates written
// YYYY-MM-DD; la_code and quarter_end_date
// filled when the export lacks them. A value it cannot read (a date that
// is no date, a code it does not know) is written as it is, for
// validation to report: it never drops a row on a value's strength, so a
// domestic abuse case in an older wording is never lost.
//
// It returns an *Error for an export it cannot read, without a header, or
// that lacks a column the mapping names; other errors are I/O faults or
// ctx cancelled.
func Prepare(ctx context.Context, name string, r io.Reader, w io.Writer, opt Options) (*Receipt, error) {
	s := opt.Schema
	m := opt.Mapping
	if m == nil {
		m = &Mapping{}
	}
	order := opt.DateOrder
	if m.DateOrder != "" {
		order = transform.DateOrder(m.DateOrder)
	}
	byHeading := map[string]int{} // folded mapping heading -> field
	for theirs, field := range m.Columns {
		byHeading[transform.FoldCode(theirs)] = s.Index(field)
	}
	fieldOf := func(cell string) (int, bool) {
		if i, ok := byHeading[transform.FoldCode(cell)]; ok {
			return i, true
		}
		return s.HeaderField(cell)
	}
	isHeader := func(cells []string) bool {
		named := make([]string, 0, len(cells))
		for _, c := range cells {
			if i, ok := fieldOf(c); ok {
				named = append(named, s.Fields[i].Name)
			}
		}
		return s.IsHeader(named)
	}
	tbl, err := table.Open(ctx, name, r, table.ReadOptions{Encoding: opt.Encoding, Sheet: opt.Sheet, IsHeader: isHeader, TempDir: opt.TempDir})
	if err != nil {
		var fe *table.FileError
		if errors.As(err, &fe) {
			return nil, &Error{File: name, Row: fe.Row, Msg: fe.Message}
		}
		return nil, fmt.Errorf("prepare %s: %w", name, err)
	}
	defer tbl.Close()
	header := tbl.Header()
	if !isHeader(header.Cells) {
		return nil, &Error{File: name, Msg: fmt.Sprintf(
			"no row among the first %d names at least half of the required fields (%s) by their names, H-CLIC question numbers or the mapping's columns; map your headings under columns: in the mapping",
			table.HeaderScan, strings.Join(s.Required(), ", "))}
	}

	rc := &Receipt{File: name, Filled: map[string]string{}}
	cols := make([]column, len(header.Cells))
	fieldCol := make([]int, len(s.Fields)) // field -> column, -1 when absent
	for i := range fieldCol {
		fieldCol[i] = -1
	}
	for c, cell := range header.Cells {
		cols[c].field = -1
		if i, ok := fieldOf(cell); ok && fieldCol[i] < 0 {
			cols[c].field, fieldCol[i] = i, c
			continue
		}
		if strings.TrimSpace(cell) == "" {
			continue
		}
		d := DroppedColumn{Heading: clip(strings.TrimSpace(cell), 60)}
		d.Personal, _ = transform.PersonalColumn(cell)
		if f, ok := s.Suggest(cell); ok && d.Personal == "" {
			d.Suggest = f
		}
		rc.Dropped = append(rc.Dropped, d)
	}
	for theirs := range m.Columns {
		if !slices.ContainsFunc(header.Cells, func(c string) bool { return transform.FoldCode(c) == transform.FoldCode(theirs) }) {
			return nil, &Error{File: name, Row: header.Row, Msg: fmt.Sprintf(
				"the mapping's columns name %q, which is not a heading of the header row (line %d of the mapping)", theirs, m.columnLine[theirs])}
		}
	}
	condCol := make([]int, len(m.KeepRows))
	for k, cond := range m.KeepRows {
		condCol[k] = slices.IndexFunc(header.Cells, func(c string) bool { return transform.FoldCode(c) == transform.FoldCode(cond.Column) })
		if condCol[k] < 0 {
			return nil, &Error{File: name, Row: header.Row, Msg: fmt.Sprintf(
				"the mapping's keep_rows name the column %q, which is not a heading of the header row (line %d of the mapping)", cond.Column, cond.Line)}
		}
	}

	// The columns written: the agreed fields present, and la_code and
	// quarter_end_date when absent.
	var fill [2]string
	iLA, iQED := s.Index("la_code"), s.Index("quarter_end_date")
	if fieldCol[iLA] < 0 {
		if opt.PartnerGSS == "" {
			return nil, &Error{File: name, Msg: "the export has no la_code column and no partner is given to fill it"}
		}
		fill[0] = opt.PartnerGSS
		rc.Filled["la_code"] = opt.PartnerGSS
	}
	if fieldCol[iQED] < 0 {
		q := opt.Quarter
		if q == "" {
			if sm := quarterInName.FindStringSubmatch(filepath.Base(name)); sm != nil {
				q = sm[1] + "Q" + sm[2]
			}
		}
		if q == "" {
			return nil, &Error{File: name, Msg: "the export has no quarter_end_date column and its name holds no quarter such as 2025Q4; give --quarter"}
		}
		qt, err := transform.ParseQuarterID(strings.ToUpper(q))
		if err != nil {
			return nil, &Error{File: name, Msg: fmt.Sprintf("quarter %q: %v", q, err)}
		}
		fill[1] = qt.End().Format("2006-01-02")
		rc.Filled["quarter_end_date"] = fill[1]
	}
	var out []int // fields written, in schema order
	for i := range s.Fields {
		if fieldCol[i] >= 0 || (i == iLA && fill[0] != "") || (i == iQED && fill[1] != "") {
			out = append(out, i)
			rc.Columns = append(rc.Columns, s.Fields[i].Name)
		}
	}

	aliases := map[string]map[string]string{}
	for f, m := range opt.Aliases {
		aliases[f] = m
	}
	for f, vals := range m.Values {
		merged := map[string]string{}
		for k, v := range aliases[f] {
			merged[k] = v
		}
		for k, v := range vals {
			merged[k] = v
		}
		aliases[f] = merged
	}
	keep := map[string]bool{}
	for _, k := range opt.Keep {
		keep[k] = true
	}
	iFilter := s.Index(opt.FilterField)
	serials, d1904 := tbl.Format() == "xlsx", table.Date1904(tbl)

	cw := csv.NewWriter(w)
	if err := cw.Write(rc.Columns); err != nil {
		return nil, fmt.Errorf("prepare %s: write: %w", name, err)
	}
	line := make([]string, len(out))
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := tbl.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var fe *table.FileError
			if errors.As(err, &fe) {
				return nil, &Error{File: name, Row: fe.Row, Msg: fe.Message}
			}
			return nil, fmt.Errorf("prepare %s: %w", name, err)
		}
		cell := func(c int) string {
			if c < 0 || c >= len(rec.Cells) {
				return ""
			}
			return strings.TrimSpace(rec.Cells[c])
		}
		rc.Read++
		kept := true
		for k, cond := range m.KeepRows {
			if !cond.holds(transform.FoldCode(cell(condCol[k]))) {
				kept = false
				break
			}
		}
		if !kept {
			rc.NotKept++
			continue
		}
		if iFilter >= 0 && fieldCol[iFilter] >= 0 {
			if code, ok := s.Fields[iFilter].Lookup(cell(fieldCol[iFilter]), aliases[opt.FilterField]); ok && !keep[code] {
				rc.OutOfScope++
				continue
			}
		}
		for k, fi := range out {
			f := &s.Fields[fi]
			switch {
			case fi == iLA && fill[0] != "":
				line[k] = fill[0]
				continue
			case fi == iQED && fill[1] != "":
				line[k] = fill[1]
				continue
			}
			v := cell(fieldCol[fi])
			switch {
			case v == "":
			case f.Type == transform.TypeDate:
				if iso, dropped, ok := transform.ISODate(v, serials, d1904, order); ok {
					v = iso
					if dropped {
						rc.TimesDropped++
					}
				}
			case f.Coded():
				if code, ok := f.Lookup(v, aliases[f.Name]); ok {
					v = code
				}
			}
			line[k] = v
		}
		if err := cw.Write(line); err != nil {
			return nil, fmt.Errorf("prepare %s: write: %w", name, err)
		}
		rc.Written++
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, fmt.Errorf("prepare %s: write: %w", name, err)
	}
	return rc, nil
}

// WriteFile runs Prepare on the export at in and writes the agreed CSV to
// out atomically (internal/atomicfile): into a temporary file in out's
// folder, renamed over out once complete, so a reader never sees half a
// file and a failed prepare leaves out as it was. It refuses to write
// over in.
func WriteFile(ctx context.Context, in, out string, opt Options) (*Receipt, error) {
	if same, err := sameFile(in, out); err != nil || same {
		if err == nil {
			err = &Error{File: in, Msg: "the output would overwrite the export; give --out another name"}
		}
		return nil, err
	}
	src, err := os.Open(in)
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", in, err)
	}
	defer src.Close()
	var rc *Receipt
	var prepErr error // Prepare's own error, returned as it is
	err = atomicfile.Write(out, "."+filepath.Base(out)+".*.tmp", 0o644, func(w io.Writer) error {
		rc, prepErr = Prepare(ctx, in, src, w, opt)
		return prepErr
	})
	switch {
	case prepErr != nil:
		return nil, prepErr
	case err != nil:
		return nil, fmt.Errorf("prepare %s: write %s: %w", in, out, err)
	}
	return rc, nil
}

// sameFile reports whether out names the file in, by path or, when out
// exists, by identity (a link or another spelling of the path).
func sameFile(in, out string) (bool, error) {
	a, err1 := filepath.Abs(in)
	b, err2 := filepath.Abs(out)
	if err := errors.Join(err1, err2); err != nil {
		return false, fmt.Errorf("prepare %s: %w", in, err)
	}
	if a == b {
		return true, nil
	}
	fi, err := os.Stat(in)
	if err != nil {
		return false, fmt.Errorf("prepare %s: %w", in, err)
	}
	fo, err := os.Stat(out)
	if err != nil {
		return false, nil
	}
	return os.SameFile(fi, fo), nil
}

// WriteText writes the receipt a district officer reads. It holds no
// cell value.
func (rc *Receipt) WriteText(w io.Writer) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	p("Export:   %s", rc.File)
	p("Rows read:               %6d", rc.Read)
	p("  left out by keep_rows: %6d", rc.NotKept)
	p("  out of scope:          %6d", rc.OutOfScope)
	p("  written:               %6d", rc.Written)
	p("Columns written: %s", strings.Join(rc.Columns, ", "))
	for _, f := range []string{"la_code", "quarter_end_date"} {
		if v, ok := rc.Filled[f]; ok {
			p("Filled in: %s = %s", f, v)
		}
	}
	if rc.TimesDropped > 0 {
		p("Times of day dropped from dates: %d", rc.TimesDropped)
	}
	if len(rc.Dropped) > 0 {
		p("Columns dropped:")
		for _, d := range rc.Dropped {
			switch {
			case d.Personal != "":
				p("  %q: dropped: personal data (%s), never shared", d.Heading, d.Personal)
			case d.Suggest != "":
				p("  %q: dropped; if it is %s, map it under columns: in your mapping", d.Heading, d.Suggest)
			default:
				p("  %q: dropped: not on the agreed field list", d.Heading)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
