package table

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is the fast path of a worksheet's rows: a byte scanner for
// the <sheetData> element and what follows it. encoding/xml reads the
// part up to <sheetData> (the XML declaration, the root element, the
// sheet's properties); from there the scanner reads the rows as Excel,
// LibreOffice, openpyxl and excelize write them: <row> and <c> elements
// with <v> values and <is> inline strings (plain <t> or rich-text runs),
// then checks the rest of the part as the token reader would.
//
// The scanner accepts a strict subset of what the token reader accepts
// and reads it to the same cells: it decodes text and attribute values
// exactly as encoding/xml's lexer does (the five predefined entities,
// character references, \r and \r\n made \n, UTF-8 and the XML
// character range, "]]>" refused in text), and it keeps the row and
// cell rules of sml.go (row numbers, cell references, the limits). On
// anything else, whether an error, a limit reached, or syntax it does
// not handle (comments, CDATA, processing instructions, an entity
// encoding/xml refuses, a formula, an element it does not know, a
// namespace prefix on an element it reads, a token longer than
// scanMaxToken, a part that cannot be unzipped to the end), it gives up
// and the sheet is read again from its start with the token reader,
// which then returns every record after the last one the scanner
// returned, and every error, itself. FuzzXLSXScan and TestScanAgrees
// compare the two on every input they have.
//
// Measured on a 200,000-row, 30-column sheet (bench/readers): the token
// reader spends about 80% of its time in encoding/xml's lexer and the
// allocation of each token; see the README's Performance section.

const (
	// scanMore says the unit being scanned runs past the buffered bytes.
	scanMore = -1
	// scanGiveUp says the scanner does not handle what it met.
	scanGiveUp = -2

	// scanMaxToken bounds a text, a tag or a run of white space. The
	// token reader's guard (tokenGuard) allows at least twice its
	// buffer in one token, so every token the scanner accepts is one
	// the guard would have let through.
	scanMaxToken = 64 << 10
	// scanMaxUnit bounds the bytes of one row the scanner buffers; a
	// longer row is read by the token reader.
	scanMaxUnit = 8 << 20
	// scanMinDepth is the nesting the scanner reaches inside sheetData
	// (worksheet, sheetData, row, c, is, r, rPr, a run property); with
	// a lower MaxXMLDepth the token reader reads the sheet.
	scanMinDepth = 8
)

// byteTracker is the byte reader under the token reader while it reads
// a sheet's head: it keeps the last two bytes read, so that the scanner
// can tell <sheetData> from <sheetData/> (encoding/xml reads its input
// one byte at a time from an io.ByteReader, without reading ahead).
type byteTracker struct {
	io.Reader
	br         io.ByteReader
	prev, last byte
}

func (t *byteTracker) ReadByte() (byte, error) {
	c, err := t.br.ReadByte()
	if err == nil {
		t.prev, t.last = t.last, c
	}
	return c, err
}

// scanner holds a worksheet part's bytes from the end of <sheetData>'s
// start tag on.
type scanner struct {
	src      io.Reader // the buffered reader the token reader read the head from
	g        *tokenGuard
	buf      []byte
	pos, end int
	eof      bool
	failed   bool     // a read error
	root     []byte   // the root element's name as written
	stack    [][]byte // open elements after sheetData, the root first
	tail     bool     // sheetData has ended
	maxDepth int
	tag      int // where the start tag being read begins
	ws       int // white space read since the last element

	// comments counts the bytes of comments in the part, as the token
	// reader does; unitComments those of the unit being scanned.
	comments, unitComments, maxComments int64

	text    []byte // decoded text scratch
	v       []byte // a cell's value
	attrVal []byte // decoded attribute value scratch
	tText   []byte // a string item's <t> text
	runs    []byte // a string item's runs' text
	rich    []byte // a string item's text
}

// newScanner returns a scanner of src, the part after the start tag of
// the element whose items it reads (sheetData, sst) below the root
// element root; comments are the comment bytes read before; buf is the
// buffer's first size (0 for 256 KiB).
func newScanner(src io.Reader, g *tokenGuard, root string, lim *Limits, comments int64, buf int) *scanner {
	if buf <= 0 {
		buf = 256 << 10
	}
	return &scanner{src: src, g: g, buf: make([]byte, buf), root: []byte(root),
		maxDepth: lim.MaxXMLDepth, comments: comments, maxComments: lim.MaxCommentBytes}
}

