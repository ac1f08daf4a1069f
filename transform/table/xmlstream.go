package table

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// The xlsx parts are read as encoding/xml token streams: the lexer
// excelize uses, so that cells stay byte-identical to what excelize
// returned before (entities, character references, CDATA, line-end
// normalisation, UTF-8 checks and every syntax error). Measured on a
// 200,000-row sheet with shared strings: excelize's Rows 5.5 s and
// 140 MB, this token stream 2.3 s and 25 MB. A worksheet's rows are the
// exception: a byte scanner (scan.go) reads the common syntax of
// <sheetData> several times faster and leaves anything else to the token
// stream, which then reads the sheet again from its start.
// RawToken, not Token, is used on the large parts: it skips namespace
// translation and the copies Token makes, and stream checks that end
// tags match itself.

// errDamaged marks XML that is well formed but not what a SpreadsheetML
// part may hold (a row out of order, a cell reference that is not one).
var errDamaged = errors.New("damaged spreadsheet xml")

// tokenGuard sits under the XML decoder's buffer and fails (with a
// limit-exceeded *FileError) once more than max bytes have been read
// since the decoder last returned a token:
// encoding/xml holds a whole token in memory, so this bounds what one
// text or comment can cost.
type tokenGuard struct {
	r   io.Reader
	n   int64
	max int64
	all *int64 // bytes read from every part of the workbook
}

