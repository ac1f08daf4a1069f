package table

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// This file proves the sheet scanner (scan.go) against the token reader
// it stands in for: on every input, Open with the scanner and Open with
// the token reader alone must give the same sheet, header, records and
// errors, field for field.

// fullRead is everything Open and Next made of a workbook.
type fullRead struct {
	openErr  error
	sheet    string
	date1904 bool
	header   Record
	records  []Record
	err      error // what ended the reading: nil for io.EOF
	// scanned and restarts say what the scanner did with the sheet,
	// sstScanned and sstGaveUp with the shared strings (not compared).
	scanned, sstScanned, sstGaveUp bool
	restarts                       int
}

// readWith reads b with Open's xlsx path, the scanner on or off, with
// opt.TempDir for its spool.
func readWith(b []byte, opt ReadOptions, mode scanMode) fullRead {
	tab, err := openXLSXWith(context.Background(), bytes.NewReader(b), opt, mode)
	if err != nil {
		return fullRead{openErr: err}
	}
	defer tab.Close()
	src := tab.(*table).src.(*sheetSource)
	read := fullRead{sheet: Sheet(tab), date1904: Date1904(tab), header: tab.Header()}
	for {
		rec, err := tab.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			read.err = err
			break
		}
		rec.Cells = append([]string(nil), rec.Cells...)
		read.records = append(read.records, rec)
	}
	read.scanned, read.restarts = src.scanned, src.restarts
	read.sstScanned, read.sstGaveUp = src.b.sstScanned, src.b.sstGaveUp
	return read
}

// sameErr reports whether two errors are the same: both nil, equal
// *FileErrors, or errors with the same text.
func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var fa, fb *FileError
	if errors.As(a, &fa) && errors.As(b, &fb) {
		return *fa == *fb
	}
	return a.Error() == b.Error()
}

// compareScan reads b both ways under opt and fails t where they differ.
// It returns what the scanner's reading was.
func compareScan(t *testing.T, b []byte, opt ReadOptions) fullRead {
	t.Helper()
	if opt.TempDir == "" {
		opt.TempDir = t.TempDir()
	}
	want := readWith(b, opt, scanMode{noScan: true})
	// With a buffer of a few bytes, every unit crosses its end, and is
	// scanned again after each read.
	small := readWith(b, opt, scanMode{buf: 1 + len(b)%13})
	got := readWith(b, opt, scanMode{})
	sameRead(t, "small buffer", small, want)
	sameRead(t, "", got, want)
	return got
}

// sameRead fails t where got differs from want (the token reader's).
func sameRead(t *testing.T, what string, got, want fullRead) {
	t.Helper()
	if what != "" {
		what += ": "
	}
	if !sameErr(got.openErr, want.openErr) {
		t.Fatalf("%sopen error\n got %v\nwant %v", what, got.openErr, want.openErr)
	}
	if got.sheet != want.sheet || got.date1904 != want.date1904 || !reflect.DeepEqual(got.header, want.header) {
		t.Fatalf("%ssheet %q date1904 %v header %v, token reader: sheet %q date1904 %v header %v",
			what, got.sheet, got.date1904, got.header, want.sheet, want.date1904, want.header)
	}
	for i := range min(len(got.records), len(want.records)) {
		if !reflect.DeepEqual(got.records[i], want.records[i]) {
			t.Fatalf("%srecord %d:\n got %d %q\nwant %d %q", what, i, got.records[i].Row, got.records[i].Cells, want.records[i].Row, want.records[i].Cells)
		}
	}
	if len(got.records) != len(want.records) {
		t.Fatalf("%s%d records, token reader %d", what, len(got.records), len(want.records))
	}
	if !sameErr(got.err, want.err) {
		t.Fatalf("%serror\n got %v\nwant %v", what, got.err, want.err)
	}
}

// scanLimits are the budgets the comparisons run under: the defaults,
// and small ones that files reach.
var scanLimits = []Limits{
	{},
	{MaxCells: 40, MaxColumns: 6, MaxCellBytes: 12, MaxHeaderBytes: 40},
	{MaxXMLDepth: scanMinDepth, MaxCommentBytes: 16, MaxCells: 7},
	{MaxXMLDepth: scanMinDepth - 1},
}