// fill reads more of the part after what is buffered, keeping the unit
// being scanned (from pos). It returns false when nothing more can be
// read: the end of the part, a read error, or a unit past scanMaxUnit.
func (sc *scanner) fill() bool {
	if sc.eof {
		return false
	}
	if sc.pos > 0 {
		sc.end = copy(sc.buf, sc.buf[sc.pos:sc.end])
		sc.pos = 0
	}
	if sc.end == len(sc.buf) {
		if len(sc.buf) >= scanMaxUnit {
			return false
		}
		nb := make([]byte, 2*len(sc.buf))
		copy(nb, sc.buf[:sc.end])
		sc.buf = nb
	}
	for {
		// The guard bounds what the token reader holds of one token; the
		// scanner bounds its own (scanMaxToken, scanMaxUnit).
		sc.g.n = 0
		n, err := sc.src.Read(sc.buf[sc.end:])
		sc.end += n
		if err == io.EOF {
			sc.eof = true
			return n > 0
		}
		if err != nil {
			// The token reader meets the same error when it reads the
			// part again, and reports it where it does.
			sc.eof, sc.failed = true, true
			return false
		}
		if n > 0 {
			return true
		}
	}
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipSpace returns the index of the first byte at or after i that is
// not XML white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isXMLSpace(b[i]) {
		i++
	}
	return i
}

// isNameByte is encoding/xml's test for a single-byte name character.
func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '_' || c == ':' || c == '.' || c == '-'
}

// scanName reads an XML name at b[i:] and returns its end. Names with
// bytes past ASCII, names encoding/xml refuses (a bad first character,
// two colons) and a missing name give up.
func scanName(b []byte, i int) int {
	j := i
	for j < len(b) && isNameByte(b[j]) {
		j++
	}
	if j-i > scanMaxToken {
		return scanGiveUp
	}
	if j == len(b) {
		return scanMore
	}
	if j == i || b[j] >= utf8.RuneSelf {
		return scanGiveUp
	}
	c := b[i]
	if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == ':') {
		return scanGiveUp
	}
	if bytes.Count(b[i:j], []byte{':'}) > 1 {
		return scanGiveUp
	}
	return j
}

// localName is the Local part encoding/xml gives a raw name.
func localName(name []byte) []byte {
	if k := bytes.IndexByte(name, ':'); k > 0 && k < len(name)-1 {
		return name[k+1:]
	}
	return name
}

// hasColon reports whether an element name has a prefix (or a colon at
// all): the scanner reads only unprefixed elements.
func hasColon(name []byte) bool { return bytes.IndexByte(name, ':') >= 0 }

// lit matches the literal s at b[i:]: 1 when it is there, 0 when it is
// not, scanMore when b ends before it could tell.
func lit(b []byte, i int, s string) int {
	n := min(len(b)-i, len(s))
	if string(b[i:i+n]) != s[:n] {
		return 0
	}
	if n < len(s) {
		return scanMore
	}
	return 1
}

// openTag matches a start tag of the element name at b[i:]: "<name"
// followed by white space, ">" or "/". It returns the index after the
// name, 0 when the tag is not there, or scanMore.
func (sc *scanner) openTag(b []byte, i int, name string) int {
	sc.tag = i
	if i+1+len(name) >= len(b) {
		if lit(b, i, "<"+name) == 0 {
			return 0
		}
		return scanMore
	}
	if b[i] != '<' || string(b[i+1:i+1+len(name)]) != name {
		return 0
	}
	j := i + 1 + len(name)
	if c := b[j]; isXMLSpace(c) || c == '>' || c == '/' {
		return j
	}
	return 0
}

// closeTag matches the end tag "</name" white space ">" at b[i:]. It
// returns the index after it, 0 when it is not there, or scanMore.
func (sc *scanner) closeTag(b []byte, i int, name []byte) int {
	if i+2+len(name) > len(b) {
		if lit(b, i, "</"+string(name)) == 0 {
			return 0
		}
		return scanMore
	}
	if b[i] != '<' || b[i+1] != '/' || !bytes.Equal(b[i+2:i+2+len(name)], name) {
		return 0
	}
	j := skipSpace(b, i+2+len(name))
	if j-i > scanMaxToken {
		return scanGiveUp
	}
	if j == len(b) {
		return scanMore
	}
	if b[j] != '>' {
		// "</rowx>" is another element's end tag, which the token
		// reader refuses or reads; either way the scanner does not.
		return scanGiveUp
	}
	return j + 1
}

// attr reads the next attribute of a start tag at b[i:], after the
// element's name or the previous attribute. It returns the index after
// it, its name and value (decoded; valid until the next call), or, when
// the tag ends there instead, the index after the tag with done set and
// empty set for "/>".
func (sc *scanner) attr(b []byte, i int) (j int, name, val []byte, done, empty bool) {
	i = skipSpace(b, i)
	if i-sc.tag > scanMaxToken {
		return scanGiveUp, nil, nil, false, false
	}
	if i >= len(b) {
		return scanMore, nil, nil, false, false
	}
	switch b[i] {
	case '>':
		return i + 1, nil, nil, true, false
	case '/':
		if i+1 >= len(b) {
			return scanMore, nil, nil, false, false
		}
		if b[i+1] != '>' {
			return scanGiveUp, nil, nil, false, false
		}
		return i + 2, nil, nil, true, true
	}
	ne := scanName(b, i)
	if ne < 0 {
		return ne, nil, nil, false, false
	}
	name = b[i:ne]
	k := skipSpace(b, ne)
	if k >= len(b) {
		return scanMore, nil, nil, false, false
	}
	if b[k] != '=' {
		return scanGiveUp, nil, nil, false, false
	}
	k = skipSpace(b, k+1)
	if k >= len(b) {
		return scanMore, nil, nil, false, false
	}
	q := b[k]
	if q != '"' && q != '\'' {
		return scanGiveUp, nil, nil, false, false
	}
	start := k + 1
	end := bytes.IndexByte(b[start:], q)
	if end < 0 {
		if len(b)-start > scanMaxToken {
			return scanGiveUp, nil, nil, false, false
		}
		return scanMore, nil, nil, false, false
	}
	raw := b[start : start+end]
	if isPlain(raw) {
		return start + end + 1, name, raw, false, false
	}
	var ok bool
	if sc.attrVal, ok = decodeXMLText(sc.attrVal[:0], raw, true); !ok {
		return scanGiveUp, nil, nil, false, false
	}
	return start + end + 1, name, sc.attrVal, false, false
}

