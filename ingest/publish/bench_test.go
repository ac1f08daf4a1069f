package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"landingd/ingest/state"
	"landingd/storage/local"
	"landingd/transform"
)

// BenchmarkQuarter publishes one quarter of 12 districts. Rows per district
// default to 5,000; set LANDINGD_BENCH_ROWS=50000 for the full-size
// quarter (600,000 rows).
func BenchmarkQuarter(b *testing.B) {
	per := 5000
	if v, err := strconv.Atoi(os.Getenv("LANDINGD_BENCH_ROWS")); err == nil && v > 0 {
		per = v
	}
	ctx := context.Background()
	s := loadSchema(b)
	db, err := state.Open(ctx, filepath.Join(b.TempDir(), state.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	gss := []string{"E07000066", "E07000067", "E07000073"}
	cats := []string{"da_victim", "da_alleged_perpetrator"}
	for d := 0; d < 12; d++ {
		la := gss[d%len(gss)]
		ft, err := db.BeginFile(ctx, state.FileRecord{RunID: "r", Partner: fmt.Sprint("p", d), Name: "f.csv",
			SHA256: fmt.Sprint(d), SchemaVersion: s.Version})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < per; i++ {
			ps := fmt.Sprintf("%02d%062x", d, i)
			v := []string{la, "2025-12-31", ps, cats[i%2], strconv.Itoa(i % 5), "true", "some free text"}
			if err := ft.Put(ctx, transform.Row{LACode: la, Pseudonym: ps, QuarterEndDate: "2025-12-31",
				Quarter: "2025Q4", SourceRow: i + 2, Values: v}); err != nil {
				b.Fatal(err)
			}
		}
		if err := ft.Commit(ctx, transform.Result{Verdict: transform.Accepted}, genAt); err != nil {
			b.Fatal(err)
		}
	}
	out, err := local.NewOutput(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	meta := testMeta()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Quarter(ctx, out, s, db, "2025Q4", meta); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*12*per), "ns/row")
}

// summaryTables returns n fixed tables shaped like the Summary sheet: 12
// districts by 3 categories, victims 0 to 39, alleged perpetrators 0 to 19
// and the retired single category 0 to 5, so that every table has many
// small counts to protect.
func summaryTables(n int) [][][]int {
	x := uint32(2463534242)
	next := func(m int) int {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		return int(x % uint32(m))
	}
	var out [][][]int
	for range n {
		t := make([][]int, 12)
		for i := range t {
			t[i] = []int{next(40), next(20), next(6)}
		}
		out = append(out, t)
	}
	return out
}

// BenchmarkSuppressSummary suppresses a Summary sheet of 12 districts by
// 3 categories; hidden/op is the number of cells hidden per table.
func BenchmarkSuppressSummary(b *testing.B) {
	tables := summaryTables(8)
	hidden := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, row := range Suppress(tables[i%len(tables)]) {
			for _, c := range row {
				if c.Suppressed() {
					hidden++
				}
			}
		}
	}
	b.ReportMetric(float64(hidden)/float64(b.N), "hidden/op")
}
