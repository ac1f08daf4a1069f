package table

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// This file fuzzes the xlsx reader with workbooks built from fuzzed
// parameters rather than fuzzed bytes: the number of sheets, rows and
// cells, row and cell references (gaps, repeats, out of order), cell
// types, shared string indices, rich text, nesting, comments and text
// that needs entities or escapes. Byte mutations of a zip rarely get past
// its checksums; these reach the XML readers.

// shape draws the parameters from the fuzz input, one byte each, and
// zeros once it runs out.
type shape struct {
	b []byte
	i int
}

func (s *shape) n(k int) int {
	if s.i >= len(s.b) || k <= 1 {
		s.i++
		return 0
	}
	v := int(s.b[s.i]) % k
	s.i++
	return v
}

// texts are the cell texts drawn from: blanks, codes with leading zeros,
// numbers, entities, character references, CDATA, escapes, non-ASCII.
var texts = []string{
	"", " ", "case_ref", "la_code", "C0001", "0042", "12.50", "1e3", "45750", "1", "0", "#N/A",
	"a &amp; b", "&#65;&#x42;", "<![CDATA[x<y&z]]>", "_x0041_", "_x005F_x0041_", "_xD800_", "Zoë £5",
	"line\r\nbreak", "\t", "true", "E07000066",
}

func (s *shape) text() string { return texts[s.n(len(texts))] }

func (s *shape) comment() string {
	if s.n(6) == 0 {
		return "<!-- " + strings.Repeat("c", s.n(40)) + " -->"
	}
	return ""
}

// richXML is the body of an <si> or <is>: a <t>, runs, or both.
func (s *shape) richXML() string {
	var b strings.Builder
	switch s.n(5) {
	case 0, 1:
		fmt.Fprintf(&b, "<t>%s</t>", s.text())
	case 2:
		fmt.Fprintf(&b, `<t xml:space="preserve">%s</t>%s<t>%s</t>`, s.text(), s.comment(), s.text())
	case 3:
		for range 1 + s.n(3) {
			fmt.Fprintf(&b, `<r><rPr><b val="%s"/><sz val="11"/></rPr><t>%s</t></r>`, []string{"1", "0", "true", ""}[s.n(4)], s.text())
		}
	case 4:
		fmt.Fprintf(&b, `<t>%s</t><r><t>%s</t></r><rPh sb="0" eb="1"><t>x</t></rPh>`, s.text(), s.text())
	}
	return b.String()
}

// column names column c (1-based).
func column(c int) string {
	name := ""
	for ; c > 0; c = (c - 1) / 26 {
		name = string(rune('A'+(c-1)%26)) + name
	}
	return name
}

// structuredBook builds a workbook from the shape.
func structuredBook(t testing.TB, s *shape) []byte {
	sheets, sst, date1904 := structuredParts(s)
	return packageBook(t, sheets, sst, date1904)
}

