package table

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// MaxRecordBytes caps one CSV record. encoding/csv holds a record whole,
// so an unclosed quote would otherwise pull the rest of the file into
// memory; a longer record is a format-error.
const MaxRecordBytes = 16 << 20

// sniffBytes is how much of a CSV Open looks at to choose the encoding
// and the delimiter.
const sniffBytes = 64 << 10

var utf8BOM = []byte("\xEF\xBB\xBF")

// openCSV opens a CSV. Cells handed out by Next are valid until the next
// call (the slice is reused; the strings themselves stay valid).
func openCSV(ctx context.Context, r io.Reader, opt ReadOptions) (Table, error) {
	return openCSVChecking(ctx, r, opt, false)
}

// openCSVChecking is openCSV; perCell checks every cell of a UTF-8 file
// for valid UTF-8 rather than the byte stream (see recordGuard), which
// is slower and must give the same records and errors: the tests compare
// the two.
func openCSVChecking(ctx context.Context, r io.Reader, opt ReadOptions, perCell bool) (Table, error) {
	lim := opt.Limits.orDefault()
	guard := &recordGuard{r: r, maxTotal: lim.MaxFileBytes, checkUTF: !perCell}
	br := bufio.NewReaderSize(guard, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	atEOF := err == io.EOF
	if what := sniff(head); what != "" {
		return nil, formatErr("the file is named .csv but is " + what)
	}
	var (
		in       io.Reader = br
		checkUTF bool
	)
	switch enc := strings.ToLower(strings.TrimSpace(opt.Encoding)); {
	case bytes.HasPrefix(head, utf8BOM):
		// A byte order mark settles it: no Windows-1252 file starts "ï»¿".
		if _, err := br.Discard(len(utf8BOM)); err != nil {
			return nil, fmt.Errorf("read csv: %w", err)
		}
		head = head[len(utf8BOM):]
		checkUTF = true
	case enc == "utf-8" || enc == "utf8":
		checkUTF = true
	case enc == "windows-1252" || enc == "cp1252":
		in = transform.NewReader(br, charmap.Windows1252.NewDecoder())
	case enc == "":
		if validUTF8Prefix(head, atEOF) {
			checkUTF = true
		} else {
			in = transform.NewReader(br, charmap.Windows1252.NewDecoder())
		}
	default:
		return nil, &FileError{Rule: RuleEncodingError, Message: "the protocol names an encoding that is not read; use utf-8 or windows-1252"}
	}
	if !checkUTF {
		guard.checkUTF = false
		// Delimiters and quotes are ASCII in both encodings; the decoded
		// prefix matters only for what IsHeader sees.
		if dec, err := charmap.Windows1252.NewDecoder().Bytes(head); err == nil {
			head = dec
		}
	}
	cr := csv.NewReader(in)
	cr.Comma = sniffDelimiter(head, atEOF, opt.IsHeader)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	src := &csvSource{ctx: ctx, r: cr, checkUTF: checkUTF, perCell: perCell, guard: guard, lim: &lim}
	header, rest, _, err := findHeader(src, opt.IsHeader)
	if err != nil {
		return nil, err
	}
	if fe := lim.headerOver(header); fe != nil {
		return nil, fe
	}
	return &table{format: "csv", header: header, pending: rest, src: src}, nil
}

// validUTF8Prefix reports whether head is UTF-8, allowing a rune cut off
// at the end of a prefix that is not the whole file.
func validUTF8Prefix(head []byte, atEOF bool) bool {
	if utf8.Valid(head) {
		return true
	}
	if atEOF {
		return false
	}
	// Drop at most one incomplete rune at the end and try again.
	n := cutRune(head)
	return n > 0 && utf8.Valid(head[:len(head)-n])
}

// cutRune returns how many bytes at the end of b begin a rune that b
// cuts off, or 0 if none do: the rune's start is among b's last
// UTFMax-1 bytes (a rune starting earlier is whole, or invalid).
func cutRune(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return 0
			}
			return len(b) - i
		}
	}
	return 0
}

// delimiters are the candidates, in order of preference on a tie.
var delimiters = [...]byte{',', ';', '\t'}

