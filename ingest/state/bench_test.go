package state

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
)

// BenchmarkPut stages one file of 50,000 rows of 39 values, the size of a
// large district's quarterly extract, and commits it. Its pseudonyms come
// in no order, as HMACs do, and each file's are new.
func BenchmarkPut(b *testing.B) {
	const n = 50000
	vals := make([]string, 39)
	for i := range vals {
		vals[i] = fmt.Sprintf("value_%02d", i)
	}
	ctx := context.Background()
	d, _ := openTest(b)
	b.ReportAllocs()
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		rows := make([]string, n)
		for i := range rows {
			rows[i] = fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprint(it, " ", i))))
		}
		b.StartTimer()
		ft, err := d.BeginFile(ctx, rec("braintree", fmt.Sprint("f", it), fmt.Sprint("s", it)))
		if err != nil {
			b.Fatal(err)
		}
		for i, ps := range rows {
			r := row("E07000067", ps, "2025-12-31", i+2, vals...)
			if err := ft.Put(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
		if err := ft.Commit(ctx, accepted(n), t0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
}
