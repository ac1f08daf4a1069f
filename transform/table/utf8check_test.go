package table

import (
	"context"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// chunkReader hands out data in chunks of the sizes in sizes, in turn,
// so that chunk ends fall inside runes; with no sizes it hands out
// everything at once. With eofWithData the last chunk comes with io.EOF.
type chunkReader struct {
	data        []byte
	sizes       []int
	i           int
	eofWithData bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.sizes) > 0 {
		n = c.sizes[c.i%len(c.sizes)]
		c.i++
	}
	n = copy(p[:min(len(p), n)], c.data)
	c.data = c.data[n:]
	if c.eofWithData && len(c.data) == 0 {
		return n, io.EOF
	}
	return n, nil
}

// chunkSizes turns a fuzzer's byte into a cycle of chunk sizes from 1 to
// 8, or none (one chunk) for 0.
func chunkSizes(b byte) []int {
	if b == 0 {
		return nil
	}
	return []int{int(b%8) + 1, int(b/8%8) + 1, int(b/64) + 1}
}

// readGuarded reads r to the end through a recordGuard checking UTF-8.
func readGuarded(t *testing.T, r io.Reader) *recordGuard {
	t.Helper()
	g := &recordGuard{r: r, maxTotal: 1 << 40, checkUTF: true}
	if _, err := io.Copy(io.Discard, struct{ io.Reader }{g}); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestRecordGuardUTF8(t *testing.T) {
	t.Parallel()
	tests := []struct {
		Name   string
		Chunks []string
		Valid  bool
	}{
		{Name: "Empty", Chunks: nil, Valid: true},
		{Name: "ASCII", Chunks: []string{"a,b\n", "1,2\n"}, Valid: true},
		{Name: "Whole", Chunks: []string{"Zoë,£5\n€𝄞\n"}, Valid: true},
		{Name: "TwoByteSplit", Chunks: []string{"Zo\xC3", "\xAB\n"}, Valid: true},
		{Name: "ThreeByteSplitAfterOne", Chunks: []string{"\xE2", "\x82\xAC"}, Valid: true},
		{Name: "ThreeByteSplitAfterTwo", Chunks: []string{"\xE2\x82", "\xAC"}, Valid: true},
		{Name: "FourByteOverThreeChunks", Chunks: []string{"a\xF0", "\x9D", "\x84\x9E,b"}, Valid: true},
		{Name: "FourByteOneAByte", Chunks: []string{"\xF0", "\x9D", "\x84", "\x9E"}, Valid: true},
		{Name: "EmptyChunkInside", Chunks: []string{"\xC3", "", "\xA9"}, Valid: true},
		{Name: "Latin1", Chunks: []string{"caf\xE9\n"}, Valid: false},
		{Name: "CutOffAtEnd", Chunks: []string{"ok\n\xE2\x82"}, Valid: false},
		{Name: "CutOffAtEndOverChunks", Chunks: []string{"ok\n\xE2", "\x82"}, Valid: false},
		{Name: "SplitThenASCII", Chunks: []string{"\xC3", "a"}, Valid: false},
		{Name: "SplitThenNewStart", Chunks: []string{"\xE2\x82", "\xE2\x82\xAC"}, Valid: false},
		{Name: "LoneContinuation", Chunks: []string{"a", "\xA9b"}, Valid: false},
		{Name: "Overlong", Chunks: []string{"\xC0", "\xAF"}, Valid: false},
		{Name: "Surrogate", Chunks: []string{"\xED\xA0", "\x80"}, Valid: false},
		{Name: "AboveMaxRune", Chunks: []string{"\xF4\x90", "\x80\x80"}, Valid: false},
		{Name: "BadAfterGoodChunks", Chunks: []string{"a,b\n", "1,2\n", "3,\xFF\n"}, Valid: false},
		{Name: "EncodedReplacementChar", Chunks: []string{"\xEF\xBF", "\xBD"}, Valid: true},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			var data []byte
			var sizes []int
			for _, c := range tt.Chunks {
				data = append(data, c...)
				sizes = append(sizes, len(c))
			}
			if want := utf8.Valid(data); want != tt.Valid {
				t.Fatalf("test case says valid %v, utf8.Valid says %v", tt.Valid, want)
			}
			for _, eofWithData := range []bool{false, true} {
				r := &chunkReader{data: data, sizes: sizes, eofWithData: eofWithData}
				if g := readGuarded(t, r); g.badUTF == tt.Valid {
					t.Errorf("eofWithData %v: badUTF = %v, want %v", eofWithData, g.badUTF, !tt.Valid)
				}
			}
		})
	}
}

// FuzzRecordGuardUTF8 checks that the stream check, however the stream
// is cut into chunks, agrees with utf8.Valid on the whole.
func FuzzRecordGuardUTF8(f *testing.F) {
	for _, s := range []string{"", "a", "Zoë,£5\n", "\xE2\x82\xAC", "\xF0\x9D\x84\x9E", "caf\xE9", "\xE2\x82", "\xED\xA0\x80", "\xC3a"} {
		for _, c := range []byte{0, 1, 9, 200} {
			f.Add([]byte(s), c)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk byte) {
		for _, eofWithData := range []bool{false, true} {
			g := readGuarded(t, &chunkReader{data: data, sizes: chunkSizes(chunk), eofWithData: eofWithData})
			if g.badUTF == utf8.Valid(data) {
				t.Fatalf("badUTF = %v for %q cut by %v (eofWithData %v)", g.badUTF, data, chunkSizes(chunk), eofWithData)
			}
		}
	})
}

