package table

import (
	"context"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// hasLabels is an IsHeader that wants the labels case_ref and la_code.
func hasLabels(cells []string) bool {
	return slices.Contains(cells, "case_ref") && slices.Contains(cells, "la_code")
}

// readAll reads t to the end, copying each record.
func readAll(t Table) ([]Record, error) {
	var out []Record
	for {
		rec, err := t.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, Record{Row: rec.Row, Cells: slices.Clone(rec.Cells)})
	}
}

func TestReadCSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		Name     string
		Input    string
		Encoding string
		IsHeader func([]string) bool
		Header   Record
		Want     []Record
		// Err is the exact error from Open (OpenErr) or from Next.
		OpenErr *FileError
		Err     *FileError
	}{{
		Name:   "Simple",
		Input:  "case_ref,la_code\nA1,E07000066\nA2,E07000067\n",
		Header: Record{1, []string{"case_ref", "la_code"}},
		Want:   []Record{{2, []string{"A1", "E07000066"}}, {3, []string{"A2", "E07000067"}}},
	}, {
		Name:   "NoFinalNewline",
		Input:  "a,b\n1,2",
		Header: Record{1, []string{"a", "b"}},
		Want:   []Record{{2, []string{"1", "2"}}},
	}, {
		Name:   "BOM",
		Input:  "\xEF\xBB\xBFcase_ref,la_code\nA1,E07000066\n",
		Header: Record{1, []string{"case_ref", "la_code"}},
		Want:   []Record{{2, []string{"A1", "E07000066"}}},
	}, {
		Name:   "UTF8",
		Input:  "name,amount\nZoë,£5\n",
		Header: Record{1, []string{"name", "amount"}},
		Want:   []Record{{2, []string{"Zoë", "£5"}}},
	}, {
		Name:   "Windows1252Detected",
		Input:  "name,amount\nZo\xEB,\xA35\ncaf\xE9,\x80\n",
		Header: Record{1, []string{"name", "amount"}},
		Want:   []Record{{2, []string{"Zoë", "£5"}}, {3, []string{"café", "€"}}},
	}, {
		Name:     "Windows1252Pinned",
		Input:    "name\ncaf\xE9\n",
		Encoding: "windows-1252",
		Header:   Record{1, []string{"name"}},
		Want:     []Record{{2, []string{"café"}}},
	}, {
		Name:     "Windows1252PinnedReadsUTF8AsMojibake",
		Input:    "name\ncafé\n",
		Encoding: "Windows-1252",
		Header:   Record{1, []string{"name"}},
		Want:     []Record{{2, []string{"cafÃ©"}}},
	}, {
		Name:     "UTF8PinnedInvalid",
		Input:    "name\nok\n\ncaf\xE9\nlater\n",
		Encoding: "utf-8",
		Header:   Record{1, []string{"name"}},
		Want:     []Record{{2, []string{"ok"}}},
		Err:      &FileError{Rule: RuleEncodingError, Row: 4},
	}, {
		Name:     "UTF8PinnedInvalidHeader",
		Input:    "n\xE9m\nok\n",
		Encoding: "utf-8",
		OpenErr:  &FileError{Rule: RuleEncodingError, Row: 1},
	}, {
		Name:     "UnknownEncoding",
		Input:    "a\n1\n",
		Encoding: "latin-9",
		OpenErr:  &FileError{Rule: RuleEncodingError},
	}, {
		Name:   "Semicolon",
		Input:  "case_ref;la_code;notes\nA1;E07000066;\"a, b\"\n",
		Header: Record{1, []string{"case_ref", "la_code", "notes"}},
		Want:   []Record{{2, []string{"A1", "E07000066", "a, b"}}},
	}, {
		Name:   "Tab",
		Input:  "case_ref\tla_code\tnotes\nA1\tE07000066\ta, b; c\n",
		Header: Record{1, []string{"case_ref", "la_code", "notes"}},
		Want:   []Record{{2, []string{"A1", "E07000066", "a, b; c"}}},
	}, {
		Name:   "CRLF",
		Input:  "a,b\r\n1,2\r\n3,4\r\n",
		Header: Record{1, []string{"a", "b"}},
		Want:   []Record{{2, []string{"1", "2"}}, {3, []string{"3", "4"}}},
	}, {
		Name:   "QuotedNewlines",
		Input:  "a,b\n1,\"two\nlines\"\n2,\"three\r\nlong\nlines\"\n3,x\n",
		Header: Record{1, []string{"a", "b"}},
		Want: []Record{
			{2, []string{"1", "two\nlines"}},
			{3, []string{"2", "three\nlong\nlines"}},
			{4, []string{"3", "x"}},
		},
	}, {
		Name:   "QuotedNewlineInMiddleField",
		Input:  "a,b,c\n\"x\ny\",2,3\n4,5,6\n",
		Header: Record{1, []string{"a", "b", "c"}},
		Want:   []Record{{2, []string{"x\ny", "2", "3"}}, {3, []string{"4", "5", "6"}}},
	}, {
		Name:   "QuotedBlankLine",
		Input:  "a,b\n1,\"x\n\ny\"\n2,z\n",
		Header: Record{1, []string{"a", "b"}},
		Want:   []Record{{2, []string{"1", "x\n\ny"}}, {3, []string{"2", "z"}}},
	}, {
		Name:   "BlankLinesInMiddle",
		Input:  "a,b\n1,2\n\n\n3,4\n,,\n5,6\n",
		Header: Record{1, []string{"a", "b"}},
		Want:   []Record{{2, []string{"1", "2"}}, {5, []string{"3", "4"}}, {7, []string{"5", "6"}}},
	}, {
		Name:   "BlankLinesAfterQuotedNewline",
		Input:  "a,b\n1,\"x\ny\"\n\n2,z\n",
		Header: Record{1, []string{"a", "b"}},
		Want:   []Record{{2, []string{"1", "x\ny"}}, {4, []string{"2", "z"}}},
	}, {
		Name:   "TrailingBlankLines",
		Input:  "a,b\n1,2\n\n\r\n,\n\n",
		Header: Record{1, []string{"a", "b"}},
		Want:   []Record{{2, []string{"1", "2"}}},
	}, {
		Name:   "TrailingBlankCells",
		Input:  "a,b,,\n1,,,\n1,2,3, \n",
		Header: Record{1, []string{"a", "b"}},
		Want:   []Record{{2, []string{"1"}}, {3, []string{"1", "2", "3"}}},
	}, {
		Name:     "TitleRows",
		Input:    "Homelessness cases Q1 2025,,\nExported 01/04/2025,,\n\ncase_ref,la_code,reasonloss\nA1,E07000066,7\n",
		IsHeader: hasLabels,
		Header:   Record{4, []string{"case_ref", "la_code", "reasonloss"}},
		Want:     []Record{{5, []string{"A1", "E07000066", "7"}}},
	}, {
		Name:     "TitleRowsSemicolon",
		Input:    "Homelessness cases; Q1\ncase_ref;la_code;reasonloss;notes\nA1;E07000066;7;x\n",
		IsHeader: hasLabels,
		Header:   Record{2, []string{"case_ref", "la_code", "reasonloss", "notes"}},
		Want:     []Record{{3, []string{"A1", "E07000066", "7", "x"}}},
	}, {
		Name:     "NoHeaderFound",
		Input:    "\nfoo,bar\n1,2\n",
		IsHeader: hasLabels,
		Header:   Record{2, []string{"foo", "bar"}},
		Want:     []Record{{3, []string{"1", "2"}}},
	}, {
		Name:   "LeadingBlankLines",
		Input:  "\n\na,b\n1,2\n",
		Header: Record{3, []string{"a", "b"}},
		Want:   []Record{{4, []string{"1", "2"}}},
	}, {
		Name:   "LeadingZerosKept",
		Input:  "id,n\n00123,0.50\n",
		Header: Record{1, []string{"id", "n"}},
		Want:   []Record{{2, []string{"00123", "0.50"}}},
	}, {
		Name:   "BareQuote",
		Input:  "a,b\n1,2\n\n3,x\"y\n4,5\n",
		Header: Record{1, []string{"a", "b"}},
		Want:   []Record{{2, []string{"1", "2"}}},
		Err:    &FileError{Rule: RuleFormatError, Row: 4},
	}, {
		Name:   "BareQuoteAfterQuotedNewline",
		Input:  "a,b\n1,\"x\ny\"\n3,x\"y\n",
		Header: Record{1, []string{"a", "b"}},
		Want:   []Record{{2, []string{"1", "x\ny"}}},
		Err:    &FileError{Rule: RuleFormatError, Row: 3},
	}, {
		Name:   "UnclosedQuote",
		Input:  "a,b\n1,\"open\n2,3\n",
		Header: Record{1, []string{"a", "b"}},
		Err:    &FileError{Rule: RuleFormatError, Row: 2},
	}, {
		Name:    "Empty",
		Input:   "",
		OpenErr: &FileError{Rule: RuleEmptyFile},
	}, {
		Name:    "OnlyBlank",
		Input:   "\n\n,,\n\r\n",
		OpenErr: &FileError{Rule: RuleEmptyFile},
	}, {
		Name:    "OnlyBOM",
		Input:   "\xEF\xBB\xBF",
		OpenErr: &FileError{Rule: RuleEmptyFile},
	}, {
		Name:   "HeaderOnly",
		Input:  "case_ref,la_code\r\n",
		Header: Record{1, []string{"case_ref", "la_code"}},
	}, {
		Name:    "ReallyZip",
		Input:   "PK\x03\x04\x14\x00\x00\x00rest",
		OpenErr: &FileError{Rule: RuleFormatError},
	}, {
		Name:    "ReallyXLS",
		Input:   "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00",
		OpenErr: &FileError{Rule: RuleFormatError},
	}, {
		Name:    "ReallyPDF",
		Input:   "%PDF-1.7\n",
		OpenErr: &FileError{Rule: RuleFormatError},
	}, {
		Name:    "Binary",
		Input:   "a,b\n1,\x00\n",
		OpenErr: &FileError{Rule: RuleFormatError},
	}, {
		Name:    "UTF16",
		Input:   "\xFF\xFEa\x00,\x00b\x00",
		OpenErr: &FileError{Rule: RuleFormatError},
	}}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			tab, err := Open(context.Background(), "cases.csv", strings.NewReader(tt.Input),
				ReadOptions{Encoding: tt.Encoding, IsHeader: tt.IsHeader})
			if tt.OpenErr != nil {
				checkFileErr(t, err, tt.OpenErr)
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer tab.Close()
			if tab.Format() != "csv" {
				t.Errorf("Format() = %q", tab.Format())
			}
			if got := tab.Header(); !reflect.DeepEqual(got, tt.Header) {
				t.Errorf("Header() = %+v, want %+v", got, tt.Header)
			}
			got, err := readAll(tab)
			if !reflect.DeepEqual(got, tt.Want) {
				t.Errorf("records:\n got %+v\nwant %+v", got, tt.Want)
			}
			if tt.Err == nil {
				if err != nil {
					t.Fatalf("Next: %v", err)
				}
				return
			}
			checkFileErr(t, err, tt.Err)
			// The error sticks.
			if _, err2 := tab.Next(); err2 != err {
				t.Errorf("second Next = %v, want the same error", err2)
			}
		})
	}
}