// structuredParts draws a workbook's worksheets, shared string table and
// workbookPr attributes from the shape.
func structuredParts(s *shape) (sheets []string, sst string, date1904 string) {
	nsst := s.n(6)
	var sstb strings.Builder
	sstb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	for range nsst {
		fmt.Fprintf(&sstb, "<si>%s</si>%s", s.richXML(), s.comment())
	}
	sstb.WriteString("</sst>")
	nsheets := 1 + s.n(3)
	for range nsheets {
		var ws strings.Builder
		ws.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
		if s.n(3) == 0 {
			ws.WriteString(`<sheetPr><outlinePr summaryBelow="0"/></sheetPr><dimension ref="A1:C3"/>`)
		}
		ws.WriteString("<sheetData>")
		row := 0
		for range s.n(8) {
			switch s.n(64) {
			case 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16:
				row++
				ws.WriteString("<row>")
			case 17:
				row -= s.n(3)
				fmt.Fprintf(&ws, `<row r="%d">`, row)
			default:
				row += 1 + s.n(3)
				fmt.Fprintf(&ws, `<row r="%d" spans="1:3">`, row)
			}
			col := 0
			for range s.n(7) {
				ws.WriteString(s.comment())
				ref := ""
				switch s.n(64) {
				case 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20:
					col++
				case 21:
					col -= s.n(2)
					ref = fmt.Sprintf(` r="%s%d"`, column(max(col, 1)), max(row, 1))
				default:
					col += 1 + s.n(4)
					ref = fmt.Sprintf(` r="%s%d"`, column(col), max(row, 1))
				}
				style := []string{"", ` s="1"`}[s.n(2)]
				if s.n(64) == 0 {
					style = ` s="x"`
				}
				switch s.n(10) {
				case 0:
					fmt.Fprintf(&ws, `<c%s%s t="s"><v>%d</v></c>`, ref, style, s.n(nsst)+nsst*(s.n(64)/63)-1+min(nsst, 1))
				case 1:
					fmt.Fprintf(&ws, `<c%s%s t="inlineStr"><is>%s</is></c>`, ref, style, s.richXML())
				case 2:
					fmt.Fprintf(&ws, `<c%s%s t="b"><v>%d</v></c>`, ref, style, s.n(2))
				case 3:
					fmt.Fprintf(&ws, `<c%s t="e"><v>#DIV/0!</v></c>`, ref)
				case 4:
					fmt.Fprintf(&ws, `<c%s t="str"><f>A1&amp;"x"</f><v>%s</v></c>`, ref, s.text())
				case 5:
					fmt.Fprintf(&ws, `<c%s%s/>`, ref, style)
				case 6:
					fmt.Fprintf(&ws, `<c%s><f t="shared" si="%s" ref="A1:A2">1+1</f><v>2</v></c>`, ref, []string{"0", "x"}[s.n(64)/63])
				case 7:
					fmt.Fprintf(&ws, `<c%s t="%s"><v>%s</v><extLst><ext uri="u"/></extLst></c>`, ref, []string{"n", "d", "S", "", "inlineStr"}[s.n(5)], s.text())
				default:
					fmt.Fprintf(&ws, `<c%s%s><v>%s</v></c>`, ref, style, s.text())
				}
			}
			if s.n(5) == 0 {
				ws.WriteString(`<extLst><ext uri="x"><y/></ext></extLst>`)
			}
			ws.WriteString("</row>")
		}
		ws.WriteString("</sheetData>")
		if s.n(3) == 0 {
			ws.WriteString(`<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>`)
		}
		ws.WriteString(s.comment() + "</worksheet>")
		sheets = append(sheets, ws.String())
	}
	date1904 = []string{"", ` date1904="1"`, ` date1904="false"`}[s.n(3)]
	return sheets, sstb.String(), date1904
}

// packageBook zips worksheets (named Sheet1, Sheet2, ...), a shared
// string table ("" for none) and a workbook with the given workbookPr
// attributes, as the smallest workbook Excel opens.
func packageBook(t testing.TB, sheets []string, sst, wbPr string) []byte {
	var types, wbSheets, wbRels strings.Builder
	for i := range sheets {
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
		fmt.Fprintf(&wbSheets, `<sheet name="Sheet%d" sheetId="%d" r:id="rId%d"/>`, i+1, i+1, i+1)
		fmt.Fprintf(&wbRels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
	}
	if sst != "" {
		fmt.Fprintf(&wbRels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`, len(sheets)+1)
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` + types.String() + `</Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<workbookPr` + wbPr + `/><sheets>` + wbSheets.String() + `</sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + wbRels.String() + `</Relationships>`},
	}
	for i, body := range sheets {
		parts = append(parts, struct{ name, body string }{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), body})
	}
	if sst != "" {
		parts = append(parts, struct{ name, body string }{"xl/sharedStrings.xml", sst})
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		must(t, err)
		_, err = w.Write([]byte(p.body))
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

// FuzzXLSXStructure builds a workbook from the fuzz input and compares
// the two readers on it.
func FuzzXLSXStructure(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 1, 2, 2, 2, 1, 7, 2, 5, 9, 9, 0, 3, 1, 1, 4, 2, 2, 2, 8, 8, 1, 2, 3})
	f.Add(bytes.Repeat([]byte{5, 2, 7, 3, 1, 9}, 30))
	f.Add(bytes.Repeat([]byte{1, 4, 2, 6, 0, 3, 8}, 40))
	f.Fuzz(func(t *testing.T, params []byte) {
		if len(params) > 4096 {
			t.Skip()
		}
		compareReaders(t, structuredBook(t, &shape{b: params}), false)
	})
}

// TestStructureAgree runs the structural shapes of a fixed set of inputs
// through both readers and checks that most are read by both (so the
// fuzz target compares values, not only refusals).
func TestStructureAgree(t *testing.T) {
	t.Parallel()
	both := 0
	const n = 300
	for i := range n {
		params := make([]byte, 200)
		x := uint32(i*2654435761 + 1)
		for j := range params {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			params[j] = byte(x)
		}
		if compareReaders(t, structuredBook(t, &shape{b: params}), false) {
			both++
		}
	}
	if both < n/10 {
		t.Errorf("both readers read only %d of %d shapes", both, n)
	}
	t.Logf("both readers read %d of %d shapes", both, n)
}
