package transform

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestReportGolden judges each file in testdata and compares its text
// report with testdata/golden/<name>.txt.
func TestReportGolden(t *testing.T) {
	s := loadTestSchema(t)
	for _, tt := range []struct {
		file string
		opt  func(*Options)
	}{
		{"mixed.csv", func(o *Options) { o.MaxRowErrorRate = 0.9 }},
		{"mixed.csv", func(o *Options) { o.MaxRowErrorRate = 0.05 }},
		{"extra-column.csv", nil},
	} {
		golden := strings.TrimSuffix(tt.file, ".csv")
		if tt.opt != nil {
			o := testOptions()
			tt.opt(&o)
			if o.MaxRowErrorRate < 0.5 {
				golden += "-strict"
			}
		}
		t.Run(golden, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			opt := testOptions()
			if tt.opt != nil {
				tt.opt(&opt)
			}
			res, err := Judge(context.Background(), s, testPseudonymiser(t), tt.file, bytes.NewReader(in), opt, func(Row) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := res.WriteText(&got); err != nil {
				t.Fatal(err)
			}
			for _, ref := range []string{"BAS-0001", "BAS-0004", "QQ123456C"} {
				if strings.Contains(got.String(), ref) {
					t.Errorf("report holds the cell value %s", ref)
				}
			}
			path := filepath.Join("testdata", "golden", golden+".txt")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("report differs from %s (run go test -update and review the diff):\n%s", path, got.String())
			}
		})
	}
}

func TestReportCaps(t *testing.T) {
	res := &Result{File: "f.csv", Verdict: Rejected, Rows: Counts{Read: 400, Rejected: 400}, ErrorsTotal: 400}
	for i := range 100 {
		res.Errors = append(res.Errors, Issue{Row: i + 2, Field: "reasonloss", Rule: RuleConstraintError, Message: "bad"})
	}
	var b bytes.Buffer
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "... and 75 more") || !strings.Contains(out, "... and 300 more problems not listed") ||
		strings.Count(out, "\n    row ") != reportRowsPerRule {
		t.Fatalf("caps wrong:\n%s", out)
	}
}

// A district's file name reaches the report escaped, so showing the
// report in a terminal cannot run the name's control sequences.
func TestReportEscapesFileName(t *testing.T) {
	t.Parallel()
	res := &Result{File: "q4\x1b[2J\u202e\u0085\nvsc.csv", Verdict: Accepted, Rows: Counts{Read: 1, Accepted: 1}}
	var b bytes.Buffer
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	first, _, _ := strings.Cut(out, "\n")
	if first != `File:     q4\x1b[2J\u202e\u0085\x0avsc.csv` {
		t.Errorf("first line = %q", first)
	}
	for _, c := range []string{"\x1b", "\u202e", "\u0085"} {
		if strings.Contains(out, c) {
			t.Errorf("report holds a raw %q:\n%s", c, out)
		}
	}
}