func (g *tokenGuard) Read(p []byte) (int, error) {
	if g.n > g.max {
		return 0, overLimit(0, "an XML text, tag or comment of more than %d bytes", g.max)
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	*g.all += int64(n)
	return n, err
}

// stream walks one XML part token by token within the budgets: nesting
// depth, comment bytes, token size. It refuses a DOCTYPE and anything
// after the root element but white space, comments and processing
// instructions, and it checks that end tags match.
type stream struct {
	ctx      context.Context
	d        *xml.Decoder
	g        *tokenGuard
	lim      *Limits
	stack    []xml.Name
	rootDone bool
	comments int64
	n        int
	ns       bool // translate namespaces (Token, not RawToken)
	text     []byte
}

// streamBuf is the read buffer under the decoder.
const streamBuf = 64 << 10

func newStream(ctx context.Context, r io.Reader, lim *Limits, ns bool, all *int64) *stream {
	// An entity or character reference is at most a few times the bytes
	// it stands for, so a cell of MaxCellBytes fits in a token of six
	// times that.
	max := 6*int64(lim.MaxCellBytes) + 2*streamBuf
	if c := lim.MaxCommentBytes + 2*streamBuf; c > max {
		max = c
	}
	g := &tokenGuard{r: r, max: max, all: all}
	d := xml.NewDecoder(bufio.NewReaderSize(g, streamBuf))
	return &stream{ctx: ctx, d: d, g: g, lim: lim, ns: ns}
}

// newTrackedStream is newStream (without namespaces) over a byteTracker,
// for a sheet whose rows the scanner may read: it returns the buffered
// reader under the decoder too, which holds the part's bytes after the
// last token.
func newTrackedStream(ctx context.Context, r io.Reader, lim *Limits, all *int64) (*stream, *bufio.Reader, *byteTracker) {
	s := newStream(ctx, r, lim, false, all)
	br := bufio.NewReaderSize(s.g, streamBuf)
	t := &byteTracker{Reader: br, br: br}
	s.d = xml.NewDecoder(t)
	return s, br, t
}

// depth is the number of open elements.
func (s *stream) depth() int { return len(s.stack) }

// next returns the next start element, end element or character data,
// io.EOF at the end of a well-formed part, or an error: a *FileError, a
// syntax or read error (which fail wraps), or ctx's. Character data is
// valid until the next call.
func (s *stream) next() (xml.Token, error) {
	for {
		s.n++
		if s.n%(64*ctxEvery) == 0 {
			if err := s.ctx.Err(); err != nil {
				return nil, err
			}
		}
		s.g.n = 0
		var tok xml.Token
		var err error
		if s.ns {
			tok, err = s.d.Token()
		} else {
			tok, err = s.d.RawToken()
		}
		if err == io.EOF {
			if len(s.stack) > 0 || !s.rootDone {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if s.rootDone {
				return nil, errDamaged
			}
			if len(s.stack) >= s.lim.MaxXMLDepth {
				return nil, overLimit(0, "XML nested more than %d deep", s.lim.MaxXMLDepth)
			}
			s.stack = append(s.stack, t.Name)
			return t, nil
		case xml.EndElement:
			if len(s.stack) == 0 || s.stack[len(s.stack)-1] != t.Name {
				return nil, errDamaged
			}
			s.stack = s.stack[:len(s.stack)-1]
			if len(s.stack) == 0 {
				s.rootDone = true
			}
			return t, nil
		case xml.CharData:
			if len(s.stack) == 0 {
				continue
			}
			return t, nil
		case xml.Comment:
			s.comments += int64(len(t))
			if s.comments > s.lim.MaxCommentBytes {
				return nil, overLimit(0, "more than %d bytes of XML comments in one part", s.lim.MaxCommentBytes)
			}
		case xml.Directive:
			// A DOCTYPE has no place in SpreadsheetML and is how entity
			// expansion attacks begin.
			return nil, errDamaged
		}
	}
}

// skip reads past the rest of the element whose start was just returned.
// refuse names elements that must not appear in it (excelize would have
// read them wherever they were): finding one is errDamaged.
func (s *stream) skip(refuse ...string) error {
	base := s.depth() - 1
	for s.depth() > base {
		tok, err := s.next()
		if err != nil {
			return eofIsDamage(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, r := range refuse {
				if se.Name.Local == r {
					return errDamaged
				}
			}
		}
	}
	return nil
}

// chardata reads the element whose start was just returned and returns
// its direct character data (what encoding/xml unmarshals into a string),
// skipping child elements. The result is valid until the next call.
func (s *stream) chardata(max int) ([]byte, error) {
	base := s.depth() - 1
	s.text = s.text[:0]
	for {
		tok, err := s.next()
		if err != nil {
			return nil, eofIsDamage(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if s.depth() == base+1 {
				s.text = append(s.text, t...)
				if len(s.text) > max {
					return nil, overLimit(0, "a cell of more than %d bytes", max)
				}
			}
		case xml.EndElement:
			if s.depth() == base {
				return s.text, nil
			}
		}
	}
}

// eofIsDamage turns an end of part inside an element into damage.
func eofIsDamage(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// drain reads the part to its end, so that an XML or zip error anywhere
// in it is found.
func (s *stream) drain(refuse ...string) error {
	for {
		tok, err := s.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, r := range refuse {
				if se.Name.Local == r {
					return errDamaged
				}
			}
		}
	}
}

// readErr turns an error met while reading a part into what Next
// returns: budgets stay *FileErrors, ctx's error stays itself, and
// everything else (XML syntax, zip checksum or size, damage) is a
// format-error at row, the last row read.
func readErr(ctx context.Context, err error, row int) error {
	var fe *FileError
	switch {
	case errors.As(err, &fe):
		if fe.Row == 0 {
			fe.Row = row
		}
		return fe
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrAlgorithm):
		fe = formatErr("the workbook could not be unzipped to the end (it is damaged, or its zip headers do not match its content)")
		fe.Row = row
		return fe
	}
	fe = formatErr("the sheet could not be read to the end (the workbook is damaged)")
	fe.Row = row
	return fe
}

// attrInt is how encoding/xml reads an integer attribute into a struct
// field: empty is 0, else strconv.ParseInt of the trimmed text. excelize
// decodes some attributes so, and fails on a bad one; the reader refuses
// what excelize could not read rather than guess.
func attrIntOK(v string, bits int) bool {
	if v == "" {
		return true
	}
	_, err := strconv.ParseInt(strings.TrimSpace(v), 10, bits)
	return err == nil
}

func attrUintOK(v string, bits int) bool {
	if v == "" {
		return true
	}
	_, err := strconv.ParseUint(strings.TrimSpace(v), 10, bits)
	return err == nil
}

func attrBoolOK(v string) bool {
	if v == "" {
		return true
	}
	_, err := strconv.ParseBool(strings.TrimSpace(v))
	return err == nil
}

func attrFloatOK(v string) bool {
	if v == "" {
		return true
	}
	_, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return err == nil
}

// richText reads a string item: an <si> of the shared string table or
// the <is> of an inline string cell, whose start was just returned. Its
// text is the <t> child's, then each run's <t>, with _xHHHH_ escapes
// decoded: exactly what excelize's xlsxSI.String returns. Attributes that
// excelize decodes (run properties, phonetic runs) must parse, or the
// item is errDamaged.
func (s *stream) richText(max int) (string, error) {
	base := s.depth() - 1
	var t []byte
	var runs [][]byte
	for {
		tok, err := s.next()
		if err != nil {
			return "", eofIsDamage(err)
		}
		switch el := tok.(type) {
		case xml.EndElement:
			if s.depth() == base {
				n := len(t)
				for _, r := range runs {
					n += len(r)
				}
				if n > max {
					return "", overLimit(0, "a cell of more than %d bytes", max)
				}
				if n == 0 {
					return "", nil
				}
				var b strings.Builder
				b.Grow(n)
				b.Write(t)
				for _, r := range runs {
					b.Write(r)
				}
				return bstrUnmarshal(b.String()), nil
			}
		case xml.StartElement:
			switch el.Name.Local {
			case "t":
				text, err := s.chardata(max)
				if err != nil {
					return "", err
				}
				t = append(t[:0], text...)
			case "r":
				run, err := s.run(max)
				if err != nil {
					return "", err
				}
				runs = append(runs, run)
			case "rPh":
				for _, a := range el.Attr {
					if (a.Name.Local == "sb" || a.Name.Local == "eb") && !attrUintOK(a.Value, 32) {
						return "", errDamaged
					}
				}
				if err := s.skip(); err != nil {
					return "", err
				}
			case "phoneticPr":
				for _, a := range el.Attr {
					if a.Name.Local == "fontId" && !attrIntOK(a.Value, 64) {
						return "", errDamaged
					}
				}
				if err := s.skip(); err != nil {
					return "", err
				}
			default:
				if err := s.skip(); err != nil {
					return "", err
				}
			}
		}
	}
}

// run reads one rich-text run <r> and returns its <t> text (nil when it
// has none), checking its run properties as excelize decodes them.
func (s *stream) run(max int) ([]byte, error) {
	base := s.depth() - 1
	var t []byte
	for {
		tok, err := s.next()
		if err != nil {
			return nil, eofIsDamage(err)
		}
		switch el := tok.(type) {
		case xml.EndElement:
			if s.depth() == base {
				return t, nil
			}
		case xml.StartElement:
			switch el.Name.Local {
			case "t":
				text, err := s.chardata(max)
				if err != nil {
					return nil, err
				}
				t = append(t[:0], text...)
				if t == nil {
					t = []byte{}
				}
			case "rPr":
				if err := s.runProps(); err != nil {
					return nil, err
				}
			default:
				if err := s.skip(); err != nil {
					return nil, err
				}
			}
		}
	}
}

// runProps checks a run's <rPr> children's attributes the way excelize's
// xlsxRPr decodes them.
func (s *stream) runProps() error {
	base := s.depth() - 1
	for {
		tok, err := s.next()
		if err != nil {
			return eofIsDamage(err)
		}
		switch el := tok.(type) {
		case xml.EndElement:
			if s.depth() == base {
				return nil
			}
		case xml.StartElement:
			if s.depth() != base+2 {
				continue
			}
			for _, a := range el.Attr {
				if !runPropAttrOK(el.Name.Local, a.Name.Local, a.Value) {
					return errDamaged
				}
			}
		}
	}
}

func runPropAttrOK(elem, attr, v string) bool {
	switch elem {
	case "charset", "family":
		return attr != "val" || attrIntOK(v, 64)
	case "b", "i", "strike", "outline", "shadow", "condense", "extend":
		return attr != "val" || attrBoolOK(v)
	case "sz":
		return attr != "val" || attrFloatOK(v)
	case "color":
		switch attr {
		case "auto":
			return attrBoolOK(v)
		case "indexed", "theme":
			return attrIntOK(v, 64)
		case "tint":
			return attrFloatOK(v)
		}
	}
	return true
}

// bstrExp matches the _xHHHH_ escapes of ECMA-376 22.9.2.19 ST_Xstring.
var bstrExp = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

// bstrUnmarshal decodes the _xHHHH_ escapes of a string item as excelize
// v2.11.0's function of the same name does, byte for byte: _x005F_ is an
// underscore, an escape of a surrogate is dropped.
func bstrUnmarshal(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	cursor := 0
	for _, m := range bstrExp.FindAllStringIndex(s, -1) {
		b.WriteString(s[cursor:m[0]])
		cursor = m[1]
		if s[m[0]:m[1]] == "_x005F_" {
			b.WriteByte('_')
			continue
		}
		v, _ := strconv.Unquote(`"\u` + s[m[0]+2:m[1]-1] + `"`)
		b.WriteString(v)
	}
	b.WriteString(s[cursor:])
	return b.String()
}

// cellCol parses a cell reference such as "B7" or "$AB$12" and returns
// its column. The row part must be a row number; excelize ignores it and
// so does the reader (a cell belongs to the row it is written in).
func cellCol[T string | []byte](ref T) (int, bool) {
	i := 0
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	col, letters := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		letters++
		if letters > 3 {
			return 0, false
		}
	}
	if letters == 0 || col > maxXLSXColumns {
		return 0, false
	}
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	row, ok := rowNumber(ref[i:])
	return col, ok && row > 0
}

// rowNumber parses a row number: decimal digits, 1 to 1048576.
func rowNumber[T string | []byte](s T) (int, bool) {
	if len(s) == 0 || len(s) > 7 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n >= 1 && n <= maxXLSXRows
}

// maxXLSXRows is the last row of a worksheet.
const maxXLSXRows = 1048576