// isPlain reports whether raw text is its own decoding: printable ASCII
// with no reference, no "]]>" and nothing to normalise.
func isPlain(raw []byte) bool {
	for i, c := range raw {
		if c < 0x20 || c >= utf8.RuneSelf || c == '&' || c == '<' {
			return false
		}
		if c == '>' && i >= 2 && raw[i-1] == ']' && raw[i-2] == ']' {
			return false
		}
	}
	return true
}

// decodeXMLText appends to dst what encoding/xml's lexer makes of raw,
// the bytes of a text (up to the next "<") or, when quoted, of an
// attribute value (between its quotes). ok is false wherever the lexer
// fails. It follows Decoder.text in Go 1.26 step by step.
func decodeXMLText(dst, raw []byte, quoted bool) (_ []byte, ok bool) {
	from := len(dst)
	var b0, b1 byte
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !quoted && b0 == ']' && b1 == ']' && c == '>' {
			return dst, false // unescaped ]]> not in CDATA section
		}
		if c == '<' {
			return dst, false
		}
		if c == '&' {
			j := i + 1
			if j >= len(raw) {
				return dst, false
			}
			if raw[j] == '#' {
				j++
				base := rune(10)
				if j < len(raw) && raw[j] == 'x' {
					base = 16
					j++
				}
				var n rune
				start := j
				for ; j < len(raw); j++ {
					d := raw[j]
					var v rune
					switch {
					case '0' <= d && d <= '9':
						v = rune(d - '0')
					case base == 16 && 'a' <= d && d <= 'f':
						v = rune(d-'a') + 10
					case base == 16 && 'A' <= d && d <= 'F':
						v = rune(d-'A') + 10
					default:
						v = -1
					}
					if v < 0 {
						break
					}
					if n = n*base + v; n > utf8.MaxRune {
						return dst, false
					}
				}
				if j == start || j >= len(raw) || raw[j] != ';' {
					return dst, false
				}
				// string(rune(n)), as the lexer writes it: a surrogate
				// becomes U+FFFD.
				dst = utf8.AppendRune(dst, n)
			} else {
				k := j
				for k < len(raw) && (isNameByte(raw[k]) || raw[k] >= utf8.RuneSelf) {
					k++
				}
				if k >= len(raw) || raw[k] != ';' {
					return dst, false
				}
				switch string(raw[j:k]) {
				case "lt":
					dst = append(dst, '<')
				case "gt":
					dst = append(dst, '>')
				case "amp":
					dst = append(dst, '&')
				case "apos":
					dst = append(dst, '\'')
				case "quot":
					dst = append(dst, '"')
				default:
					return dst, false
				}
				j = k
			}
			i = j
			b0, b1 = 0, 0
			continue
		}
		switch {
		case c == '\r':
			dst = append(dst, '\n')
		case b1 == '\r' && c == '\n':
		default:
			dst = append(dst, c)
		}
		b0, b1 = b1, c
	}
	// Every character must be UTF-8 and in the XML character range.
	for s := dst[from:]; len(s) > 0; {
		c := s[0]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return dst, false
			}
			s = s[1:]
			continue
		}
		r, size := utf8.DecodeRune(s)
		if r == utf8.RuneError && size == 1 {
			return dst, false
		}
		if !(r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return dst, false
		}
		s = s[size:]
	}
	return dst, true
}

// text reads the text of an element at b[i:] up to its end tag "</name>"
// and returns the index after the end tag, with the decoded text in
// sc.text (valid until the next call). Anything but text before the end
// tag (an element, a comment, CDATA) gives up; so does text of more than
// max bytes, raw or decoded.
func (sc *scanner) elemText(b []byte, i int, name []byte, max int) int {
	k := bytes.IndexByte(b[i:], '<')
	if k < 0 {
		if len(b)-i > min(max, scanMaxToken) {
			return scanGiveUp
		}
		return scanMore
	}
	raw := b[i : i+k]
	if len(raw) > max || len(raw) > scanMaxToken {
		return scanGiveUp
	}
	if isPlain(raw) {
		sc.text = append(sc.text[:0], raw...)
	} else {
		var ok bool
		if sc.text, ok = decodeXMLText(sc.text[:0], raw, false); !ok || len(sc.text) > max {
			return scanGiveUp
		}
	}
	j := sc.closeTag(b, i+k, name)
	if j == 0 {
		return scanGiveUp
	}
	return j
}

