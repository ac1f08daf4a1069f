package synth_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"landingd/transform"
	"landingd/transform/synth"
)

func benchmarkWrite(b *testing.B, spec synth.Spec) {
	s := loadSchema(b)
	spec.District, spec.Quarters = district(b, "colchester"), []string{"2025Q4"}
	var n int
	b.ReportAllocs()
	for b.Loop() {
		st, err := synth.WriteStats(io.Discard, s, spec)
		if err != nil {
			b.Fatal(err)
		}
		n += st.Rows
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkWriteCSV writes 20,000 rows of CSV with the default optional
// fields.
func BenchmarkWriteCSV(b *testing.B) {
	benchmarkWrite(b, synth.Spec{Rows: 20000})
}

// BenchmarkWriteCSVMixed adds labels, mixed spellings and Windows-1252.
func BenchmarkWriteCSVMixed(b *testing.B) {
	benchmarkWrite(b, synth.Spec{Rows: 20000, Spelling: "mixed", Headers: "mixed", Encoding: "windows-1252", DateStyle: "uk"})
}

// BenchmarkWriteXLSX writes 20,000 rows of xlsx with real date cells.
func BenchmarkWriteXLSX(b *testing.B) {
	benchmarkWrite(b, synth.Spec{Rows: 20000, Format: "xlsx", DateStyle: "excel"})
}

// BenchmarkJudge judges 100,000 rows of one district's CSV as Write
// makes it by default (codes, ISO dates), the shape of the 1,000,000-row
// file bench/floor compares with its same-work program.
func BenchmarkJudge(b *testing.B) {
	d := district(b, "basildon")
	data, _ := write(b, synth.Spec{District: d, Quarters: []string{"2025Q4"}, Rows: 100_000, Seed: 1})
	p, err := transform.NewEphemeralPseudonymiser()
	if err != nil {
		b.Fatal(err)
	}
	opt := transform.Options{
		PartnerID: d.ID, PartnerGSS: d.GSS, FilterField: "reasonloss", Keep: synth.DACodes,
		Now: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), SizeHint: int64(len(data)),
	}
	s := loadSchema(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := transform.Judge(context.Background(), s, p, "bench.csv", bytes.NewReader(data), opt, func(transform.Row) error { return nil })
		if err != nil || res.Verdict != transform.Accepted || res.Rows.Read != 100_000 {
			b.Fatalf("%v %+v %v", err, res.Rows, res.FileErrors)
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
