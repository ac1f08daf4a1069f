package audit

import (
	"context"
	"testing"
	"time"
)

// BenchmarkAppend measures one fsynced append of a typical verdict entry.
func BenchmarkAppend(b *testing.B) {
	l, err := Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := Entry{Event: EventFileVerdict, RunID: "20250101T000000Z-1", Partner: "basildon", Object: "q1.csv",
		Data: map[string]any{"verdict": "accepted", "rows": 1200, "sha256": ZeroHash}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Append(context.Background(), e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures Verify over a log of 10,000 entries in two
// segments; bytes/op is the log's size.
func BenchmarkVerify(b *testing.B) {
	dir := b.TempDir()
	l, err := Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	t := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	l.Now = func() time.Time { t = t.Add(30 * time.Minute); return t }
	var size int64
	for i := range 10000 {
		e, err := l.Append(context.Background(), Entry{Event: EventFileVerdict, RunID: "20250101T000000Z-1", Partner: "basildon",
			Object: "q1.csv", Data: map[string]any{"verdict": "accepted", "rows": i, "sha256": ZeroHash}})
		if err != nil {
			b.Fatal(err)
		}
		line, _ := encode(&e)
		size += int64(len(line) + 1)
	}
	_, head := l.Head()
	l.Close()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		p, err := Verify(context.Background(), dir, head)
		if err != nil || p != nil {
			b.Fatal(p, err)
		}
	}
}
