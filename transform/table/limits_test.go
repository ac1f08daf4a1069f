package table

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// This file feeds the readers the hostile files of a security review,
// made small here (the budgets stop each long before its end), and checks
// that each is rejected with the rule that names its limit, having read
// and allocated little. Nothing here is timed.

// streamedBook zips a workbook whose parts write streams: sheet1 (and the
// other parts, when given) are written straight into the deflate stream,
// so a file that unzips to many megabytes is built in little memory.
func streamedBook(t testing.TB, parts map[string]func(io.Writer)) []byte {
	t.Helper()
	base := map[string]func(io.Writer){
		"[Content_Types].xml": str(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>`),
		"_rels/.rels": str(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
		"xl/workbook.xml": str(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`),
		"xl/_rels/workbook.xml.rels": str(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`),
	}
	for name, w := range parts {
		base[name] = w
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"} {
		write, ok := base[name]
		if !ok {
			continue
		}
		w, err := zw.Create(name)
		must(t, err)
		write(w)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

func str(s string) func(io.Writer) {
	return func(w io.Writer) { io.WriteString(w, s) }
}

// repeat writes s n times.
func repeat(w io.Writer, s string, n int) {
	chunk := strings.Repeat(s, max(1, (64<<10)/len(s)))
	per := len(chunk) / len(s)
	for ; n >= per; n -= per {
		io.WriteString(w, chunk)
	}
	io.WriteString(w, strings.Repeat(s, n))
}

const (
	sheetHead = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`
	headerRow = `<row r="1"><c r="A1" t="inlineStr"><is><t>case_ref</t></is></c><c r="B1" t="inlineStr"><is><t>la_code</t></is></c></row>`
)

// sheet writes a worksheet: head, then body, then the end.
func sheet(body func(w io.Writer)) func(io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, sheetHead+"<sheetData>"+headerRow)
		body(w)
		io.WriteString(w, "</sheetData></worksheet>")
	}
}

// hostileRead reads b as Open does, to the end of the sheet, and returns
// the error, how many bytes it unzipped and how many it allocated.
func hostileRead(t *testing.T, b []byte, lim Limits) (unzipped, allocated uint64, err error) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	defer func() {
		runtime.ReadMemStats(&after)
		allocated = after.TotalAlloc - before.TotalAlloc
	}()
	ctx := context.Background()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	must(t, err)
	lim = lim.orDefault()
	book, err := openBook(ctx, zr, &lim)
	if err != nil {
		return 0, 0, err
	}
	defer func() { unzipped = uint64(book.unzipped) }()
	tab, err := openSheet(book, ReadOptions{Limits: lim})
	if err != nil {
		return 0, 0, err
	}
	defer tab.Close()
	_, err = readAll(tab)
	return 0, 0, err
}

