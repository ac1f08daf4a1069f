package audit

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestAppendAcrossYears(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	times := []time.Time{
		date(2023, 3, 1), date(2023, 12, 31).Add(11*time.Hour + 59*time.Minute + 59*time.Second),
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), date(2024, 6, 1),
		date(2025, 2, 1), date(2025, 2, 1).Add(1500 * time.Microsecond),
	}
	l, want := build(t, dir, times)
	if got, w := names(t, dir), []string{"audit-2023.jsonl", "audit-2024.jsonl", "audit.jsonl"}; !reflect.DeepEqual(got, w) {
		t.Fatalf("files = %v, want %v", got, w)
	}
	for i, e := range want {
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d: seq %d", i, e.Seq)
		}
		if !e.Time.Equal(times[i].Truncate(time.Millisecond)) || e.Time.Location() != time.UTC {
			t.Errorf("entry %d: time %v, want %v in UTC", i, e.Time, times[i])
		}
		prev := ZeroHash
		if i > 0 {
			prev = want[i-1].Hash
		}
		if e.Prev != prev {
			t.Errorf("entry %d: prev %s, want %s", i, e.Prev, prev)
		}
	}
	seq, head := l.Head()
	if seq != 6 || head != want[5].Hash {
		t.Fatalf("Head = %d %s, want 6 %s", seq, head, want[5].Hash)
	}
	mustVerify(t, dir, head)

	// Reopen: the head is found again and the chain goes on.
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if s, h := l2.Head(); s != seq || h != head {
		t.Fatalf("reopened Head = %d %s, want %d %s", s, h, seq, head)
	}
	l2.Now = func() time.Time { return date(2026, 1, 5) }
	e, err := l2.Append(context.Background(), Entry{Event: EventCycleStart, RunID: "r2"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Seq != 7 || e.Prev != head {
		t.Fatalf("after reopen: seq %d prev %s", e.Seq, e.Prev)
	}
	if got, w := names(t, dir), []string{"audit-2023.jsonl", "audit-2024.jsonl", "audit-2025.jsonl", "audit.jsonl"}; !reflect.DeepEqual(got, w) {
		t.Fatalf("files = %v, want %v", got, w)
	}
	_, head = l2.Head()
	mustVerify(t, dir, head)

	// Show gives back what Append returned.
	var got []Entry
	if err := Show(context.Background(), dir, time.Time{}, func(e Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	want = append(want, e)
	if len(got) != len(want) {
		t.Fatalf("Show gave %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if g, w := fmt.Sprint(got[i]), fmt.Sprint(want[i]); g != w {
			t.Errorf("entry %d:\n got %s\nwant %s", i, g, w)
		}
	}
}

func TestSealAfterClockWentBack(t *testing.T) {
	t.Parallel()
	// A live file that starts in a year already sealed is sealed under the
	// next free year, so that names stay unique and in chain order.
	dir := t.TempDir()
	l, _ := build(t, dir, []time.Time{date(2024, 5, 1), date(2025, 5, 1), date(2024, 6, 1), date(2025, 7, 1), date(2026, 1, 1)})
	if got, w := names(t, dir), []string{"audit-2024.jsonl", "audit-2025.jsonl", "audit.jsonl"}; !reflect.DeepEqual(got, w) {
		t.Fatalf("files = %v, want %v", got, w)
	}
	_, head := l.Head()
	mustVerify(t, dir, head)
}

func TestAppendRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e    Entry
	}{
		{"empty event", Entry{}},
		{"upper case event", Entry{Event: "Cycle.Start"}},
		{"event with space", Entry{Event: "cycle start"}},
		{"reserved checkpoint", Entry{Event: EventCheckpoint}},
		{"reserved repair", Entry{Event: EventRepair}},
		{"nested data", Entry{Event: "x", Data: map[string]any{"a": map[string]any{"b": 1}}}},
		{"struct data", Entry{Event: "x", Data: map[string]any{"a": struct{}{}}}},
		{"NaN", Entry{Event: "x", Data: map[string]any{"a": nanValue()}}},
		{"empty key", Entry{Event: "x", Data: map[string]any{"": 1}}},
		{"too long", Entry{Event: "x", Object: string(make([]byte, MaxEntryBytes))}},
	}
	dir := t.TempDir()
	l, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tt := range tests {
		if _, err := l.Append(context.Background(), tt.e); err == nil {
			t.Errorf("%s: Append succeeded", tt.name)
		}
	}
	if s, h := l.Head(); s != 0 || h != ZeroHash {
		t.Fatalf("Head after rejected appends = %d %s", s, h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Append(ctx, Entry{Event: "x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Append with cancelled ctx: %v", err)
	}
	l.Close()
	if _, err := l.Append(context.Background(), Entry{Event: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: %v", err)
	}
	mustVerify(t, dir, ZeroHash)
}

func nanValue() float64 {
	var zero float64
	return zero / zero
}

func TestConcurrentAppend(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const workers, each = 8, 40
	var wg sync.WaitGroup
	seqs := make(chan int64, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e, err := l.Append(context.Background(), Entry{Event: EventOutputWrite, Data: map[string]any{"worker": w, "i": i}})
				if err != nil {
					t.Error(err)
					return
				}
				seqs <- e.Seq
			}
		}()
	}
	wg.Wait()
	close(seqs)
	seen := map[int64]bool{}
	for s := range seqs {
		if seen[s] {
			t.Fatalf("seq %d handed out twice", s)
		}
		seen[s] = true
	}
	if len(seen) != workers*each {
		t.Fatalf("%d seqs, want %d", len(seen), workers*each)
	}
	seq, head := l.Head()
	if seq != workers*each {
		t.Fatalf("head seq %d", seq)
	}
	mustVerify(t, dir, head)
}

func TestOpenEmptyAndMissingLive(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() + "/state"
	l, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if s, h := l.Head(); s != 0 || h != ZeroHash {
		t.Fatalf("empty Head = %d %s", s, h)
	}
	mustVerify(t, dir, ZeroHash)
	mustVerify(t, t.TempDir()+"/nowhere", "")
	l.Close()

	// A crash right after sealing leaves no live file: the head is the
	// sealed segment's last entry.
	l, es := build(t, t.TempDir(), []time.Time{date(2024, 1, 1), date(2024, 2, 1)})
	l.Close()
	l.mu.Lock()
	l.liveYear = 2024
	err = l.seal()
	l.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	l2, err := Open(context.Background(), l.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if s, h := l2.Head(); s != 2 || h != es[1].Hash {
		t.Fatalf("Head after seal = %d %s", s, h)
	}
	mustVerify(t, l.dir, es[1].Hash)
}

func TestHaltStopsAppends(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	l, _ := build(t, dir, []time.Time{date(2025, 1, 2), date(2025, 1, 3)})
	seq, head := l.Head()
	cause := errors.New("head not stored")
	l.Halt(cause)
	l.Halt(errors.New("a later cause"))
	_, err := l.Append(ctx, Entry{Event: EventErasure})
	if !errors.Is(err, cause) {
		t.Fatalf("append after Halt: %v, want the first cause", err)
	}
	if s, h := l.Head(); s != seq || h != head {
		t.Fatalf("head moved after a refused append: %d %s", s, h)
	}
	// A log opened afresh appends again, after the same head.
	l2, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	e, err := l2.Append(ctx, Entry{Event: EventErasure})
	if err != nil || e.Seq != seq+1 || e.Prev != head {
		t.Fatalf("append after reopening: %+v, %v", e, err)
	}
	if p, err := Verify(ctx, dir, e.Hash); err != nil || p != nil {
		t.Fatalf("verify: %v, %v", p, err)
	}
}

// TestVerifyCount checks that VerifyCount counts every entry of a whole
// chain, across sealed segments and the live file, and none of an empty
// log.
func TestVerifyCount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if n, p, err := VerifyCount(ctx, t.TempDir(), ""); n != 0 || p != nil || err != nil {
		t.Fatalf("empty log: %d, %v, %v", n, p, err)
	}
	dir := t.TempDir()
	l, _ := build(t, dir, []time.Time{date(2023, 5, 1), date(2024, 5, 1), date(2025, 5, 1), date(2025, 6, 1)})
	_, head := l.Head()
	if got := len(names(t, dir)); got < 3 {
		t.Fatalf("%d log files, want sealed segments and the live file", got)
	}
	n, p, err := VerifyCount(ctx, dir, head)
	if n != 4 || p != nil || err != nil {
		t.Fatalf("VerifyCount = %d, %v, %v; want 4 entries and a whole chain", n, p, err)
	}
}