// sniffDelimiter chooses the delimiter from the header line of head: the
// first of its first HeaderScan lines that isHeader accepts when split on
// that line's commonest unquoted candidate, else the line with the most
// unquoted candidates of one kind (title rows have few or none).
func sniffDelimiter(head []byte, atEOF bool, isHeader func([]string) bool) rune {
	lines := logicalLines(head, atEOF, HeaderScan)
	best, bestCount := byte(','), 0
	for _, line := range lines {
		d, n := commonest(line)
		if isHeader != nil && n > 0 && isHeader(splitLine(line, d)) {
			return rune(d)
		}
		if n > bestCount {
			best, bestCount = d, n
		}
	}
	return rune(best)
}

// logicalLines splits head into at most max non-blank lines, keeping
// quoted line breaks inside their line. An unfinished last line is kept
// only at the end of the file.
func logicalLines(head []byte, atEOF bool, max int) [][]byte {
	var lines [][]byte
	inQuote, start := false, 0
	for i := 0; i < len(head) && len(lines) < max; i++ {
		switch head[i] {
		case '"':
			inQuote = !inQuote
		case '\n':
			if !inQuote {
				if line := bytes.TrimRight(head[start:i], "\r"); len(bytes.TrimSpace(line)) > 0 {
					lines = append(lines, line)
				}
				start = i + 1
			}
		}
	}
	if atEOF && len(lines) < max && start < len(head) && len(bytes.TrimSpace(head[start:])) > 0 {
		lines = append(lines, head[start:])
	}
	return lines
}

// commonest returns the candidate delimiter found most often outside
// quotes in line, and how often.
func commonest(line []byte) (byte, int) {
	var counts [len(delimiters)]int
	inQuote := false
	for _, c := range line {
		if c == '"' {
			inQuote = !inQuote
			continue
		}
		if inQuote {
			continue
		}
		for k, d := range delimiters {
			if c == d {
				counts[k]++
			}
		}
	}
	best := 0
	for k := range counts {
		if counts[k] > counts[best] {
			best = k
		}
	}
	return delimiters[best], counts[best]
}

// splitLine splits one line on d the way encoding/csv would, ignoring
// quoting errors.
func splitLine(line []byte, d byte) []string {
	cr := csv.NewReader(bytes.NewReader(line))
	cr.Comma = rune(d)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	rec, _ := cr.Read()
	return rec
}

// csvSource turns encoding/csv records into Records numbered as Excel
// shows them. encoding/csv skips empty lines and counts physical lines;
// Excel shows one row per record and one per empty line. So each record's
// row is the previous record's row plus the lines between the previous
// record's last line and this record's first.
type csvSource struct {
	ctx      context.Context
	r        *csv.Reader
	checkUTF bool
	prevRow  int // row of the previous record (0 before the first)
	prevEnd  int // physical line the previous record ended on
	n        int
	err      error // sticky
	guard    *recordGuard
	lim      *Limits
	cells    int64 // cells read in all
	fields   int   // cells of the last record returned, before trimming

	perCell bool // check every cell, not the stream (see openCSVChecking)
}

// errRecordTooLong is what recordGuard returns past MaxRecordBytes, and
// errFileTooLarge past Limits.MaxFileBytes.
var (
	errRecordTooLong = errors.New("record too long")
	errFileTooLarge  = errors.New("file too large")
)

// recordGuard sits under encoding/csv's buffer and fails once more than
// MaxRecordBytes have been read since the last record ended, or more
// than maxTotal in all.
//
// While checkUTF is set it also checks that the bytes it hands on are
// UTF-8, and sets badUTF for good once they are not. Checking the stream
// in the chunks the buffer reads is nearly free, where checking each
// cell with utf8.ValidString was a tenth of judging's CPU (under 0.01 s
// against 0.32 s on a 1,000,000-row, 360 MB file, measured: utf8.Valid
// takes eight ASCII bytes at a time). It gives the same answer: quotes,
// delimiters and line ends are ASCII, and encoding/csv only removes
// ASCII bytes or splits at them, so every cell is UTF-8 exactly when the
// bytes its record was made of are. A record is returned only after all
// its bytes were read, so until badUTF is set every cell returned was
// UTF-8; after, csvSource checks each cell as before, so the error names
// the same row with the same message.
type recordGuard struct {
	r        io.Reader
	n        int64
	total    int64
	maxTotal int64

	checkUTF bool
	badUTF   bool
	// partial holds the start of a rune that the last chunk cut off.
	partial  [utf8.UTFMax]byte
	nPartial int
}