// skipWhite skips the white space and comments between elements at
// b[i:]. Any other text gives up (the token reader ignores it, but
// checks it first).
func (sc *scanner) skipWhite(b []byte, i int) int {
	for {
		j := skipSpace(b, i)
		if j-i > scanMaxToken {
			return scanGiveUp
		}
		if j == len(b) {
			return scanMore
		}
		if b[j] != '<' {
			return scanGiveUp
		}
		if j+1 < len(b) && b[j+1] != '!' {
			return j
		}
		k := sc.comment(b, j)
		if k == 0 {
			return j
		}
		if k < 0 {
			return k
		}
		i = k
	}
}

// comment reads a comment at b[i:] ("<!--" to the first "--", which
// must be followed by ">"), counting its bytes against MaxCommentBytes
// as the token reader does. It returns the index after it, 0 when b[i:]
// is not a comment, scanMore or scanGiveUp.
func (sc *scanner) comment(b []byte, i int) int {
	switch lit(b, i, "<!--") {
	case 0:
		return 0
	case scanMore:
		return scanMore
	}
	k := bytes.Index(b[i+4:], []byte("--"))
	if k < 0 || i+4+k+2 >= len(b) {
		if len(b)-i > scanMaxToken {
			return scanGiveUp
		}
		return scanMore
	}
	if b[i+4+k+2] != '>' || k+7 > scanMaxToken {
		return scanGiveUp
	}
	if sc.unitComments += int64(k); sc.comments+sc.unitComments > sc.maxComments {
		return scanGiveUp
	}
	return i + 4 + k + 3
}

// Element names the scanner reads.
var (
	nameRow        = []byte("row")
	nameC          = []byte("c")
	nameV          = []byte("v")
	nameF          = []byte("f")
	nameIS         = []byte("is")
	nameT          = []byte("t")
	nameR          = []byte("r")
	nameRPr        = []byte("rPr")
	nameRPh        = []byte("rPh")
	namePhoneticPr = []byte("phoneticPr")
	nameSheetData  = []byte("sheetData")
	nameSI         = []byte("si")
)

// startTag reads the start tag of an element with no prefix at b[i]
// ("<" then a name) and returns the index after its name and the name.
// A comment, CDATA, a processing instruction, an end tag or a prefixed
// name gives up.
func (sc *scanner) startTag(b []byte, i int) (int, []byte) {
	sc.tag = i
	if i+1 >= len(b) {
		return scanMore, nil
	}
	if b[i] != '<' {
		return scanGiveUp, nil
	}
	j := scanName(b, i+1)
	if j < 0 {
		return j, nil
	}
	name := b[i+1 : j]
	if hasColon(name) {
		return scanGiveUp, nil
	}
	return j, name
}

// attrs reads the attributes of a start tag at b[i:] to the tag's end,
// passing each one's local name and value (valid only during the call)
// to check, which returns false to give up; a nil check reads only their
// syntax. It returns the index after the tag, or scanMore or scanGiveUp,
// and empty for "/>".
func (sc *scanner) attrs(b []byte, i int, check func(local, val []byte) bool) (j int, empty bool) {
	for {
		j, name, val, done, empty := sc.attr(b, i)
		if j < 0 || done {
			return j, empty
		}
		if check != nil && !check(localName(name), val) {
			return scanGiveUp, false
		}
		i = j
	}
}

// emptyElem reads an element that holds only white space from after its
// name el at b[i:]: its attributes, each passed to check, and its end
// tag unless it ends with "/>".
func (sc *scanner) emptyElem(b []byte, i int, el []byte, check func(local, val []byte) bool) int {
	i, empty := sc.attrs(b, i, check)
	if i < 0 || empty {
		return i
	}
	return sc.emptyEnd(b, i, el)
}

// textElem reads a text-only element (a <t> or a <v>) from after its
// name at b[i:] to after its end tag, as elemText does, ignoring its
// attributes; its text is in sc.text, empty for "<t/>".
func (sc *scanner) textElem(b []byte, i int, name []byte, max int) int {
	i, empty := sc.attrs(b, i, nil)
	if i < 0 {
		return i
	}
	if empty {
		sc.text = sc.text[:0]
		return i
	}
	return sc.elemText(b, i, name, max)
}

// child reads what comes next inside an element named name at b[i:]:
// the white space and comments, then either its end tag (end set, j
// after it) or a child's start tag (j after the child's name el). j is
// scanMore or scanGiveUp when neither can be read.
func (sc *scanner) child(b []byte, i int, name []byte) (j int, el []byte, end bool) {
	if i = sc.skipWhite(b, i); i < 0 {
		return i, nil, false
	}
	if j = sc.closeTag(b, i, name); j != 0 {
		return j, nil, j > 0
	}
	j, el = sc.startTag(b, i)
	return j, el, false
}

