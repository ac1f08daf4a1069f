package transform

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzJudge judges arbitrary CSV bytes: it must never panic, every issue
// must name a rule and carry a message, and the counts must add up.
func FuzzJudge(f *testing.F) {
	for _, name := range []string{"mixed.csv", "extra-column.csv"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(hdr + "\nE07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female\n"))
	f.Add([]byte("\xEF\xBB\xBF" + strings.ReplaceAll(hdr, ",", ";") + "\n;;;\n"))
	f.Add([]byte(hdr + "\n\"unterminated"))
	s := loadTestSchema(f)
	p := testPseudonymiser(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		opt := testOptions()
		emitted := 0
		res, err := Judge(context.Background(), s, p, "fuzz.csv", bytes.NewReader(data), opt, func(Row) error { emitted++; return nil })
		if err != nil {
			t.Fatalf("infrastructure error from bytes: %v", err)
		}
		if res.Rows.Read != res.Rows.Accepted+res.Rows.OutOfScope+res.Rows.Rejected || emitted != res.Rows.Accepted {
			t.Fatalf("counts %+v, emitted %d", res.Rows, emitted)
		}
		if (len(res.FileErrors) > 0) != (res.Verdict == Rejected) {
			t.Fatalf("verdict %s with %d file errors", res.Verdict, len(res.FileErrors))
		}
		for _, is := range append(res.FileErrors, res.Errors...) {
			if is.Rule == "" || is.Message == "" {
				t.Fatalf("issue without rule or message: %+v", is)
			}
		}
		var b bytes.Buffer
		if err := res.WriteText(&b); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzLoadSchema loads arbitrary JSON: it must never panic, and a schema
// it accepts must answer its own queries.
func FuzzLoadSchema(f *testing.F) {
	if b, err := os.ReadFile(schemaPath); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"name":"x","fields":[{"name":"la_code","type":"string","constraints":{"required":true},"categories":[{"value":"a","label":"A"}]},{"name":"case_ref","type":"string","constraints":{"required":true}},{"name":"quarter_end_date","type":"date","constraints":{"required":true}}]}`))
	f.Add([]byte(`{"fields":[{"type":"integer","constraints":{"minimum":3,"maximum":1}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadSchema(data)
		if err != nil {
			return
		}
		for i, fl := range s.Fields {
			if s.Index(fl.Name) != i {
				t.Fatalf("Index(%q) = %d, want %d", fl.Name, s.Index(fl.Name), i)
			}
			for _, c := range fl.Codes {
				if got, ok := fl.Lookup(c.Value, nil); !ok || got != c.Value {
					t.Fatalf("code %q of %s does not look itself up", c.Value, fl.Name)
				}
			}
		}
		s.MatchHeader(s.Required())
	})
}

// BenchmarkJudgeCSV judges a generated CSV of 100,000 rows, half of them
// in scope.
func BenchmarkJudgeCSV(b *testing.B) {
	s := loadTestSchema(b)
	p := testPseudonymiser(b)
	var buf bytes.Buffer
	buf.WriteString(hdr + ",assess_date,currentaccom,support_need_domestic_abuse\n")
	reasons := []string{"da_victim", "Domestic abuse – alleged perpetrator", "ast_end", "family_friends"}
	for i := range 100_000 {
		fmt.Fprintf(&buf, "E07000066,31/12/2025,BAS-%07d,2025-11-%02d,%s,single_female,%d,F,2025-12-01,Refuge,yes\n",
			i, 1+i%28, reasons[i%4], 16+i%80)
	}
	data := buf.Bytes()
	opt := testOptions()
	opt.Now = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Judge(context.Background(), s, p, "bench.csv", bytes.NewReader(data), opt, func(Row) error { return nil })
		if err != nil || res.Rows.Accepted != 50_000 || res.Verdict != Accepted {
			b.Fatalf("%v %+v %v", err, res.Rows, res.FileErrors)
		}
	}
}
