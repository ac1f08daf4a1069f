package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// yearsLog builds a log with three entries in each year from 2015 to 2025.
func yearsLog(t *testing.T) (*Log, []Entry) {
	t.Helper()
	var times []time.Time
	for y := 2015; y <= 2025; y++ {
		times = append(times, date(y, 1, 10), date(y, 6, 10), date(y, 12, 10))
	}
	l, es := build(t, t.TempDir(), times)
	// The purges below run "now", in 2026.
	c := &clock{last: date(2026, 3, 1)}
	l.Now = c.now
	return l, es
}

func TestPurgeBefore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, es := yearsLog(t)
	removed, err := l.PurgeBefore(ctx, time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range removed {
		got = append(got, r.Name)
	}
	if want := []string{"audit-2015.jsonl", "audit-2016.jsonl", "audit-2017.jsonl"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("removed %v, want %v", got, want)
	}
	want2017 := SegmentInfo{Name: "audit-2017.jsonl", FirstSeq: 7, LastSeq: 9, Entries: 3,
		FirstTime: es[6].Time, LastTime: es[8].Time, LastHash: es[8].Hash}
	if !reflect.DeepEqual(removed[2], want2017) {
		t.Errorf("removed[2] = %+v\nwant %+v", removed[2], want2017)
	}
	for _, n := range got {
		if _, err := os.Stat(filepath.Join(l.dir, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there: %v", n, err)
		}
	}
	seq, head := l.Head()
	if seq != int64(len(es)+3) {
		t.Fatalf("head seq %d, want %d (three checkpoints)", seq, len(es)+3)
	}
	mustVerify(t, l.dir, head)

	// The checkpoints say what went.
	var cps []Entry
	if err := Show(ctx, l.dir, time.Time{}, func(e Entry) error {
		if e.Event == EventCheckpoint {
			cps = append(cps, e)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(cps) != 3 || cps[2].Object != "audit-2017.jsonl" || cps[2].Data["last_hash"] != es[8].Hash ||
		fmt.Sprint(cps[2].Data["last_seq"]) != "9" || fmt.Sprint(cps[2].Data["first_seq"]) != "7" {
		t.Fatalf("checkpoints = %+v", cps)
	}

	// A cutoff inside 2019 stops before 2019: one of its entries is newer.
	removed, err = l.PurgeBefore(ctx, date(2019, 12, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0].Name != "audit-2018.jsonl" {
		t.Fatalf("second purge removed %+v", removed)
	}
	_, head = l.Head()
	mustVerify(t, l.dir, head)

	// Nothing left to purge.
	if removed, err = l.PurgeBefore(ctx, date(2019, 12, 1)); err != nil || len(removed) != 0 {
		t.Fatalf("third purge = %+v, %v", removed, err)
	}

	// Deleting the next segment by hand is caught, purge or not.
	dir := copyDir(t, l.dir)
	if err := os.Remove(filepath.Join(dir, "audit-2019.jsonl")); err != nil {
		t.Fatal(err)
	}
	p, err := Verify(ctx, dir, head)
	if err != nil {
		t.Fatal(err)
	}
	if p == nil || p.File != "audit-2020.jsonl" || p.Line != 1 || p.Seq != 16 || p.Reason != Deleted {
		t.Fatalf("Verify after deleting audit-2019.jsonl by hand = %v", p)
	}
	// So is deleting a middle segment.
	dir = copyDir(t, l.dir)
	if err := os.Remove(filepath.Join(dir, "audit-2021.jsonl")); err != nil {
		t.Fatal(err)
	}
	if p, _ := Verify(ctx, dir, head); p == nil || p.File != "audit-2022.jsonl" || p.Seq != 22 || p.Reason != Deleted {
		t.Fatalf("Verify after deleting audit-2021.jsonl by hand = %v", p)
	}
	// And purging the live year is impossible: the live file stays.
	if _, err := l.PurgeBefore(ctx, date(2030, 1, 1)); err != nil {
		t.Fatal(err)
	}
	if got := names(t, l.dir); !reflect.DeepEqual(got, []string{LiveName}) {
		t.Fatalf("after purging everything: %v", got)
	}
	_, head = l.Head()
	mustVerify(t, l.dir, head)
}

func TestPurgeCrashBeforeRemove(t *testing.T) {
	t.Parallel()
	// A checkpoint written but its segment not yet removed does no harm,
	// and the next purge completes the job.
	ctx := context.Background()
	l, _ := yearsLog(t)
	info, err := scanSegment(filepath.Join(l.dir, "audit-2015.jsonl"), "audit-2015.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	_, err = l.appendLocked(ctx, Entry{Event: EventCheckpoint, Data: map[string]any{
		"segment": info.Name, "last_seq": info.LastSeq, "last_hash": info.LastHash,
	}})
	l.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	_, head := l.Head()
	mustVerify(t, l.dir, head)
	if removed, err := l.PurgeBefore(ctx, date(2016, 1, 1)); err != nil || len(removed) != 1 {
		t.Fatalf("PurgeBefore = %+v, %v", removed, err)
	}
	_, head = l.Head()
	mustVerify(t, l.dir, head)
}

func TestPurgeRefusesDamagedChain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string)
	}{
		{"entry cut from a later segment", func(t *testing.T, dir string) {
			fs := readAll(t, dir)
			fs[3].lines = fs[3].lines[1:] // audit-2018.jsonl loses an entry
			writeAll(t, dir, fs)
		}},
		{"oldest segment deleted by hand", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "audit-2015.jsonl")); err != nil {
				t.Fatal(err)
			}
		}},
		{"entry edited in the live file", func(t *testing.T, dir string) {
			fs := readAll(t, dir)
			last := len(fs) - 1
			fs[last].lines[0] = bytes.Replace(fs[last].lines[0], []byte("accepted"), []byte("rejected"), 1)
			writeAll(t, dir, fs)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := yearsLog(t)
			tt.damage(t, l.dir)
			before := names(t, l.dir)
			removed, err := l.PurgeBefore(context.Background(), date(2020, 1, 1))
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("PurgeBefore = %v, want ErrCorrupt", err)
			}
			if len(removed) != 0 || !reflect.DeepEqual(names(t, l.dir), before) {
				t.Fatalf("removed %+v", removed)
			}
		})
	}
}

func TestForgedCheckpointAtEndIsAhead(t *testing.T) {
	t.Parallel()
	// Someone who deletes the oldest segment and appends a checkpoint for
	// it is caught by the head kept in the database.
	ctx := context.Background()
	l, _ := yearsLog(t)
	_, head := l.Head()
	info, err := scanSegment(filepath.Join(l.dir, "audit-2015.jsonl"), "audit-2015.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	_, err = l.appendLocked(ctx, Entry{Event: EventCheckpoint, Data: map[string]any{
		"segment": info.Name, "last_seq": info.LastSeq, "last_hash": info.LastHash,
	}})
	l.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(l.dir, "audit-2015.jsonl")); err != nil {
		t.Fatal(err)
	}
	if p, _ := Verify(ctx, l.dir, head); p == nil || p.Reason != Ahead {
		t.Fatalf("Verify = %v, want %s", p, Ahead)
	}
}