// richItem reads a string item (an <is> or an <si>) from after its name
// at b[i:] to the end of its end tag, as richText does, and leaves its
// text, _xHHHH_ escapes not yet decoded, in sc.rich: the last <t>
// child's text, then each run's.
func (sc *scanner) richItem(b []byte, i int, name []byte, max int) int {
	sc.tText, sc.runs = sc.tText[:0], sc.runs[:0]
	i, empty := sc.attrs(b, i, nil)
	if i < 0 {
		return i
	}
	for !empty {
		j, el, end := sc.child(b, i, name)
		if j < 0 {
			return j
		}
		if end {
			i = j
			break
		}
		switch {
		case bytes.Equal(el, nameT):
			if i = sc.textElem(b, j, nameT, max); i < 0 {
				return i
			}
			sc.tText = append(sc.tText[:0], sc.text...)
		case bytes.Equal(el, nameR):
			if i = sc.run(b, j, max); i < 0 {
				return i
			}
		case bytes.Equal(el, nameRPh):
			if i = sc.phonetic(b, j, max); i < 0 {
				return i
			}
		case bytes.Equal(el, namePhoneticPr):
			if i = sc.emptyElem(b, j, el, phoneticPrAttrOK); i < 0 {
				return i
			}
		default:
			return scanGiveUp
		}
	}
	if len(sc.tText)+len(sc.runs) > max {
		return scanGiveUp
	}
	sc.rich = append(append(sc.rich[:0], sc.tText...), sc.runs...)
	return i
}

// emptyEnd reads the end tag of an element that holds only white space.
func (sc *scanner) emptyEnd(b []byte, i int, name []byte) int {
	if i = sc.skipWhite(b, i); i < 0 {
		return i
	}
	j := sc.closeTag(b, i, name)
	if j == 0 {
		return scanGiveUp
	}
	return j
}

// run reads a rich-text run <r> from after its name and appends its
// text (its last <t>'s) to sc.runs.
func (sc *scanner) run(b []byte, i int, max int) int {
	i, empty := sc.attrs(b, i, nil)
	if i < 0 || empty {
		return i
	}
	start := len(sc.runs)
	for {
		j, el, end := sc.child(b, i, nameR)
		if j < 0 || end {
			return j
		}
		switch {
		case bytes.Equal(el, nameT):
			if i = sc.textElem(b, j, nameT, max); i < 0 {
				return i
			}
			sc.runs = append(sc.runs[:start], sc.text...)
		case bytes.Equal(el, nameRPr):
			if i = sc.runProps(b, j); i < 0 {
				return i
			}
		default:
			return scanGiveUp
		}
		if len(sc.runs) > max {
			return scanGiveUp
		}
	}
}

// runProps reads a run's <rPr> from after its name: empty child
// elements whose attributes runPropAttrOK accepts.
func (sc *scanner) runProps(b []byte, i int) int {
	i, empty := sc.attrs(b, i, nil)
	if i < 0 || empty {
		return i
	}
	for {
		j, el, end := sc.child(b, i, nameRPr)
		if j < 0 || end {
			return j
		}
		if i = sc.emptyElem(b, j, el, func(attr, val []byte) bool {
			return runPropAttrOK(string(el), string(attr), string(val))
		}); i < 0 {
			return i
		}
	}
}

// phonetic reads a phonetic run <rPh> from after its name: its sb and
// eb must be numbers, and it holds <t> elements, whose text is checked
// and dropped.
func (sc *scanner) phonetic(b []byte, i int, max int) int {
	i, empty := sc.attrs(b, i, phoneticAttrOK)
	if i < 0 || empty {
		return i
	}
	for {
		j, el, end := sc.child(b, i, nameRPh)
		if j < 0 || end {
			return j
		}
		if !bytes.Equal(el, nameT) {
			return scanGiveUp
		}
		if i = sc.textElem(b, j, nameT, max); i < 0 {
			return i
		}
	}
}

// phoneticAttrOK checks an attribute of an <rPh>: sb and eb are numbers.
func phoneticAttrOK(attr, val []byte) bool {
	a := string(attr)
	return (a != "sb" && a != "eb") || attrUintOK(string(val), 32)
}

// phoneticPrAttrOK checks an attribute of a <phoneticPr>: fontId is a
// number.
func phoneticPrAttrOK(attr, val []byte) bool {
	return string(attr) != "fontId" || attrIntOK(string(val), 64)
}

// Cell types the scanner tells apart.
const (
	cellOther = iota
	cellShared
	cellInline
)

