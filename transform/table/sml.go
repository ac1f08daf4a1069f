package table

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/xml"
	"io"
	"path"
	"strconv"
	"strings"
)

// This file reads SpreadsheetML (the XML inside an xlsx) as streams: the
// package relationships and the workbook to list the sheets, the shared
// string table into memory (within Limits), and one worksheet row by
// row. Cells come back as excelize v2.11.0's Rows/Columns returned them
// with RawCellValue (what this package used before): text as text, a
// number or date as the <v> it was stored as, a boolean as 0 or 1, an
// error as its code (#N/A). Where excelize would have read a damaged
// file one way or another (rows or cells out of order, a cell reference
// that is not one, a shared string that does not exist, XML broken part
// way), this reader refuses the file instead.

// Relationship types of the officeDocument (transitional and strict).
const (
	relOfficeDocument       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
	relOfficeDocumentStrict = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
	nsRelationships         = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsRelationshipsStrict   = "http://purl.oclc.org/ooxml/officeDocument/relationships"
)

// sharedStringsPart is where excelize looks for the shared string table
// (whatever the relationships say), in any case.
const sharedStringsPart = "xl/sharedstrings.xml"

// book is an opened xlsx package.
type book struct {
	ctx      context.Context
	lim      *Limits
	files    map[string]*zip.File // by name, backslashes made slashes
	sheets   []bookSheet
	date1904 bool
	sst      []string
	sstRead  bool
	unzipped int64    // bytes read from its parts, unzipped
	scanMode scanMode // tests
	// sstScanned and sstGaveUp say what the scanner made of the shared
	// strings (tests).
	sstScanned, sstGaveUp bool
}

// bookSheet is a sheet the workbook lists: its name and its part ("" when
// the part is missing, as for a sheet whose relationship is broken).
type bookSheet struct {
	name, part string
}