// dialects rewrite a worksheet's XML into another way of writing the
// same thing (or nearly: some make it damaged on purpose), as other
// producers or hand edits do.
var dialects = []func(string) string{
	func(x string) string { return x },
	// pretty-printed, with CRLF line ends
	func(x string) string { return strings.ReplaceAll(x, "><", ">\r\n  <") },
	func(x string) string { return strings.ReplaceAll(x, "><", ">\n\t<") },
	// single quotes and white space around =
	func(x string) string { return strings.ReplaceAll(x, `="`, ` = '`) },
	func(x string) string {
		return strings.ReplaceAll(strings.ReplaceAll(x, `="`, `='`), `" `, `' `)
	},
	// prefixed attributes, which the token reader reads by local name
	func(x string) string { return strings.ReplaceAll(x, ` r="`, ` x:r="`) },
	func(x string) string { return strings.ReplaceAll(x, ` t="`, ` xml:t="`) },
	// character references for markup's characters
	func(x string) string { return strings.ReplaceAll(x, "&amp;", "&#38;") },
	func(x string) string { return strings.ReplaceAll(x, "&amp;", "&#x26;") },
	func(x string) string { return strings.ReplaceAll(x, `r="A`, `r="&#65;`) },
	// xml:space and other attributes the readers ignore
	func(x string) string { return strings.ReplaceAll(x, "<t>", `<t xml:space="preserve">`) },
	func(x string) string { return strings.ReplaceAll(x, "<row", `<row spans="1:3" x14ac:dyDescent="0.25"`) },
	func(x string) string { return strings.ReplaceAll(x, "<c", `<c s="0"`) },
	// empty elements written out
	func(x string) string { return strings.ReplaceAll(strings.ReplaceAll(x, "/>", "></c>"), "<c", "<c") },
	func(x string) string { return strings.ReplaceAll(x, "<v>", "<v >") },
	func(x string) string { return strings.ReplaceAll(x, "</c>", "</c >") },
	// what follows sheetData
	func(x string) string {
		return strings.Replace(x, "</worksheet>", `<pageMargins left="0.7" right="0.7"/><headerFooter><oddHeader>&amp;C&amp;"Arial"Page &#38;P</oddHeader></headerFooter></worksheet>`, 1)
	},
	func(x string) string {
		return strings.Replace(x, "</worksheet>", "</worksheet>\r\n  ", 1)
	},
	func(x string) string { return strings.Replace(x, "</worksheet>", "</worksheet><!-- x -->", 1) },
	func(x string) string {
		return strings.Replace(x, "</sheetData>", "</sheetData><x:y xmlns:x=\"u\"><x:z a='&lt;'/>t</x:y>", 1)
	},
	// a prefixed worksheet, which the token reader reads by local name
	func(x string) string {
		x = strings.Replace(x, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`, `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`, 1)
		return strings.Replace(x, "</worksheet>", "</x:worksheet>", 1)
	},
}

// editBytes are the bytes the fuzzed edits put in: XML's markup, white
// space, and bytes that are not UTF-8 or not XML characters.
const editBytes = "<>/&;#x\"'= \r\n\t]![-?:ab0\x00\xc3\xa9\xff\x01"

// editSheet applies edits to x: each three bytes are a position (two
// bytes), an operation (insert, replace, delete) and a byte of editBytes.
func editSheet(x string, edits []byte) string {
	b := []byte(x)
	for i := 0; i+3 < len(edits) && len(b) > 0; i += 4 {
		pos := (int(edits[i])<<8 | int(edits[i+1])) % len(b)
		c := editBytes[int(edits[i+3])%len(editBytes)]
		switch edits[i+2] % 3 {
		case 0:
			b = append(b[:pos], append([]byte{c}, b[pos:]...)...)
		case 1:
			b[pos] = c
		case 2:
			b = append(b[:pos], b[pos+1:]...)
		}
	}
	return string(b)
}

// scanBook builds a workbook from fuzzed parameters: the structure from
// params (as FuzzXLSXStructure does), a dialect and edits applied to its
// worksheets, and the limits to read it under.
func scanBook(t testing.TB, params, edits []byte) ([]byte, Limits) {
	s := &shape{b: params}
	sheets, sst, wbPr := structuredParts(s)
	d := dialects[s.n(len(dialects))]
	d2 := dialects[s.n(len(dialects))]
	lim := scanLimits[s.n(len(scanLimits))]
	for i := range sheets {
		sheets[i] = editSheet(d2(d(sheets[i])), edits)
	}
	if sst != "" {
		sst = d(sst)
	}
	return packageBook(t, sheets, sst, wbPr), lim
}

// FuzzXLSXScan compares the sheet scanner with the token reader on
// workbooks built from fuzzed structure, dialect and byte edits.
func FuzzXLSXScan(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Add([]byte{3, 1, 2, 2, 2, 1, 7, 2, 5, 9, 9, 0, 3, 1, 1, 4, 2, 2, 2, 8, 8, 1, 2, 3}, []byte{0, 90, 1, 4})
	f.Add(bytes.Repeat([]byte{5, 2, 7, 3, 1, 9}, 30), []byte{})
	f.Add(bytes.Repeat([]byte{1, 4, 2, 6, 0, 3, 8}, 40), []byte{0, 200, 0, 0, 1, 10, 2, 3})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, params, edits []byte) {
		if len(params) > 4096 || len(edits) > 256 {
			t.Skip()
		}
		b, lim := scanBook(t, params, edits)
		compareScan(t, b, ReadOptions{Limits: lim, TempDir: dir})
	})
}

// corpusInputs returns the xlsx inputs of the fuzz corpus under
// testdata/fuzz: workbooks for the targets that take one, and the
// workbooks the structural targets build from theirs.
func corpusInputs(t *testing.T) map[string][]byte {
	books := map[string][]byte{}
	names, err := filepath.Glob("testdata/fuzz/*/*")
	must(t, err)
	for _, n := range names {
		file, err := os.ReadFile(n)
		must(t, err)
		args := corpusArgs(t, file)
		switch filepath.Base(filepath.Dir(n)) {
		case "FuzzOpenXLSX", "FuzzXLSXReaders":
			books[n] = args[0]
		case "FuzzXLSXStructure":
			books[n] = structuredBook(t, &shape{b: args[0]})
		case "FuzzXLSXScan":
			if len(args) == 2 {
				books[n], _ = scanBook(t, args[0], args[1])
			}
		}
	}
	return books
}

// corpusArgs returns the []byte arguments of a "go test fuzz v1" file.
func corpusArgs(t *testing.T, file []byte) [][]byte {
	var args [][]byte
	for _, line := range strings.Split(string(file), "\n")[1:] {
		if strings.HasPrefix(line, "[]byte(") {
			args = append(args, corpusBytes(t, []byte("go test fuzz v1\n"+line)))
		}
	}
	return args
}

// TestScanAgrees compares the scanner with the token reader on every
// xlsx in testdata and in the fuzz corpus, the workbooks TestReadersAgree
// builds, and structural workbooks in every dialect with and without
// byte edits, under every budget of scanLimits. The producers' workbooks
// must be read by the scanner to the end without giving up.
func TestScanAgrees(t *testing.T) {
	t.Parallel()
	books := diffBooks(t)
	for n, b := range corpusInputs(t) {
		books[n] = b
	}
	scannedWhole := map[string]bool{
		"testdata/excelize-shared-strings.xlsx": true, "testdata/excelize-stream.xlsx": true,
		"testdata/minimal-no-refs.xlsx": true, "testdata/openpyxl-cases.xlsx": true,
		"cases": true, "1904": true, "excel-style": true, "libreoffice-style": true, "features": true,
	}
	// The fast tier compares under fewer budgets and fewer shapes.
	lims, n := scanLimits, 300
	if testing.Short() {
		lims, n = scanLimits[:2], 60
	}
	for name, b := range books {
		t.Run(filepath.Base(name), func(t *testing.T) {
			for i, lim := range lims {
				got := compareScan(t, b, ReadOptions{Limits: lim})
				if i == 0 && scannedWhole[name] && (!got.scanned || got.restarts > 0 || got.sstGaveUp) {
					t.Errorf("scanned %v, gave up %d times; shared strings scanned %v, gave up %v", got.scanned, got.restarts, got.sstScanned, got.sstGaveUp)
				}
			}
			compareScan(t, b, ReadOptions{IsHeader: hasLabels})
		})
	}
	scanned, whole := 0, 0
	for i := range n {
		params := make([]byte, 200)
		edits := make([]byte, 4*(i%3/2))
		x := uint32(i*2654435761 + 7)
		for j := range params {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			params[j] = byte(x)
		}
		for j := range edits {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			edits[j] = byte(x)
		}
		t.Run(fmt.Sprintf("shape%d", i), func(t *testing.T) {
			b, lim := scanBook(t, params, edits)
			got := compareScan(t, b, ReadOptions{Limits: lim})
			if got.scanned {
				scanned++
				if got.restarts == 0 {
					whole++
				}
			}
		})
	}
	// The comparison must exercise the scanner, not only its giving up.
	if whole < n/10 {
		t.Errorf("the scanner read %d of %d shapes to the end (%d begun)", whole, n, scanned)
	}
	t.Logf("the scanner began %d of %d shapes and read %d to the end", scanned, n, whole)
}

// TestScanRead is a table of sheet XML the scanner must read by itself
// (without giving up), with the records it must return; each is also
// compared with the token reader. The header row is headerRow.
func TestScanRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rows  string // sheetData after the header row
		after string // between </sheetData> and </worksheet>
		want  [][]string
		row   int // the last record's row, when not 2
	}{
		{name: "Plain", rows: `<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>x</t></is></c></row>`, want: [][]string{{"1", "x"}}},
		{name: "Entities", rows: `<row><c t="inlineStr"><is><t>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</t></is></c></row>`, want: [][]string{{`a & b <c> "d" 'e'`}}},
		{name: "CharRefs", rows: `<row><c><v>&#65;&#x42;&#x1F600;&#xD800;&#0000067;</v></c></row>`, want: [][]string{{"AB\U0001F600\uFFFDC"}}},
		{name: "LineEnds", rows: "<row><c t=\"inlineStr\"><is><t>a\r\nb\rc\n\r\nd&#13;\n</t></is></c></row>", want: [][]string{{"a\nb\nc\n\nd\r\n"}}},
		{name: "UTF8", rows: `<row><c t="inlineStr"><is><t>Zoë £5 日本</t></is></c></row>`, want: [][]string{{"Zoë £5 日本"}}},
		{name: "Brackets", rows: `<row><c><v>]]&gt; ]] &gt;</v></c></row>`, want: [][]string{{"]]> ]] >"}}},
		{name: "SingleQuotes", rows: `<row r='2'><c r = 'B2' t = 'inlineStr'><is><t>y</t></is></c></row>`, want: [][]string{{"", "y"}}},
		{name: "AttrEntities", rows: `<row r="&#50;"><c r="&#67;2"><v>3</v></c></row>`, want: [][]string{{"", "", "3"}}},
		{name: "PrefixedAttr", rows: `<row x:r="5" spans="1:3" x14ac:dyDescent="0.25"><c x:r="B5"><v>1</v></c></row>`, want: [][]string{{"", "1"}}, row: 5},
		{name: "NoSpaceBetweenAttrs", rows: `<row r="2"><c r="A2"t="inlineStr"><is><t>z</t></is></c></row>`, want: [][]string{{"z"}}},
		{name: "Pretty", rows: "\r\n  <row r=\"2\">\r\n    <c r=\"A2\">\r\n      <v>7</v>\r\n    </c >\r\n  </row >\r\n", want: [][]string{{"7"}}},
		{name: "EmptyElements", rows: `<row r="2"><c r="A2"/><c r="B2"><v/></c><c r="C2" t="inlineStr"><is/></c><c r="D2"><v>4</v></c></row><row r="3"/>`, want: [][]string{{"", "", "", "4"}}},
		{name: "Shared", rows: `<row><c t="s"><v>1</v></c><c t="s"><v> 0 </v></c><c t="s"><v>+1</v></c></row>`, want: [][]string{{"sst1", "sst0", "sst1"}}},
		{name: "Types", rows: `<row><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c t="str"><f>A1&amp;"x"</f><v>r</v></c><c t="n" s="3"><v>45750</v></c></row>`, want: [][]string{{"1", "#N/A", "r", "45750"}}},
		{name: "FormulaAfterValue", rows: `<row><c><v>2</v><f aca="false" ca="1" si="0">1+1</f></c><c t="inlineStr"><v>v</v><is><t>i</t></is></c></row>`, want: [][]string{{"2", "i"}}},
		{name: "RichText", rows: `<row><c t="inlineStr"><is><r><rPr><b/><sz val="11"/><color theme="1" tint="-0.5"/><rFont val="Calibri"/></rPr><t>bo</t></r><r><t xml:space="preserve">ld </t></r><t>first</t><rPh sb="0" eb="1"><t>ふ</t></rPh><phoneticPr fontId="1"/></is></c></row>`, want: [][]string{{"firstbold "}}},
		{name: "Escapes", rows: `<row><c t="inlineStr"><is><t>_x0041__x005F_x0041__xD800_</t></is></c></row>`, want: [][]string{{"A_x0041_"}}},
		{name: "Comments", rows: `<!-- a --><row><!-- b --><c><!-- c --><v>1</v><!-- d --></c></row><!-- e -->`, after: "<!-- f -->", want: [][]string{{"1"}}},
		{name: "ExtLst", rows: `<row><c><v>1</v><extLst><ext uri="u"><x:y xmlns:x="n" a="&lt;">t</x:y></ext></extLst></c><extLst/></row>`, want: [][]string{{"1"}}},
		{name: "Gaps", rows: `<row r="4"><c r="C4"><v>1</v></c><c r="$E$4"><v>2</v></c></row>`, want: [][]string{{"", "", "1", "", "2"}}, row: 4},
		{name: "BlankRowsAndCells", rows: `<row><c><v> </v></c></row><row><c><v>1</v></c><c><v>  </v></c></row>`, want: [][]string{{"1"}}, row: 3},
		{name: "Tail", rows: `<row><c><v>1</v></c></row>`, after: `<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells><pageMargins left="0.7"/><headerFooter><oddHeader>&amp;C&amp;"Arial"P</oddHeader></headerFooter><x:ext xmlns:x="u"> t </x:ext>`, want: [][]string{{"1"}}},
	}
	sst := `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>sst0</t></si><si><t>sst1</t></si></sst>`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			xml := sheetHead + "<sheetData>" + headerRow + tt.rows + "</sheetData>" + tt.after + "</worksheet>"
			b := packageBook(t, []string{xml}, sst, "")
			got := compareScan(t, b, ReadOptions{})
			if !got.scanned || got.restarts > 0 || !got.sstScanned || got.sstGaveUp {
				t.Errorf("scanned %v, gave up %d times; shared strings scanned %v, gave up %v", got.scanned, got.restarts, got.sstScanned, got.sstGaveUp)
			}
			if got.openErr != nil || got.err != nil {
				t.Fatalf("open error %v, error %v", got.openErr, got.err)
			}
			var cells [][]string
			for _, rec := range got.records {
				cells = append(cells, rec.Cells)
			}
			if !reflect.DeepEqual(cells, tt.want) {
				t.Errorf("cells %q, want %q", cells, tt.want)
			}
			row := tt.row
			if row == 0 {
				row = 2
			}
			if n := len(got.records); n > 0 && got.records[n-1].Row != row {
				t.Errorf("last row %d, want %d", got.records[n-1].Row, row)
			}
		})
	}
}

