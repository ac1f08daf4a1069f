package table

import (
	"archive/zip"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var (
	update   = flag.Bool("update", false, "rewrite testdata/*.golden from what the readers return")
	fixtures = flag.Bool("fixtures", false, "rewrite the synthetic input files in testdata/")
)

// TestGolden reads every fixture in testdata/ and compares what the
// reader returns with its .golden file.
func TestGolden(t *testing.T) {
	t.Parallel()
	if *fixtures {
		writeFixtures(t)
	}
	inputs, err := filepath.Glob("testdata/*.*sv")
	must(t, err)
	more, err := filepath.Glob("testdata/*.xlsx")
	must(t, err)
	inputs = append(inputs, more...)
	if len(inputs) < 8 {
		t.Fatalf("only %d fixtures in testdata/", len(inputs))
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			got := describe(t, in)
			golden := strings.TrimSuffix(in, filepath.Ext(in)) + filepath.Ext(in) + ".golden"
			if *update {
				must(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			must(t, err)
			if got != string(want) {
				t.Errorf("%s differs from %s:\n got:\n%s\nwant:\n%s", in, golden, got, want)
			}
		})
	}
}

// describe reads the file and prints what the reader saw.
func describe(t *testing.T, path string) string {
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	var b strings.Builder
	tab, err := Open(context.Background(), filepath.Base(path), f, ReadOptions{IsHeader: hasLabels, TempDir: t.TempDir()})
	if err != nil {
		fmt.Fprintf(&b, "open error: %v\n", err)
		return b.String()
	}
	defer tab.Close()
	fmt.Fprintf(&b, "format %s sheet %q date1904 %v\n", tab.Format(), Sheet(tab), Date1904(tab))
	fmt.Fprintf(&b, "header %d %q\n", tab.Header().Row, tab.Header().Cells)
	for {
		rec, err := tab.Next()
		if err == io.EOF {
			b.WriteString("EOF\n")
			break
		}
		if err != nil {
			fmt.Fprintf(&b, "error: %v (row %d)\n", err, rowOf(err))
			break
		}
		fmt.Fprintf(&b, "row %d %q\n", rec.Row, rec.Cells)
	}
	return b.String()
}

func rowOf(err error) int {
	if fe, ok := err.(*FileError); ok {
		return fe.Row
	}
	return -1
}

// writeFixtures writes small synthetic files shaped like what each
// producer writes. All data is made up.
func writeFixtures(t *testing.T) {
	files := map[string]string{
		// Excel "CSV UTF-8 (Comma delimited)": BOM, CRLF, quotes only where needed.
		"excel-utf8-bom.csv": "\xEF\xBB\xBFcase_ref,la_code,app_date,reasonloss,notes\r\n" +
			"C0001,E07000066,03/04/2025,7,\"Moved to refuge, Zoë's referral\"\r\n" +
			"C0002,E07000066,01/05/2025,2,\r\n" +
			",,,,\r\n" +
			"C0003,E07000067,30/06/2025,7,£0 income\r\n",
		// Excel "CSV (Comma delimited)" on a UK Windows PC: Windows-1252.
		"excel-windows1252.csv": "case_ref,la_code,app_date,reasonloss,notes\r\n" +
			"C0001,E07000069,03/04/2025,7,rent arrears \xA3120\r\n" +
			"C0002,E07000069,01/05/2025,7,\"caf\xE9 worker, \x93support\x94\"\r\n",
		// Excel in a European locale: semicolons.
		"excel-semicolon.csv": "case_ref;la_code;age;notes\r\n" +
			"C0001;E07000070;34;\"1,5 rooms\"\r\n" +
			"C0002;E07000070;29;\r\n",
		// A case-management export: title rows, blank lines, LF.
		"export-title-rows.csv": "Homelessness cases - Quarter 1 2025,,,\n" +
			"Produced 01/07/2025 by the housing options team,,,\n" +
			"\n" +
			"case_ref,la_code,age,notes\n" +
			"C0001,E07000071,34,\"line one\nline two\"\n" +
			"\n" +
			"C0002,E07000071,41,\n" +
			"\n\n",
		// A tab-separated export saved as .csv.
		"tab-separated.csv": "case_ref\tla_code\tage\n" +
			"C0001\tE07000072\t34\n" +
			"C0002\tE07000072\t\n",
		// LibreOffice with "quote all text cells".
		"libreoffice-quoted.csv": "\"case_ref\",\"la_code\",\"notes\"\n" +
			"\"C0001\",\"E07000073\",\"said \"\"no\"\"\"\n" +
			"\"C0002\",\"E07000073\",\"a\n\nb\"\n" +
			"\"C0003\",\"E07000073\",\"\"\n",
		// A hand-edited file with a stray quote half way down.
		"bare-quote.csv": "case_ref,la_code,notes\n" +
			"C0001,E07000074,ok\n" +
			"C0002,E07000074,5\" tall\n" +
			"C0003,E07000074,never read\n",
	}
	for name, body := range files {
		must(t, os.WriteFile(filepath.Join("testdata", name), []byte(body), 0o644))
	}
	must(t, os.WriteFile("testdata/excelize-shared-strings.xlsx", casesBook(t), 0o644))
	must(t, os.WriteFile("testdata/excelize-stream.xlsx", workbook(t, func(f *excelize.File) {
		sw, err := f.NewStreamWriter("Sheet1")
		must(t, err)
		dateFmt := "yyyy-mm-dd"
		date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
		must(t, err)
		must(t, sw.SetRow("A1", []any{"case_ref", "la_code", "app_date", "age"}))
		must(t, sw.SetRow("A2", []any{"00042", "E07000075", excelize.Cell{StyleID: date, Value: time.Date(2025, 4, 3, 0, 0, 0, 0, time.UTC)}, 40}))
		must(t, sw.SetRow("A3", []any{"00043", "E07000075", excelize.Cell{StyleID: date, Value: time.Date(2025, 4, 4, 0, 0, 0, 0, time.UTC)}, 19}))
		must(t, sw.Flush())
	}), 0o644))
	// Some writers leave out the r attribute of rows and cells.
	must(t, os.WriteFile("testdata/minimal-no-refs.xlsx", minimalBook(t,
		`<row><c t="inlineStr"><is><t>case_ref</t></is></c><c t="inlineStr"><is><t>la_code</t></is></c></row>`+
			`<row><c t="inlineStr"><is><t>C0001</t></is></c><c><v>1</v></c></row>`+
			`<row></row>`+
			`<row><c t="inlineStr"><is><t>C0002</t></is></c><c t="b"><v>0</v></c></row>`), 0o644))
}

// minimalBook writes the smallest workbook Excel opens, with the given
// sheetData rows.
func minimalBook(t testing.TB, rows string) []byte {
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Export" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			rows + `</sheetData></worksheet>`},
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