// openBook lists the workbook's sheets. zr has passed checkZip.
func openBook(ctx context.Context, zr *zip.Reader, lim *Limits) (*book, error) {
	b := &book{ctx: ctx, lim: lim, files: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		name := strings.ReplaceAll(f.Name, `\`, "/")
		if strings.EqualFold(name, sharedStringsPart) {
			name = sharedStringsPart
		}
		if _, dup := b.files[name]; dup {
			return nil, formatErr("the workbook holds two parts of the same name (it is damaged)")
		}
		b.files[name] = f
	}
	rels, err := b.rels("_rels/.rels")
	if err != nil {
		return nil, err
	}
	wbPath := ""
	for _, r := range rels {
		if r.typ == relOfficeDocument || r.typ == relOfficeDocumentStrict {
			wbPath = strings.TrimPrefix(r.target, "/")
			break
		}
	}
	if wbPath == "" {
		return b, nil
	}
	sheets, err := b.workbook(wbPath)
	if err != nil {
		return nil, err
	}
	dir := path.Dir(wbPath)
	relsPath := "_rels/" + path.Base(wbPath) + ".rels"
	if dir != "." {
		relsPath = strings.TrimPrefix(dir+"/_rels/"+path.Base(wbPath)+".rels", "/")
	}
	wbRels, err := b.rels(relsPath)
	if err != nil {
		return nil, err
	}
	targets := make(map[string]string, len(wbRels))
	for _, r := range wbRels {
		if _, seen := targets[r.id]; !seen {
			targets[r.id] = r.target
		}
	}
	for i := range sheets {
		target, ok := targets[sheets[i].part]
		sheets[i].part = ""
		if !ok {
			continue
		}
		target = strings.ReplaceAll(target, `\`, "/")
		p := strings.TrimPrefix(path.Clean(dir+"/"+target), "/")
		if strings.HasPrefix(target, "/") {
			p = strings.TrimPrefix(path.Clean(target), "/")
		}
		if _, ok := b.files[p]; ok {
			sheets[i].part = p
		}
	}
	b.sheets = sheets
	return b, nil
}

// open opens a part as a stream; ok is false when there is no such part.
func (b *book) open(name string, ns bool) (*stream, io.Closer, bool, error) {
	f, ok := b.files[name]
	if !ok {
		return nil, nil, false, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, false, formatErr("the workbook could not be unzipped (it may be damaged)")
	}
	return newStream(b.ctx, rc, b.lim, ns, &b.unzipped), rc, true, nil
}

type rel struct{ id, typ, target string }

// rels reads a relationships part; a missing part has none.
func (b *book) rels(name string) ([]rel, error) {
	s, c, ok, err := b.open(name, false)
	if err != nil || !ok {
		return nil, err
	}
	defer c.Close()
	var out []rel
	for {
		tok, err := s.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, bookErr(b.ctx, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" || s.depth() != 2 {
			continue
		}
		if len(out) >= 4*b.lim.MaxSheets+64 {
			return nil, overLimit(0, "more than %d sheets", b.lim.MaxSheets)
		}
		var r rel
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = a.Value
			}
		}
		out = append(out, r)
	}
}

// workbook reads the workbook part: the sheets in order (part holds the
// relationship id for now) and the date system.
func (b *book) workbook(name string) ([]bookSheet, error) {
	s, c, ok, err := b.open(name, true)
	if err != nil || !ok {
		return nil, err
	}
	defer c.Close()
	var sheets []bookSheet
	for {
		tok, err := s.next()
		if err == io.EOF {
			return sheets, nil
		}
		if err != nil {
			return nil, bookErr(b.ctx, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case se.Name.Local == "workbookPr" && s.depth() == 2:
			for _, a := range se.Attr {
				if a.Name.Local == "date1904" {
					v := strings.TrimSpace(a.Value)
					if v == "" {
						continue
					}
					d, err := strconv.ParseBool(v)
					if err != nil {
						return nil, formatErr("the workbook could not be read (it may be damaged)")
					}
					b.date1904 = d
				}
			}
		case se.Name.Local == "sheet" && s.depth() == 3 && s.stack[1].Local == "sheets":
			if len(sheets) >= b.lim.MaxSheets {
				return nil, overLimit(0, "more than %d sheets", b.lim.MaxSheets)
			}
			var sh bookSheet
			for _, a := range se.Attr {
				switch {
				case a.Name.Local == "name" && a.Name.Space == "":
					sh.name = a.Value
				case a.Name.Local == "id" && (a.Name.Space == nsRelationships || a.Name.Space == nsRelationshipsStrict):
					sh.part = a.Value
				}
			}
			sheets = append(sheets, sh)
		}
	}
}

// bookErr is readErr for the parts read at open.
func bookErr(ctx context.Context, err error) error {
	err = readErr(ctx, err, 0)
	if fe, ok := err.(*FileError); ok && fe.Rule == RuleFormatError {
		return formatErr("the workbook could not be read (it may be damaged)")
	}
	return err
}

// sharedStrings reads the shared string table once: with the scanner
// when it can (sstScan), and with the token reader alone when the
// scanner gives up.
func (b *book) sharedStrings() error {
	if b.sstRead {
		return nil
	}
	b.sstRead = true
	err := b.readSharedStrings(!b.scanMode.noScan && b.lim.MaxXMLDepth >= scanMinDepth)
	if err == errGiveUp {
		b.sst, b.sstGaveUp = nil, true
		err = b.readSharedStrings(false)
	}
	return err
}

// readSharedStrings reads the shared string table, the items after
// <sst> with the scanner when scan is set.
func (b *book) readSharedStrings(scan bool) error {
	f, ok := b.files[sharedStringsPart]
	if !ok {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return formatErr("the workbook could not be unzipped (it may be damaged)")
	}
	defer rc.Close()
	var s *stream
	var br *bufio.Reader
	var tracker *byteTracker
	if scan {
		s, br, tracker = newTrackedStream(b.ctx, rc, b.lim, &b.unzipped)
	} else {
		s = newStream(b.ctx, rc, b.lim, false, &b.unzipped)
	}
	var total int64
	for {
		tok, err := s.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return bookErr(b.ctx, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if s.depth() == 1 {
			if se.Name.Local != "sst" {
				return formatErr("the workbook could not be read (its shared strings are damaged)")
			}
			if tracker != nil && tracker.last == '>' && tracker.prev != '/' {
				// <sst> (not <sst/>) has just been read: its items are
				// the scanner's.
				b.sstScanned = true
				return b.scanSharedStrings(newScanner(br, s.g, rawName(se.Name), b.lim, s.comments, b.scanMode.buf))
			}
			continue
		}
		if s.depth() != 2 || se.Name.Local != "si" {
			if err := s.skip(); err != nil {
				return bookErr(b.ctx, err)
			}
			continue
		}
		if len(b.sst) >= b.lim.MaxSharedStrings {
			return overLimit(0, "more than %d shared strings", b.lim.MaxSharedStrings)
		}
		str, err := s.richText(b.lim.MaxCellBytes)
		if err != nil {
			return bookErr(b.ctx, err)
		}
		if total += int64(len(str)); total > b.lim.MaxSharedStringBytes {
			return overLimit(0, "more than %d bytes of shared strings", b.lim.MaxSharedStringBytes)
		}
		b.sst = append(b.sst, str)
	}
}

// rawName is a name as it was written, prefix and all.
func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// sheetSource reads one worksheet's rows. Rows are numbered by their r
// attribute, or one past the previous row when it has none; cells sit in
// the column their r gives, or one past the previous cell.
//
// The token reader (stream) reads the part up to <sheetData>; from there
// the scanner (scan.go) reads it when it can. When the scanner gives up,
// the part is read again from its start by the token reader alone, and
// the records up to the last one returned are dropped.
type sheetSource struct {
	ctx    context.Context
	b      *book
	part   string
	s      *stream
	c      io.Closer
	row    int // the last row read
	rows   int // rows read, for ctx checks
	cells  []string
	count  int64 // cells seen in the sheet
	inData bool  // inside sheetData
	done   bool  // sheetData has ended
	err    error // sticky

	br       *bufio.Reader // under the token reader, while the scanner may take over
	tracker  *byteTracker
	scan     *scanner // reading sheetData and after
	returned int      // the row of the last record returned
	skipTo   int      // after a restart, records up to this row were returned
	scanned  bool     // the scanner took over from the token reader (tests)
	restarts int      // times the scanner gave up (tests)
}

// openSheet opens the worksheet part for reading.
func (b *book) openSheetPart(part string) (*sheetSource, error) {
	if err := b.sharedStrings(); err != nil {
		return nil, err
	}
	f, ok := b.files[part]
	if !ok {
		return nil, &FileError{Rule: RuleEmptyFile, Message: "the sheet has no rows"}
	}
	if b.scanMode.noScan || b.lim.MaxXMLDepth < scanMinDepth {
		s, c, _, err := b.open(part, false)
		if err != nil {
			return nil, err
		}
		return &sheetSource{ctx: b.ctx, b: b, part: part, s: s, c: c}, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, formatErr("the workbook could not be unzipped (it may be damaged)")
	}
	s, br, t := newTrackedStream(b.ctx, rc, b.lim, &b.unzipped)
	return &sheetSource{ctx: b.ctx, b: b, part: part, s: s, c: rc, br: br, tracker: t}, nil
}

// restart opens the part again for the token reader alone, after the
// scanner gave up.
func (r *sheetSource) restart() error {
	if r.c != nil {
		_ = r.c.Close()
	}
	r.c = nil
	s, c, _, err := r.b.open(r.part, false)
	if err != nil {
		return err
	}
	r.s, r.c = s, c
	r.br, r.tracker, r.scan = nil, nil, nil
	r.skipTo = r.returned
	r.restarts++
	r.row, r.rows, r.count, r.inData, r.done = 0, 0, 0, false, false
	return nil
}

func (r *sheetSource) close() error {
	if r.c == nil {
		return nil
	}
	c := r.c
	r.c = nil
	return c.Close()
}

func (r *sheetSource) next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	for {
		var rec Record
		var err error
		if r.scan != nil {
			rec, err = r.scanNext()
		} else {
			rec, err = r.nextRow()
		}
		if err == errGiveUp {
			if err = r.restart(); err == nil {
				continue
			}
		}
		if err != nil {
			if err != io.EOF {
				err = readErr(r.ctx, err, r.row)
			}
			r.err = err
			return Record{}, err
		}
		if rec.Row <= r.skipTo {
			continue
		}
		r.returned = rec.Row
		return rec, nil
	}
}

// nextRow returns the next non-blank row, or io.EOF once the part has
// been read to its end without fault.
func (r *sheetSource) nextRow() (Record, error) {
	s := r.s
	for {
		if r.done {
			if err := s.drain("row", "c", "sheetData"); err != nil {
				return Record{}, err
			}
			return Record{}, io.EOF
		}
		tok, err := s.next()
		if err == io.EOF {
			return Record{}, io.EOF
		}
		if err != nil {
			return Record{}, err
		}
		switch el := tok.(type) {
		case xml.EndElement:
			if r.inData && s.depth() == 1 {
				r.inData, r.done = false, true
			}
		case xml.StartElement:
			switch {
			case s.depth() == 1:
				// the root element, worksheet (a chartsheet has no rows)
			case !r.inData && s.depth() == 2 && el.Name.Local == "sheetData":
				r.inData = true
				if t := r.tracker; t != nil && el.Name.Space == "" && t.last == '>' && t.prev != '/' {
					// <sheetData> (not <sheetData/>) has just been read:
					// its rows are the scanner's.
					r.scan = newScanner(r.br, s.g, rawName(s.stack[0]), r.b.lim, s.comments, r.b.scanMode.buf)
					r.scanned = true
					r.tracker = nil
					return r.scanNext()
				}
			case r.inData && s.depth() == 3 && el.Name.Local == "row":
				if r.rows++; r.rows%ctxEvery == 0 {
					if err := r.ctx.Err(); err != nil {
						return Record{}, err
					}
				}
				cells, err := r.readRow(el)
				if err != nil {
					return Record{}, err
				}
				if cells = trimBlank(cells); len(cells) > 0 {
					return Record{Row: r.row, Cells: cells}, nil
				}
			case el.Name.Local == "row" || el.Name.Local == "c" || el.Name.Local == "sheetData":
				return Record{}, errDamaged
			default:
				if err := s.skip("row", "c", "sheetData"); err != nil {
					return Record{}, err
				}
			}
		}
	}
}

// readRow reads the row whose start element is el.
func (r *sheetSource) readRow(el xml.StartElement) ([]string, error) {
	s := r.s
	num := r.row + 1
	for _, a := range el.Attr {
		if a.Name.Local != "r" {
			continue
		}
		n, err := strconv.Atoi(a.Value)
		switch {
		case err != nil || n < 0 || n > maxXLSXRows:
			return nil, errDamaged
		case n > 0:
			num = n
		}
	}
	if num <= r.row {
		return nil, &FileError{Rule: RuleFormatError, Row: r.row, Message: "the sheet's rows are out of order (the workbook is damaged)"}
	}
	r.row = num
	cells := r.cells[:0]
	col := 0
	for {
		tok, err := s.next()
		if err != nil {
			return nil, eofIsDamage(err)
		}
		switch el := tok.(type) {
		case xml.EndElement:
			if s.depth() == 2 {
				r.cells = cells
				return cells, nil
			}
		case xml.StartElement:
			if el.Name.Local != "c" {
				if err := s.skip("row", "c", "v", "f", "is"); err != nil {
					return nil, err
				}
				continue
			}
			val, at, err := r.readCell(el, col)
			if err != nil {
				return nil, err
			}
			col = at
			r.count++
			if val != "" {
				r.count += int64(col - 1 - len(cells))
				for len(cells) < col-1 {
					cells = append(cells, "")
				}
				cells = append(cells, val)
			}
			if r.count > r.b.lim.MaxCells {
				return nil, overLimit(num, "more than %d cells in the sheet", r.b.lim.MaxCells)
			}
		}
	}
}

// readCell reads the cell whose start element is el; prev is the column
// of the row's previous cell. It returns the cell's value as excelize's
// raw values gave it and its column.
func (r *sheetSource) readCell(el xml.StartElement, prev int) (string, int, error) {
	s := r.s
	lim := r.b.lim
	var ref, typ string
	for _, a := range el.Attr {
		switch a.Name.Local {
		case "r":
			ref = a.Value
		case "s":
			if _, err := strconv.ParseInt(a.Value, 10, 64); err != nil {
				return "", 0, errDamaged
			}
		case "t":
			typ = a.Value
		}
	}
	col := prev + 1
	if ref != "" {
		c, ok := cellCol(ref)
		if !ok {
			return "", 0, errDamaged
		}
		col = c
	}
	if col <= prev {
		return "", 0, &FileError{Rule: RuleFormatError, Row: r.row, Message: "the row's cells are out of order (the workbook is damaged)"}
	}
	if col > lim.MaxColumns || col > maxXLSXColumns {
		return "", 0, overLimit(r.row, "more than %d columns in a row", min(lim.MaxColumns, maxXLSXColumns))
	}
	var v, is string
	var hasV, hasF, hasIS bool
	for {
		tok, err := s.next()
		if err != nil {
			return "", 0, eofIsDamage(err)
		}
		switch el := tok.(type) {
		case xml.EndElement:
			if s.depth() == 3 {
				val, err := r.value(typ, v, is, hasIS)
				return val, col, err
			}
		case xml.StartElement:
			switch el.Name.Local {
			case "v":
				if hasV {
					return "", 0, errDamaged
				}
				hasV = true
				text, err := s.chardata(lim.MaxCellBytes)
				if err != nil {
					return "", 0, err
				}
				v = string(text)
			case "f":
				if hasF {
					return "", 0, errDamaged
				}
				hasF = true
				for _, a := range el.Attr {
					switch a.Name.Local {
					case "aca", "dt2D", "dtr", "del1", "del2", "ca", "bx":
						if !attrBoolOK(a.Value) {
							return "", 0, errDamaged
						}
					case "si":
						if !attrIntOK(a.Value, 64) {
							return "", 0, errDamaged
						}
					}
				}
				if _, err := s.chardata(6 * lim.MaxCellBytes); err != nil {
					return "", 0, err
				}
			case "is":
				if hasIS {
					return "", 0, errDamaged
				}
				hasIS = true
				if is, err = s.richText(lim.MaxCellBytes); err != nil {
					return "", 0, err
				}
			default:
				if err := s.skip("row", "c", "v", "f", "is"); err != nil {
					return "", 0, err
				}
			}
		}
	}
}

// value is the cell's raw value by its type. A shared string index
// that is not one is refused (excelize read it as a blank cell).
func (r *sheetSource) value(typ, v, is string, hasIS bool) (string, error) {
	switch typ {
	case "s":
		if v == "" {
			return "", nil
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(r.b.sst) {
			return "", &FileError{Rule: RuleFormatError, Row: r.row, Message: "a cell refers to a shared string the workbook does not hold (it is damaged)"}
		}
		return r.b.sst[i], nil
	case "inlineStr":
		if hasIS {
			return is, nil
		}
	}
	return v, nil
}