// readCSVAll opens data as a CSV, checking UTF-8 per cell or on the
// stream, and reads it to the end: the header, the records with the
// cell count Fields reports for each, and the error.
func readCSVAll(data []byte, chunk byte, enc string, perCell bool) (Record, []Record, []int, error) {
	tab, err := openCSVChecking(context.Background(), &chunkReader{data: data, sizes: chunkSizes(chunk)},
		ReadOptions{Encoding: enc, IsHeader: hasLabels, Limits: Limits{MaxCellBytes: 1 << 20}}, perCell)
	if err != nil {
		return Record{}, nil, nil, err
	}
	defer tab.Close()
	var recs []Record
	var fields []int
	for {
		rec, err := tab.Next()
		if err == io.EOF {
			return tab.Header(), recs, fields, nil
		}
		if err != nil {
			return tab.Header(), recs, fields, err
		}
		recs = append(recs, Record{Row: rec.Row, Cells: slices.Clone(rec.Cells)})
		fields = append(fields, Fields(tab))
	}
}

// sameCSVRead fails t unless the stream check and the per-cell check
// read data alike: the same header, records and error, at the same row.
func sameCSVRead(t *testing.T, data []byte, chunk byte, enc string) {
	t.Helper()
	h1, r1, f1, err1 := readCSVAll(data, chunk, enc, false)
	h2, r2, f2, err2 := readCSVAll(data, chunk, enc, true)
	if !reflect.DeepEqual(h1, h2) || !reflect.DeepEqual(r1, r2) || !reflect.DeepEqual(f1, f2) {
		t.Fatalf("stream check read\n%+v %+v %v\nper-cell check read\n%+v %+v %v", h1, r1, f1, h2, r2, f2)
	}
	var fe1, fe2 *FileError
	switch {
	case err1 == nil && err2 == nil:
	case errors.As(err1, &fe1) && errors.As(err2, &fe2):
		if *fe1 != *fe2 {
			t.Fatalf("stream check: %+v\nper-cell check: %+v", *fe1, *fe2)
		}
	default:
		t.Fatalf("stream check: %v\nper-cell check: %v", err1, err2)
	}
}

func TestCSVUTF8StreamCheckMatchesCells(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("plain ascii,Zoë\n", sniffBytes/8)
	tests := []struct {
		Name     string
		Input    string
		Encoding string
	}{
		{Name: "Valid", Input: "case_ref,la_code\nZoë,£5\n"},
		{Name: "BadInHeaderPinned", Input: "case_ref,la_c\xE9de\nA1,E1\n", Encoding: "utf-8"},
		{Name: "BadInRowPinned", Input: "case_ref,la_code\nA1,E1\ncaf\xE9,x\nA3,E3\n", Encoding: "utf-8"},
		{Name: "BadAfterPrefix", Input: "case_ref,la_code\n" + long + "caf\xE9,x\nA3,E3\n"},
		{Name: "CutRuneAtEnd", Input: "case_ref,la_code\n" + long + "x,\xE2\x82"},
		{Name: "BadInQuotedMultiline", Input: "case_ref,la_code\n" + long + "\"a\n\xFF\",b\n"},
		{Name: "BadInBlankLookingRow", Input: "case_ref,la_code\n" + long + ",\xA0\n"},
		{Name: "BadThenMalformed", Input: "case_ref,la_code\n" + long + "\xFF,x\na\"b,c\n"},
		{Name: "MalformedThenBad", Input: "case_ref,la_code\n" + long + "a\"b,c\n\xFF,x\n"},
		{Name: "BOMThenBad", Input: "\xEF\xBB\xBFcase_ref,la_code\n" + long + "\xC3(,x\n"},
		{Name: "Windows1252", Input: "case_ref,la_code\ncaf\xE9,x\n"},
		{Name: "Windows1252Pinned", Input: "case_ref,la_code\n" + long + "caf\xE9,x\n", Encoding: "windows-1252"},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			for _, chunk := range []byte{0, 1, 3, 77, 255} {
				sameCSVRead(t, []byte(tt.Input), chunk, tt.Encoding)
			}
		})
	}
}

// longHead is a header and one row longer than the sniffed head.
var longHead = []byte("case_ref,la_code\n" + strings.Repeat("x", sniffBytes) + ",y\n")

// FuzzCSVUTF8Check is the differential test of the stream UTF-8 check
// against checking every cell: on every input, cut into chunks every
// way, both read the same records and stop with the same error.
func FuzzCSVUTF8Check(f *testing.F) {
	seed(f, "*.csv")
	for _, s := range []string{
		"case_ref,la_code\nA1,E1\ncaf\xE9,x\n",
		"case_ref,la_code\n\"a\n\xE2\x82\",b\n",
		"\xEF\xBB\xBFcase_ref,la_code\nZoë,\xC3\n",
		"x\n\ncase_ref;la_code\n1;\xF0\x9D\x84\x9E\n\xF0\x9D\x84\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		chunk := byte(0)
		if len(data) > 0 {
			chunk = data[len(data)/2]
		}
		for _, enc := range []string{"", "utf-8"} {
			sameCSVRead(t, data, 0, enc)
			sameCSVRead(t, data, chunk, enc)
			// A long valid prefix puts the rest beyond the sniffed head,
			// where the buffer's own reads cut it.
			sameCSVRead(t, append(slices.Clip(longHead), data...), 0, enc)
		}
	})
}