// TestScanRefuses is a table of damaged or over-budget sheet XML: the
// scanner must leave each to the token reader, which refuses it with the
// same error as when it reads the sheet alone.
func TestScanRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rows  string
		after string
		sst   string // the shared string table's items, when not one plain item
		lim   Limits
		rule  string
	}{
		{name: "UnknownEntity", rows: `<row><c><v>&nbsp;</v></c></row>`, rule: RuleFormatError},
		{name: "NoSemicolon", rows: `<row><c><v>&amp</v></c></row>`, rule: RuleFormatError},
		{name: "NulRef", rows: `<row><c><v>&#0;</v></c></row>`, rule: RuleFormatError},
		{name: "BigRef", rows: `<row><c><v>&#x110000;</v></c></row>`, rule: RuleFormatError},
		{name: "UpperX", rows: `<row><c><v>&#X41;</v></c></row>`, rule: RuleFormatError},
		{name: "NotUTF8", rows: "<row><c><v>\xff</v></c></row>", rule: RuleFormatError},
		{name: "ControlChar", rows: "<row><c><v>\x01</v></c></row>", rule: RuleFormatError},
		{name: "NonChar", rows: "<row><c><v>\uFFFE</v></c></row>", rule: RuleFormatError},
		{name: "CDATAEnd", rows: `<row><c><v>a]]>b</v></c></row>`, rule: RuleFormatError},
		{name: "LessThanInAttr", rows: `<row><c r="A<2"><v>1</v></c></row>`, rule: RuleFormatError},
		{name: "Unquoted", rows: `<row r=2><c><v>1</v></c></row>`, rule: RuleFormatError},
		{name: "Mismatched", rows: `<row><c><v>1</c></v></row>`, rule: RuleFormatError},
		{name: "RowsOutOfOrder", rows: `<row r="3"><c><v>1</v></c></row><row r="2"><c><v>1</v></c></row>`, rule: RuleFormatError},
		{name: "CellsOutOfOrder", rows: `<row><c r="C2"><v>1</v></c><c r="B2"><v>1</v></c></row>`, rule: RuleFormatError},
		{name: "BadRef", rows: `<row><c r="2A"><v>1</v></c></row>`, rule: RuleFormatError},
		{name: "BadStyle", rows: `<row><c s="x"><v>1</v></c></row>`, rule: RuleFormatError},
		{name: "NoSharedString", rows: `<row><c t="s"><v>9</v></c></row>`, rule: RuleFormatError},
		{name: "TwoValues", rows: `<row><c><v>1</v><v>2</v></c></row>`, rule: RuleFormatError},
		{name: "BadRunProp", rows: `<row><c t="inlineStr"><is><r><rPr><b val="maybe"/></rPr><t>x</t></r></is></c></row>`, rule: RuleFormatError},
		{name: "RowInTail", rows: `<row><c><v>1</v></c></row>`, after: `<x><row/></x>`, rule: RuleFormatError},
		{name: "ElementAfterRoot", after: ``, rows: `<row><c><v>1</v></c></row></sheetData></worksheet><x/><sheetData>`, rule: RuleFormatError},
		{name: "Truncated", rows: `<row><c><v>1</v></c></row><row><c><v>`, rule: RuleFormatError},
		{name: "DoubleDash", rows: `<row><c><v>1</v></c></row><!-- a -- b -->`, rule: RuleFormatError},
		{name: "Doctype", rows: `<row><c><v>1</v></c></row>`, after: `<!DOCTYPE x>`, rule: RuleFormatError},
		{name: "CellBytes", rows: `<row><c><v>12345678901234567</v></c></row>`, lim: Limits{MaxCellBytes: 16}, rule: RuleLimitExceeded},
		{name: "Cells", rows: `<row><c><v>1</v></c><c><v>2</v></c></row>`, lim: Limits{MaxCells: 3}, rule: RuleLimitExceeded},
		{name: "Columns", rows: `<row><c r="E2"><v>1</v></c></row>`, lim: Limits{MaxColumns: 4}, rule: RuleLimitExceeded},
		{name: "CommentBytes", rows: `<row><!-- 123456789 --><c><v>1</v></c></row><!-- 123456789 -->`, lim: Limits{MaxCommentBytes: 12}, rule: RuleLimitExceeded},
		{name: "SSTEntity", sst: `<si><t>&bad;</t></si>`, rule: RuleFormatError},
		{name: "SSTCount", sst: `<si><t>a</t></si><si/><!-- c --><si><t>b</t></si>`, lim: Limits{MaxSharedStrings: 2}, rule: RuleLimitExceeded},
		{name: "SSTBytes", sst: `<si><t>abcdef</t></si><si><r><t>ghijkl</t></r></si>`, lim: Limits{MaxSharedStringBytes: 10}, rule: RuleLimitExceeded},
		{name: "SSTItemBytes", sst: `<si><t>abc</t><r><t>def</t></r></si>`, lim: Limits{MaxCellBytes: 5}, rule: RuleLimitExceeded},
		{name: "SSTComments", sst: `<!-- 1234 --><si><t>a</t></si><!-- 5678 -->`, lim: Limits{MaxCommentBytes: 10}, rule: RuleLimitExceeded},
		{name: "SSTAfterRoot", sst: `<si><t>a</t></si></sst><sst>`, rule: RuleFormatError},
		{name: "SSTTruncated", sst: `<si><t>a</t></si><si><t>`, rule: RuleFormatError},
		{name: "Depth", rows: `<row><c><v>1</v></c></row>`, after: `<a><b><c2><d><e><f2><g><h/></g></f2></e></d></c2></b></a>`, lim: Limits{MaxXMLDepth: 8}, rule: RuleLimitExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			xml := sheetHead + "<sheetData>" + headerRow + tt.rows + "</sheetData>" + tt.after + "</worksheet>"
			items := tt.sst
			if items == "" {
				items = `<si><t>s</t></si>`
			}
			b := packageBook(t, []string{xml}, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`+items+`</sst>`, "")
			got := compareScan(t, b, ReadOptions{Limits: tt.lim})
			err := got.err
			if err == nil {
				err = got.openErr
			}
			checkRule(t, err, tt.rule)
		})
	}
}
