package synth_test

import (
	"io"
	"testing"

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