func (g *recordGuard) Read(p []byte) (int, error) {
	if g.n > MaxRecordBytes+2*sniffBytes {
		return 0, errRecordTooLong
	}
	if g.total > g.maxTotal {
		return 0, errFileTooLarge
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	g.total += int64(n)
	if g.checkUTF && !g.badUTF {
		g.badUTF = !g.validChunk(p[:n], err == io.EOF)
	}
	return n, err
}

// validChunk reports whether b, the next bytes of the stream, continues
// it as UTF-8. A rune cut off at the end of b is kept to be completed by
// the next chunk; at the end of the stream (eof) it is invalid.
func (g *recordGuard) validChunk(b []byte, eof bool) bool {
	if g.nPartial > 0 {
		// Complete the cut-off rune from the head of b.
		var buf [utf8.UTFMax]byte
		k := copy(buf[:], g.partial[:g.nPartial])
		k += copy(buf[k:], b)
		if !utf8.FullRune(buf[:k]) {
			// b was too short to complete it (FullRune is true of an
			// invalid start, so the bytes so far may still begin a rune).
			if eof {
				return false
			}
			g.nPartial = copy(g.partial[:], buf[:k])
			return true
		}
		r, size := utf8.DecodeRune(buf[:k])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		b = b[size-g.nPartial:]
		g.nPartial = 0
	}
	// Keep back a rune that b cuts off.
	if n := cutRune(b); n > 0 {
		g.nPartial = copy(g.partial[:], b[len(b)-n:])
		b = b[:len(b)-n]
	}
	if !utf8.Valid(b) {
		return false
	}
	return !eof || g.nPartial == 0
}

func (s *csvSource) next() (Record, error) {
	if s.err != nil {
		return Record{}, s.err
	}
	rec, err := s.nextRecord()
	if err != nil {
		s.err = err
	}
	return rec, err
}

func (s *csvSource) nextRecord() (Record, error) {
	for {
		s.n++
		if s.n%ctxEvery == 0 {
			if err := s.ctx.Err(); err != nil {
				return Record{}, err
			}
		}
		s.guard.n = 0
		cells, err := s.r.Read()
		if err == io.EOF {
			return Record{}, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				row := s.prevRow + pe.StartLine - s.prevEnd
				return Record{}, &FileError{Rule: RuleFormatError, Row: row,
					Message: fmt.Sprintf("the CSV is malformed at text line %d, column %d: %v", pe.Line, pe.Column, pe.Err)}
			}
			if errors.Is(err, errFileTooLarge) {
				return Record{}, overLimit(s.prevRow+1, "a CSV file of more than %d bytes", s.lim.MaxFileBytes)
			}
			if errors.Is(err, errRecordTooLong) {
				return Record{}, &FileError{Rule: RuleFormatError, Row: s.prevRow + 1,
					Message: fmt.Sprintf("the record that starts here is longer than %d MiB (perhaps a quote is never closed)", MaxRecordBytes>>20)}
			}
			return Record{}, fmt.Errorf("read csv: %w", err)
		}
		first, _ := s.r.FieldPos(0)
		last, _ := s.r.FieldPos(len(cells) - 1)
		row := s.prevRow + first - s.prevEnd
		s.prevRow = row
		s.prevEnd = last + strings.Count(cells[len(cells)-1], "\n")
		if err := s.budget(row, cells); err != nil {
			return Record{}, err
		}
		if s.checkUTF && (s.perCell || s.guard.badUTF) {
			for _, c := range cells {
				if !utf8.ValidString(c) {
					return Record{}, &FileError{Rule: RuleEncodingError, Row: row,
						Message: "the row is not valid UTF-8; save the file as \"CSV UTF-8\" (or send it all in Windows-1252)"}
				}
			}
		}
		if s.fields = len(cells); len(trimBlank(cells)) > 0 {
			return Record{Row: row, Cells: trimBlank(cells)}, nil
		}
	}
}

// budget checks a record against the limits: rows, columns, cells in
// all, and bytes per cell.
func (s *csvSource) budget(row int, cells []string) error {
	lim := s.lim
	if s.n > lim.MaxRows {
		return overLimit(row, "more than %d rows", lim.MaxRows)
	}
	if len(cells) > lim.MaxColumns {
		return overLimit(row, "more than %d columns in a row", lim.MaxColumns)
	}
	if s.cells += int64(len(cells)); s.cells > lim.MaxCells {
		return overLimit(row, "more than %d cells in the file", lim.MaxCells)
	}
	for _, c := range cells {
		if len(c) > lim.MaxCellBytes {
			return overLimit(row, "a cell of more than %d bytes", lim.MaxCellBytes)
		}
	}
	return nil
}