// scanRow reads one row of sheetData from b[0] ("<row"), with the rules
// of readRow and readCell, into r.cells. It returns the bytes read, or
// scanMore or scanGiveUp; r changes only when it returns a length.
func (r *sheetSource) scanRow(b []byte) int {
	sc := r.scan
	lim := r.b.lim
	i := sc.openTag(b, 0, "row")
	if i <= 0 {
		if i == 0 {
			return scanGiveUp
		}
		return i
	}
	num := r.row + 1
	// The attribute loops of <row> and <c> are written out rather than
	// passed to attrs: with a closure the xlsx shape benchmarks read
	// about 4% slower (within their noise, never faster).
	var empty bool
	for {
		var attr, val []byte
		var done bool
		if i, attr, val, done, empty = sc.attr(b, i); i < 0 {
			return i
		}
		if done {
			break
		}
		if string(localName(attr)) != "r" {
			continue
		}
		n, ok := atoiDigits(val)
		if !ok {
			return scanGiveUp
		}
		switch {
		case n < 0 || n > maxXLSXRows:
			return scanGiveUp
		case n > 0:
			num = n
		}
	}
	if num <= r.row {
		return scanGiveUp
	}
	cells := r.cells[:0]
	count := r.count
	col := 0
	if !empty {
		for {
			if i = sc.skipWhite(b, i); i < 0 {
				return i
			}
			if j := sc.closeTag(b, i, nameRow); j != 0 {
				if j < 0 {
					return j
				}
				i = j
				break
			}
			j := sc.openTag(b, i, "c")
			if j < 0 {
				return j
			}
			if j == 0 {
				if j = sc.skipElement(b, i, 4, refuseCell); j < 0 {
					return j
				}
				i = j
				continue
			}
			var val string
			if j, val, col = r.scanCell(b, j, col); j < 0 {
				return j
			}
			i = j
			count++
			if val != "" {
				count += int64(col - 1 - len(cells))
				for len(cells) < col-1 {
					cells = append(cells, "")
				}
				cells = append(cells, val)
			}
			if count > lim.MaxCells {
				return scanGiveUp
			}
		}
	}
	r.row, r.count, r.cells = num, count, cells
	return i
}