// checkFileErr checks err is a *FileError with want's Rule and Row, whose
// message names the accepted formats when it is a format-error raised
// before any row.
func checkFileErr(t *testing.T, err error, want *FileError) {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v (%T), want *FileError %s row %d", err, err, want.Rule, want.Row)
	}
	if fe.Rule != want.Rule || fe.Row != want.Row {
		t.Fatalf("error = %s row %d (%q), want %s row %d", fe.Rule, fe.Row, fe.Message, want.Rule, want.Row)
	}
	if fe.Message == "" {
		t.Errorf("error has no message")
	}
	if fe.Rule == RuleFormatError && fe.Row == 0 && !strings.Contains(fe.Message, Accepted) {
		t.Errorf("message %q does not name the accepted formats", fe.Message)
	}
}

func TestOpenExtensions(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"cases.xls", "cases.ods", "cases.zip", "cases.txt", "cases", "cases.xlsm", `dir\cases.tsv`} {
		_, err := Open(context.Background(), name, strings.NewReader("a,b\n1,2\n"), ReadOptions{})
		checkFileErr(t, err, &FileError{Rule: RuleFormatError})
	}
	for _, name := range []string{"CASES.CSV", "in/q1.Csv"} {
		tab, err := Open(context.Background(), name, strings.NewReader("a,b\n1,2\n"), ReadOptions{})
		if err != nil {
			t.Fatalf("Open(%q): %v", name, err)
		}
		tab.Close()
	}
}