func TestHostileXLSX(t *testing.T) {
	if testing.Short() {
		t.Skip("builds workbooks that unzip to tens of megabytes")
	}
	tests := []struct {
		name string
		book []byte
		lim  Limits
		rule string
		what string // in the message
	}{{
		// excelize counted every empty <c/> and made a slot for each.
		name: "SparseCellBomb",
		book: streamedBook(t, map[string]func(io.Writer){"xl/worksheets/sheet1.xml": sheet(func(w io.Writer) {
			io.WriteString(w, `<row r="2">`)
			repeat(w, `<c/>`, 10_000_000)
			io.WriteString(w, `<c><v>1</v></c></row>`)
		})}),
		rule: RuleLimitExceeded, what: "more than 16384 columns in a row",
	}, {
		name: "SparseCellsPerSheet",
		book: streamedBook(t, map[string]func(io.Writer){"xl/worksheets/sheet1.xml": sheet(func(w io.Writer) {
			for r := 2; r < 200; r++ {
				fmt.Fprintf(w, `<row r="%d"><c r="XFD%d"><v>1</v></c></row>`, r, r)
			}
		})}),
		lim:  Limits{MaxCells: 1_000_000},
		rule: RuleLimitExceeded, what: "more than 1000000 cells in the sheet",
	}, {
		name: "OneHugeCell",
		book: streamedBook(t, map[string]func(io.Writer){"xl/worksheets/sheet1.xml": sheet(func(w io.Writer) {
			io.WriteString(w, `<row r="2"><c t="inlineStr"><is><t>`)
			repeat(w, "x", 64<<20)
			io.WriteString(w, `</t></is></c></row>`)
		})}),
		rule: RuleLimitExceeded, what: "more than",
	}, {
		name: "CellJustOverBudget",
		book: streamedBook(t, map[string]func(io.Writer){"xl/worksheets/sheet1.xml": sheet(func(w io.Writer) {
			io.WriteString(w, `<row r="2"><c><v>`+strings.Repeat("7", 32<<10+1)+`</v></c></row>`)
		})}),
		rule: RuleLimitExceeded, what: "a cell of more than 32768 bytes",
	}, {
		name: "HugeComment",
		book: streamedBook(t, map[string]func(io.Writer){"xl/worksheets/sheet1.xml": sheet(func(w io.Writer) {
			io.WriteString(w, `<!--`)
			repeat(w, "c", 64<<20)
			io.WriteString(w, `-->`)
		})}),
		rule: RuleLimitExceeded, what: "more than",
	}, {
		name: "ManyComments",
		book: streamedBook(t, map[string]func(io.Writer){"xl/worksheets/sheet1.xml": sheet(func(w io.Writer) {
			repeat(w, `<!--`+strings.Repeat("c", 1000)+`-->`, 2000)
		})}),
		rule: RuleLimitExceeded, what: "more than 1048576 bytes of XML comments",
	}, {
		name: "EmptySharedStrings",
		book: streamedBook(t, map[string]func(io.Writer){
			"xl/sharedStrings.xml": func(w io.Writer) {
				io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
				repeat(w, `<si/>`, 25_000_000)
				io.WriteString(w, `</sst>`)
			},
			"xl/worksheets/sheet1.xml": sheet(func(io.Writer) {}),
		}),
		// The default (2,000,000) stops it the same way, after more work.
		lim:  Limits{MaxSharedStrings: 100_000},
		rule: RuleLimitExceeded, what: "more than 100000 shared strings",
	}, {
		name: "SharedStringBytes",
		book: streamedBook(t, map[string]func(io.Writer){
			"xl/sharedStrings.xml": func(w io.Writer) {
				io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
				repeat(w, `<si><t>`+strings.Repeat("s", 1000)+`</t></si>`, 2000)
				io.WriteString(w, `</sst>`)
			},
			"xl/worksheets/sheet1.xml": sheet(func(io.Writer) {}),
		}),
		lim:  Limits{MaxSharedStringBytes: 1 << 20},
		rule: RuleLimitExceeded, what: "more than 1048576 bytes of shared strings",
	}, {
		name: "ManySheets",
		book: streamedBook(t, map[string]func(io.Writer){
			"xl/workbook.xml": func(w io.Writer) {
				io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`)
				for i := range 200_000 {
					fmt.Fprintf(w, `<sheet name="S%d" sheetId="%d" r:id="rId1"/>`, i, i+1)
				}
				io.WriteString(w, `</sheets></workbook>`)
			},
			"xl/worksheets/sheet1.xml": sheet(func(io.Writer) {}),
		}),
		rule: RuleLimitExceeded, what: "more than 1024 sheets",
	}, {
		name: "DeepXML",
		book: streamedBook(t, map[string]func(io.Writer){"xl/worksheets/sheet1.xml": sheet(func(w io.Writer) {
			repeat(w, `<x>`, 100_000)
		})}),
		rule: RuleLimitExceeded, what: "XML nested more than 64 deep",
	}, {
		name: "HeaderBytes",
		book: streamedBook(t, map[string]func(io.Writer){"xl/worksheets/sheet1.xml": func(w io.Writer) {
			io.WriteString(w, sheetHead+`<sheetData><row r="1">`)
			repeat(w, `<c t="inlineStr"><is><t>`+strings.Repeat("h", 100)+`</t></is></c>`, 1000)
			io.WriteString(w, `</row></sheetData></worksheet>`)
		}}),
		rule: RuleLimitExceeded, what: "a header row of more than 65536 bytes",
	}, {
		// excelize took an XML error for the end of the sheet.
		name: "BrokenMidSheet",
		book: streamedBook(t, map[string]func(io.Writer){"xl/worksheets/sheet1.xml": func(w io.Writer) {
			io.WriteString(w, sheetHead+"<sheetData>"+headerRow)
			for r := 2; r <= 201; r++ {
				if r == 11 {
					io.WriteString(w, `<row r="11"><c r="A11"><v>1</v></row>`)
					continue
				}
				fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>C%d</t></is></c></row>`, r, r, r)
			}
			io.WriteString(w, "</sheetData></worksheet>")
		}}),
		rule: RuleFormatError, what: "could not be read to the end",
	}, {
		name: "TruncatedPart",
		book: streamedBook(t, map[string]func(io.Writer){"xl/worksheets/sheet1.xml": func(w io.Writer) {
			io.WriteString(w, sheetHead+"<sheetData>"+headerRow)
			repeat(w, `<row><c t="inlineStr"><is><t>C1</t></is></c></row>`, 100)
		}}),
		rule: RuleFormatError, what: "could not be read to the end",
	}, {
		name: "Doctype",
		book: streamedBook(t, map[string]func(io.Writer){"xl/worksheets/sheet1.xml": func(w io.Writer) {
			io.WriteString(w, `<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaa">]><worksheet><sheetData>`+headerRow+`</sheetData></worksheet>`)
		}}),
		rule: RuleFormatError, what: "could not be read",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.book) > 2<<20 {
				t.Fatalf("the test file is %d bytes", len(tt.book))
			}
			unzipped, allocated, err := hostileRead(t, tt.book, tt.lim)
			fe := checkRule(t, err, tt.rule)
			if !strings.Contains(fe.Message, tt.what) {
				t.Errorf("message %q does not say %q", fe.Message, tt.what)
			}
			// The budgets stop reading early: a few MiB unzipped and
			// allocated at most, where the files unzip to tens of MiB.
			if unzipped > 16<<20 {
				t.Errorf("unzipped %d bytes", unzipped)
			}
			if allocated > 160<<20 {
				t.Errorf("allocated %d bytes", allocated)
			}
			t.Logf("%s: %d bytes zipped, %d unzipped, %d allocated: %s", tt.name, len(tt.book), unzipped, allocated, fe.Message)
		})
	}
}

func TestHostileCSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input io.Reader
		lim   Limits
		what  string
	}{
		{"BlankHeader", strings.NewReader(strings.Repeat(",", 200_000) + "x\n1\n"), Limits{}, "more than 16384 columns in a row"},
		{"UnknownNamesHeader", strings.NewReader(strings.Repeat("nameofanunknownfield,", 10000) + "\n1\n"), Limits{}, "a header row of more than 65536 bytes"},
		{"HugeCell", strings.NewReader("a,b\n1," + strings.Repeat("x", 100<<10) + "\n"), Limits{}, "a cell of more than 32768 bytes"},
		{"FileSize", io.MultiReader(strings.NewReader("a,b\n"), strings.NewReader(strings.Repeat("1,2\n", 64<<10))), Limits{MaxFileBytes: 128 << 10}, "a CSV file of more than 131072 bytes"},
		{"Rows", strings.NewReader("a,b\n" + strings.Repeat("1,2\n", 2000)), Limits{MaxRows: 1000}, "more than 1000 rows"},
		{"Cells", strings.NewReader("a,b\n" + strings.Repeat("1,2\n", 2000)), Limits{MaxCells: 1000}, "more than 1000 cells in the file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := Open(context.Background(), "h.csv", tt.input, ReadOptions{Limits: tt.lim})
			if err == nil {
				_, err = readAll(tab)
				tab.Close()
			}
			fe := checkRule(t, err, RuleLimitExceeded)
			if !strings.Contains(fe.Message, tt.what) {
				t.Errorf("message %q does not say %q", fe.Message, tt.what)
			}
		})
	}
}

// TestLimitsDefaultsFit checks that the defaults read what they are meant
// to: a wide, long sheet within every budget.
func TestLimitsDefaultsFit(t *testing.T) {
	t.Parallel()
	b := streamedBook(t, map[string]func(io.Writer){"xl/worksheets/sheet1.xml": sheet(func(w io.Writer) {
		for r := 2; r <= 500; r++ {
			fmt.Fprintf(w, `<row r="%d">`, r)
			for c := 1; c <= 60; c++ {
				fmt.Fprintf(w, `<c><v>%d</v></c>`, c)
			}
			io.WriteString(w, `</row>`)
		}
	})})
	_, _, err := hostileRead(t, b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
}