// atoiDigits is strconv.Atoi for the values it can tell quickly (an
// optional sign and up to 17 digits); ok is false for the rest, which
// the scanner leaves to the token reader.
func atoiDigits(v []byte) (int, bool) {
	neg := false
	if len(v) > 0 && (v[0] == '+' || v[0] == '-') {
		neg = v[0] == '-'
		v = v[1:]
	}
	if len(v) == 0 || len(v) > 17 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// scanCell reads a cell from after "<c", as readCell does; prev is the
// column of the row's previous cell. It returns the index after the
// cell, its value and its column.
func (r *sheetSource) scanCell(b []byte, i int, prev int) (int, string, int) {
	sc := r.scan
	lim := r.b.lim
	typ := cellOther
	col, hasRef, refOK := 0, false, false
	// Written out rather than passed to attrs: see scanRow.
	var empty bool
	for {
		var attr, val []byte
		var done bool
		if i, attr, val, done, empty = sc.attr(b, i); i < 0 {
			return i, "", 0
		}
		if done {
			break
		}
		switch string(localName(attr)) {
		case "r":
			hasRef = len(val) > 0
			col, refOK = cellCol(val)
		case "s":
			if _, ok := atoiDigits(val); !ok {
				if _, err := strconv.ParseInt(string(val), 10, 64); err != nil {
					return scanGiveUp, "", 0
				}
			}
		case "t":
			switch string(val) {
			case "s":
				typ = cellShared
			case "inlineStr":
				typ = cellInline
			default:
				typ = cellOther
			}
		}
	}
	if !hasRef {
		col = prev + 1
	} else if !refOK {
		return scanGiveUp, "", 0
	}
	if col <= prev || col > lim.MaxColumns || col > maxXLSXColumns {
		return scanGiveUp, "", 0
	}
	if empty {
		return i, "", col
	}
	var v []byte
	var is string
	var hasV, hasF, hasIS bool
	for {
		if i = sc.skipWhite(b, i); i < 0 {
			return i, "", 0
		}
		if j := sc.closeTag(b, i, nameC); j != 0 {
			if j < 0 {
				return j, "", 0
			}
			i = j
			break
		}
		j, el := sc.startTag(b, i)
		if j < 0 {
			return j, "", 0
		}
		switch {
		case bytes.Equal(el, nameV):
			if hasV {
				return scanGiveUp, "", 0
			}
			hasV = true
			if i = sc.textElem(b, j, nameV, lim.MaxCellBytes); i < 0 {
				return i, "", 0
			}
			// A formula or an inline string after the value reuses
			// sc.text.
			sc.v = append(sc.v[:0], sc.text...)
			v = sc.v
		case bytes.Equal(el, nameIS):
			if hasIS {
				return scanGiveUp, "", 0
			}
			hasIS = true
			k := sc.richItem(b, j, nameIS, lim.MaxCellBytes)
			if k < 0 {
				return k, "", 0
			}
			if typ == cellInline && len(sc.rich) > 0 {
				is = bstrUnmarshal(string(sc.rich))
			}
			i = k
		case bytes.Equal(el, nameF):
			if hasF {
				return scanGiveUp, "", 0
			}
			hasF = true
			if i = sc.formula(b, j, 6*lim.MaxCellBytes); i < 0 {
				return i, "", 0
			}
		default:
			if i = sc.skipElement(b, i, 5, refuseCell); i < 0 {
				return i, "", 0
			}
		}
	}
	switch typ {
	case cellShared:
		if len(v) == 0 {
			return i, "", col
		}
		n, ok := atoiDigits(v)
		if !ok {
			var err error
			if n, err = strconv.Atoi(strings.TrimSpace(string(v))); err != nil {
				return scanGiveUp, "", 0
			}
		}
		if n < 0 || n >= len(r.b.sst) {
			return scanGiveUp, "", 0
		}
		return i, r.b.sst[n], col
	case cellInline:
		if hasIS {
			return i, is, col
		}
	}
	return i, string(v), col
}

// errGiveUp says the scanner met what it does not read: the sheet is
// read again with the token reader.
var errGiveUp = errors.New("sheet left to the token reader")

// scanNext returns the next non-blank row the scanner reads, io.EOF at
// the end of a part it read to the end without fault, ctx's error, or
// errGiveUp.
func (r *sheetSource) scanNext() (Record, error) {
	sc := r.scan
	for {
		b := sc.buf[sc.pos:sc.end]
		var n int
		row := false
		sc.unitComments = 0
		switch {
		case sc.tail:
			n = sc.tailToken(b)
		case len(b) > 0 && isXMLSpace(b[0]):
			n = skipSpace(b, 0)
			if sc.ws += n; sc.ws > scanMaxToken {
				return Record{}, errGiveUp
			}
		default:
			if k := sc.comment(b, 0); k != 0 {
				n = k
				break
			}
			switch j := sc.closeTag(b, 0, nameSheetData); {
			case j > 0:
				n = j
				sc.tail = true
				sc.stack = append(sc.stack[:0], sc.root)
			case j < 0:
				n = j
			case len(b) == 0:
				n = scanMore
			default:
				n = r.scanRow(b)
				row = n > 0
			}
			sc.ws = 0
		}
		if n == scanMore {
			if sc.fill() {
				continue
			}
			if sc.tail && sc.done() {
				return Record{}, io.EOF
			}
			return Record{}, errGiveUp
		}
		if n < 0 {
			return Record{}, errGiveUp
		}
		sc.pos += n
		sc.comments += sc.unitComments
		if !row {
			continue
		}
		if r.rows++; r.rows%ctxEvery == 0 {
			if err := r.ctx.Err(); err != nil {
				return Record{}, err
			}
		}
		if cells := trimBlank(r.cells); len(cells) > 0 {
			return Record{Row: r.row, Cells: cells}, nil
		}
	}
}

// done reports whether the part was read to its end without fault,
// with its root element closed.
func (sc *scanner) done() bool {
	return sc.eof && !sc.failed && sc.pos == sc.end && len(sc.stack) == 0
}

// Elements the token reader refuses where it skips (drain and skip).
var (
	refuseTail = []string{"row", "c", "sheetData"}
	refuseCell = []string{"row", "c", "v", "f", "is"}
)

// tailToken reads one token of the part after sheetData, checking what
// the token reader's drain checks: well-formed XML within the budgets,
// no row, c or sheetData element, nothing after the root element but
// white space. It returns the bytes read, scanMore or scanGiveUp.
func (sc *scanner) tailToken(b []byte) int { return sc.token(b, 0, refuseTail) }

// token reads one token at b with sc.stack the open elements below
// depth0 others: text, checked and dropped; a start tag, pushed (an
// element named in refuse gives up); an end tag, which must match the
// element it closes. It returns the bytes read, scanMore or scanGiveUp.
func (sc *scanner) token(b []byte, depth0 int, refuse []string) int {
	if len(b) == 0 {
		return scanMore
	}
	if b[0] != '<' {
		if len(sc.stack) == 0 || isXMLSpace(b[0]) {
			// White space, read in pieces; after the root element
			// nothing else (the token reader ignores text there, but
			// checks it first).
			n := skipSpace(b, 0)
			if n == 0 {
				return scanGiveUp
			}
			if sc.ws += n; sc.ws > scanMaxToken {
				return scanGiveUp
			}
			return n
		}
		k := bytes.IndexByte(b, '<')
		if k < 0 || k+sc.ws > scanMaxToken {
			if len(b)+sc.ws > scanMaxToken {
				return scanGiveUp
			}
			return scanMore
		}
		if !isPlain(b[:k]) {
			var ok bool
			if sc.text, ok = decodeXMLText(sc.text[:0], b[:k], false); !ok {
				return scanGiveUp
			}
		}
		sc.ws = 0
		return k
	}
	if sc.ws > 0 {
		// White space then text is one token: it was read in pieces,
		// and only white space was.
		sc.ws = 0
	}
	if len(b) < 2 {
		return scanMore
	}
	sc.tag = 0
	switch b[1] {
	case '!':
		if k := sc.comment(b, 0); k != 0 {
			return k
		}
		return scanGiveUp
	case '?':
		return scanGiveUp
	case '/':
		j := scanName(b, 2)
		if j < 0 {
			return j
		}
		if len(sc.stack) == 0 || !bytes.Equal(b[2:j], sc.stack[len(sc.stack)-1]) {
			return scanGiveUp
		}
		k := skipSpace(b, j)
		if k > scanMaxToken {
			return scanGiveUp
		}
		if k == len(b) {
			return scanMore
		}
		if b[k] != '>' {
			return scanGiveUp
		}
		sc.stack = sc.stack[:len(sc.stack)-1]
		return k + 1
	}
	if len(sc.stack) == 0 || depth0+len(sc.stack) >= sc.maxDepth {
		return scanGiveUp
	}
	j := scanName(b, 1)
	if j < 0 {
		return j
	}
	name := b[1:j]
	for _, r := range refuse {
		if string(localName(name)) == r {
			return scanGiveUp
		}
	}
	k, empty := sc.attrs(b, j, nil)
	if k < 0 {
		return k
	}
	if !empty {
		sc.stack = append(sc.stack, append([]byte(nil), name...))
	}
	return k
}

// skipElement reads past an element the readers do not look at, from
// its start tag at b[i:], as the token reader's skip does: depth is the
// element's own nesting depth, and refuse names elements it must not
// hold. The element's name has no prefix (startTag).
func (sc *scanner) skipElement(b []byte, i, depth int, refuse []string) int {
	if depth > sc.maxDepth {
		return scanGiveUp
	}
	j, name := sc.startTag(b, i)
	if j < 0 {
		return j
	}
	k, empty := sc.attrs(b, j, nil)
	if k < 0 || empty {
		return k
	}
	sc.stack = append(sc.stack[:0], name)
	for len(sc.stack) > 0 {
		n := sc.token(b[k:], depth-1, refuse)
		if n < 0 {
			return n
		}
		k += n
	}
	sc.ws = 0
	return k
}

// formula reads a cell's <f> from after its name, as readCell does: its
// flags and shared index must parse, its text is checked and dropped.
func (sc *scanner) formula(b []byte, i int, max int) int {
	i, empty := sc.attrs(b, i, formulaAttrOK)
	if i < 0 || empty {
		return i
	}
	return sc.elemText(b, i, nameF, max)
}

// formulaAttrOK checks an attribute of an <f>: its flags are booleans
// and its shared index a number.
func formulaAttrOK(attr, val []byte) bool {
	switch string(attr) {
	case "aca", "dt2D", "dtr", "del1", "del2", "ca", "bx":
		return attrBoolOK(string(val))
	case "si":
		if _, ok := atoiDigits(val); !ok {
			return attrIntOK(string(val), 64)
		}
	}
	return true
}

// scanSharedStrings reads the items of the shared string table after
// <sst>, as readSharedStrings does, and checks the rest of the part. It
// returns nil, ctx's error or errGiveUp (and then the table is read again
// by the token reader).
func (b *book) scanSharedStrings(sc *scanner) error {
	lim := b.lim
	var total int64
	for {
		buf := sc.buf[sc.pos:sc.end]
		sc.unitComments = 0
		var n int
		item := false
		switch {
		case sc.tail:
			n = sc.token(buf, 0, nil)
		case len(buf) > 0 && isXMLSpace(buf[0]):
			n = skipSpace(buf, 0)
			if sc.ws += n; sc.ws > scanMaxToken {
				return errGiveUp
			}
		default:
			sc.ws = 0
			if k := sc.comment(buf, 0); k != 0 {
				n = k
				break
			}
			if j := sc.closeTag(buf, 0, sc.root); j != 0 {
				n = j
				if j > 0 {
					sc.tail, sc.stack = true, sc.stack[:0]
				}
				break
			}
			j := sc.openTag(buf, 0, "si")
			switch {
			case j < 0:
				n = j
			case j == 0 || len(b.sst) >= lim.MaxSharedStrings:
				n = scanGiveUp
			default:
				n = sc.richItem(buf, j, nameSI, lim.MaxCellBytes)
				item = n > 0
			}
		}
		if n == scanMore {
			if sc.fill() {
				continue
			}
			if sc.tail && sc.done() {
				return nil
			}
			return errGiveUp
		}
		if n < 0 {
			return errGiveUp
		}
		sc.pos += n
		sc.comments += sc.unitComments
		if !item {
			continue
		}
		str := ""
		if len(sc.rich) > 0 {
			str = bstrUnmarshal(string(sc.rich))
		}
		if total += int64(len(str)); total > lim.MaxSharedStringBytes {
			return errGiveUp
		}
		b.sst = append(b.sst, str)
		if len(b.sst)%ctxEvery == 0 {
			if err := b.ctx.Err(); err != nil {
				return err
			}
		}
	}
}