func TestCSVLongPrefixWindows1252(t *testing.T) {
	t.Parallel()
	// The first non-UTF-8 byte is beyond the sniffed prefix: detection
	// chose UTF-8, so the row is reported, never mangled.
	var b strings.Builder
	b.WriteString("name\n")
	for b.Len() < sniffBytes+100 {
		b.WriteString("plain ascii\n")
	}
	rowOfBad := strings.Count(b.String(), "\n") + 1
	b.WriteString("caf\xE9\n")
	tab, err := Open(context.Background(), "x.csv", strings.NewReader(b.String()), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	_, err = readAll(tab)
	checkFileErr(t, err, &FileError{Rule: RuleEncodingError, Row: rowOfBad})
}

func TestCSVPrefixCutsRune(t *testing.T) {
	t.Parallel()
	// A multi-byte rune straddling the end of the sniffed prefix is still
	// UTF-8.
	var b strings.Builder
	b.WriteString("name\n")
	for b.Len() < sniffBytes-1 {
		b.WriteString("x")
	}
	b.WriteString("é\n")
	tab, err := Open(context.Background(), "x.csv", strings.NewReader(b.String()), ReadOptions{Limits: Limits{MaxCellBytes: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	recs, err := readAll(tab)
	if err != nil || len(recs) != 1 || !strings.HasSuffix(recs[0].Cells[0], "xé") {
		t.Fatalf("got %d records, err %v", len(recs), err)
	}
}

func TestCSVContextCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	input := "a\n" + strings.Repeat("1\n", 3*ctxEvery)
	tab, err := Open(ctx, "x.csv", strings.NewReader(input), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	cancel()
	_, err = readAll(tab)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := Open(ctx, "x.csv", strings.NewReader(input), ReadOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Open err = %v, want context.Canceled", err)
	}
}

func TestCSVErrorsHoldNoCellValues(t *testing.T) {
	t.Parallel()
	const secret = "SECRETVALUE"
	for _, in := range []string{
		"a,b\n" + secret + ",x\"" + secret + "\n",
		"a\n" + secret + "\xE9\n",
	} {
		tab, err := Open(context.Background(), "x.csv", strings.NewReader(in), ReadOptions{Encoding: "utf-8"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = readAll(tab)
		tab.Close()
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("error %v is nil or holds a cell value", err)
		}
	}
}

func TestExcelDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		date1904 bool
		want     string
		ok       bool
	}{
		{"46085.21258101852", false, "2026-03-04", true},
		{"46085", false, "2026-03-04", true},
		{"45657.99999999", false, "2024-12-31", true},
		{"1", false, "1900-01-01", true},
		{"59", false, "1900-02-28", true},
		{"61", false, "1900-03-01", true},
		{"0", true, "1904-01-01", true},
		{"44623", true, "2026-03-04", true},
		{"0", false, "", false},
		{"-3", false, "", false},
		{"abc", false, "", false},
		{"NaN", false, "", false},
		{"1e300", false, "", false},
	}
	for _, tt := range tests {
		got, ok := ExcelDate(tt.in, tt.date1904)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ExcelDate(%q, %v) = %q, %v; want %q, %v", tt.in, tt.date1904, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCSVRecordTooLong(t *testing.T) {
	t.Parallel()
	// An unclosed quote would make encoding/csv read the rest of the
	// file as one record: it stops at MaxRecordBytes.
	input := io.MultiReader(strings.NewReader("a,b\n1,2\n3,\"open"), strings.NewReader(strings.Repeat("x", MaxRecordBytes+3*sniffBytes)))
	tab, err := Open(context.Background(), "x.csv", input, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	recs, err := readAll(tab)
	checkFileErr(t, err, &FileError{Rule: RuleFormatError, Row: 3})
	if len(recs) != 1 {
		t.Errorf("%d records before the error", len(recs))
	}
	// A long record under the cap is fine, when cells may be that long.
	long := strings.Repeat("y", 4<<20)
	tab2, err := Open(context.Background(), "x.csv", strings.NewReader("a\n"+long+"\n"+long+"\n"), ReadOptions{Limits: Limits{MaxCellBytes: 8 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	defer tab2.Close()
	if recs, err := readAll(tab2); err != nil || len(recs) != 2 {
		t.Fatalf("%d records, err %v", len(recs), err)
	}
}
