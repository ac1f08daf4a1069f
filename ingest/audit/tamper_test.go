package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// tamperLog builds a log of 8 entries: 4 in audit-2024.jsonl and 4 in
// audit.jsonl.
func tamperLog(t *testing.T) (dir string, es []Entry, head string) {
	t.Helper()
	dir = t.TempDir()
	var times []time.Time
	for i := range 8 {
		times = append(times, date(2024+i/4, time.Month(1+i%4), 1))
	}
	l, es := build(t, dir, times)
	_, head = l.Head()
	l.Close()
	return dir, es, head
}

var (
	seqRE  = regexp.MustCompile(`"seq":([0-9]+)`)
	prevRE = regexp.MustCompile(`"prev":"(.)`)
	hashRE = regexp.MustCompile(`"hash":"(.)`)
)

func flipHex(b []byte) []byte {
	if b[len(b)-1] == '0' {
		b[len(b)-1] = '1'
	} else {
		b[len(b)-1] = '0'
	}
	return b
}

// rehash recomputes a line's own hash, as a forger would.
func rehash(t *testing.T, line []byte) []byte {
	t.Helper()
	e, _, err := decode(line)
	if err != nil {
		t.Fatal(err)
	}
	out, err := encode(&e)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyEditEveryField(t *testing.T) {
	t.Parallel()
	edits := []struct {
		name string
		edit func([]byte) []byte
	}{
		{"seq", func(b []byte) []byte {
			return seqRE.ReplaceAllFunc(b, func(m []byte) []byte { return append(append([]byte(nil), m...), '0') })
		}},
		{"time", func(b []byte) []byte { return bytes.Replace(b, []byte(`"time":"202`), []byte(`"time":"201`), 1) }},
		{"event", func(b []byte) []byte { return bytes.Replace(b, []byte(`"event":"`), []byte(`"event":"x`), 1) }},
		{"run_id", func(b []byte) []byte { return bytes.Replace(b, []byte(`"run_id":"r1"`), []byte(`"run_id":"r2"`), 1) }},
		{"partner", func(b []byte) []byte { return bytes.Replace(b, []byte(`"basildon"`), []byte(`"braintree"`), 1) }},
		{"object removed", func(b []byte) []byte { return bytes.Replace(b, []byte(`"object":"q1.csv",`), nil, 1) }},
		{"data value", func(b []byte) []byte { return bytes.Replace(b, []byte(`"accepted"`), []byte(`"rejected"`), 1) }},
		{"data key added", func(b []byte) []byte { return bytes.Replace(b, []byte(`"data":{`), []byte(`"data":{"x":1,`), 1) }},
		{"whitespace", func(b []byte) []byte { return bytes.Replace(b, []byte(`,"event"`), []byte(`, "event"`), 1) }},
		{"prev", func(b []byte) []byte {
			return prevRE.ReplaceAllFunc(b, func(m []byte) []byte { return flipHex(append([]byte(nil), m...)) })
		}},
		{"hash", func(b []byte) []byte {
			return hashRE.ReplaceAllFunc(b, func(m []byte) []byte { return flipHex(append([]byte(nil), m...)) })
		}},
	}
	dir0, es, head := tamperLog(t)
	files := readAll(t, dir0)
	for fi, f := range files {
		for li := range f.lines {
			seq := es[fi*4+li].Seq
			for _, ed := range edits {
				t.Run(fmt.Sprintf("%s:%d/%s", f.name, li+1, ed.name), func(t *testing.T) {
					dir := copyDir(t, dir0)
					fs := readAll(t, dir)
					before := string(fs[fi].lines[li])
					fs[fi].lines[li] = ed.edit(fs[fi].lines[li])
					if string(fs[fi].lines[li]) == before {
						t.Fatal("edit changed nothing")
					}
					writeAll(t, dir, fs)
					for _, want := range []string{"", head} {
						p, err := Verify(context.Background(), dir, want)
						if err != nil {
							t.Fatal(err)
						}
						if p == nil {
							t.Fatalf("Verify(head %q) found nothing", want)
						}
						wantSeq := seq
						if ed.name == "seq" {
							wantSeq = seq * 10
						}
						if p.File != f.name || p.Line != li+1 || p.Seq != wantSeq || p.Reason != Edited {
							t.Errorf("Verify(head %q) = %s; want %s line %d (seq %d): %s", want, p, f.name, li+1, wantSeq, Edited)
						}
					}
				})
			}
		}
	}
}

func TestVerifyForgedRehash(t *testing.T) {
	t.Parallel()
	// A forger who fixes the edited entry's own hash is caught at the next
	// entry, or by the database's head for the last one.
	dir0, es, head := tamperLog(t)
	for i := range es {
		t.Run(fmt.Sprint(i+1), func(t *testing.T) {
			dir := copyDir(t, dir0)
			fs := readAll(t, dir)
			fi, li := i/4, i%4
			fs[fi].lines[li] = rehash(t, bytes.Replace(fs[fi].lines[li], []byte("accepted"), []byte("rejected"), 1))
			writeAll(t, dir, fs)
			p, err := Verify(context.Background(), dir, head)
			if err != nil {
				t.Fatal(err)
			}
			want := &Problem{Reason: Truncated, Seq: 9, File: LiveName, Line: 5}
			if i+1 < len(es) {
				want = &Problem{Reason: Edited, Seq: int64(i + 2), File: fs[(i+1)/4].name, Line: (i+1)%4 + 1}
			}
			if p == nil || p.Reason != want.Reason || p.Seq != want.Seq || p.File != want.File || p.Line != want.Line {
				t.Fatalf("Verify = %v, want %s", p, want)
			}
		})
	}
}

func TestVerifyStructure(t *testing.T) {
	t.Parallel()
	type change func(t *testing.T, dir string, fs []fileLines) []fileLines
	tests := []struct {
		name   string
		change change
		head   bool // pass the database's head
		want   *Problem
	}{
		{"whole", func(t *testing.T, dir string, fs []fileLines) []fileLines { return fs }, true, nil},
		{"delete middle line", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			fs[0].lines = append(fs[0].lines[:1], fs[0].lines[2:]...)
			return fs
		}, false, &Problem{File: "audit-2024.jsonl", Line: 2, Seq: 3, Reason: Deleted}},
		{"delete last line of sealed segment", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			fs[0].lines = fs[0].lines[:3]
			return fs
		}, false, &Problem{File: LiveName, Line: 1, Seq: 5, Reason: Deleted}},
		{"delete first line", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			fs[0].lines = fs[0].lines[1:]
			return fs
		}, false, &Problem{File: "audit-2024.jsonl", Line: 1, Seq: 2, Reason: Deleted}},
		{"swap two lines", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			fs[1].lines[1], fs[1].lines[2] = fs[1].lines[2], fs[1].lines[1]
			return fs
		}, false, &Problem{File: LiveName, Line: 2, Seq: 7, Reason: OutOfOrder}},
		{"swap across segments", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			fs[0].lines[3], fs[1].lines[0] = fs[1].lines[0], fs[0].lines[3]
			return fs
		}, false, &Problem{File: "audit-2024.jsonl", Line: 4, Seq: 5, Reason: OutOfOrder}},
		{"duplicate a line", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			fs[1].lines = append(fs[1].lines[:2], fs[1].lines[1:]...)
			return fs
		}, false, &Problem{File: LiveName, Line: 3, Seq: 6, Reason: OutOfOrder}},
		{"garbage line", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			fs[1].lines = append(fs[1].lines[:2], append([][]byte{[]byte("not json")}, fs[1].lines[2:]...)...)
			return fs
		}, false, &Problem{File: LiveName, Line: 3, Reason: Unparseable}},
		{"blank line", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			fs[0].lines = append([][]byte{nil}, fs[0].lines...)
			return fs
		}, false, &Problem{File: "audit-2024.jsonl", Line: 1, Reason: Unparseable}},
		{"truncate last entries", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			fs[1].lines = fs[1].lines[:2]
			return fs
		}, true, &Problem{File: LiveName, Line: 3, Seq: 7, Reason: Truncated}},
		{"truncate whole live file", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			if err := os.Remove(filepath.Join(dir, LiveName)); err != nil {
				t.Fatal(err)
			}
			return fs[:1]
		}, true, &Problem{File: "audit-2024.jsonl", Line: 5, Seq: 5, Reason: Truncated}},
		{"delete sealed segment by hand", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			if err := os.Remove(filepath.Join(dir, "audit-2024.jsonl")); err != nil {
				t.Fatal(err)
			}
			return fs[1:]
		}, true, &Problem{File: LiveName, Line: 1, Seq: 5, Reason: Deleted}},
		{"entry appended by a forger", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			l, err := Open(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			l.Now = func() time.Time { return date(2025, 6, 1) }
			if _, err := l.Append(context.Background(), Entry{Event: "erasure"}); err != nil {
				t.Fatal(err)
			}
			return readAll(t, dir)
		}, true, &Problem{File: LiveName, Line: 5, Seq: 9, Reason: Ahead}},
		{"partial last line", func(t *testing.T, dir string, fs []fileLines) []fileLines {
			b := append([]byte(nil), fs[1].lines[3]...)
			fs[1].lines = fs[1].lines[:3]
			writeAll(t, dir, fs)
			f, err := os.OpenFile(filepath.Join(dir, LiveName), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.Write(b[:40]); err != nil {
				t.Fatal(err)
			}
			return nil
		}, false, &Problem{File: LiveName, Line: 4, Reason: Truncated}},
	}
	dir0, _, head := tamperLog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyDir(t, dir0)
			if fs := tt.change(t, dir, readAll(t, dir)); fs != nil {
				writeAll(t, dir, fs)
			}
			want := ""
			if tt.head {
				want = head
			}
			p, err := Verify(context.Background(), dir, want)
			if err != nil {
				t.Fatal(err)
			}
			if (p == nil) != (tt.want == nil) {
				t.Fatalf("Verify = %v, want %v", p, tt.want)
			}
			if p == nil {
				return
			}
			if p.File != tt.want.File || p.Line != tt.want.Line || p.Seq != tt.want.Seq || p.Reason != tt.want.Reason {
				t.Fatalf("Verify = %s\n          want %s", p, tt.want)
			}
			if p.Detail == "" {
				t.Error("no detail")
			}
		})
	}
}

func TestTruncationNeedsHead(t *testing.T) {
	t.Parallel()
	// Without the database's head a clean cut at the end cannot be seen;
	// with it, it is.
	dir, es, head := tamperLog(t)
	fs := readAll(t, dir)
	fs[1].lines = fs[1].lines[:1]
	writeAll(t, dir, fs)
	mustVerify(t, dir, "")
	mustVerify(t, dir, es[4].Hash)
	if p, _ := Verify(context.Background(), dir, head); p == nil || p.Reason != Truncated || p.Seq != 6 {
		t.Fatalf("Verify with head = %v", p)
	}
}

func TestPartialTailAndRepair(t *testing.T) {
	t.Parallel()
	dir, es, head := tamperLog(t)
	f, err := os.OpenFile(filepath.Join(dir, LiveName), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	partial := []byte(`{"seq":9,"time":"2025-05-01T12:00:00.000Z","ev`)
	if _, err := f.Write(partial); err != nil {
		t.Fatal(err)
	}
	f.Close()

	if _, err := Open(context.Background(), dir); !errors.Is(err, ErrPartialTail) {
		t.Fatalf("Open = %v, want ErrPartialTail", err)
	}
	var shown int
	err = Show(context.Background(), dir, time.Time{}, func(Entry) error { shown++; return nil })
	if !errors.Is(err, ErrPartialTail) || shown != len(es) {
		t.Fatalf("Show = %v after %d entries", err, shown)
	}
	// The acknowledged head is intact; only the unacknowledged tail is bad.
	if p, _ := Verify(context.Background(), dir, head); p == nil || p.Reason != Truncated || p.Line != 5 {
		t.Fatalf("Verify = %v", p)
	}

	cut, err := Repair(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if cut != int64(len(partial)) {
		t.Fatalf("Repair cut %d bytes, want %d", cut, len(partial))
	}
	l, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	seq, newHead := l.Head()
	if seq != 9 {
		t.Fatalf("head seq after repair %d", seq)
	}
	mustVerify(t, dir, newHead)
	var last Entry
	if err := Show(context.Background(), dir, time.Time{}, func(e Entry) error { last = e; return nil }); err != nil {
		t.Fatal(err)
	}
	if last.Event != EventRepair || fmt.Sprint(last.Data["bytes"]) != fmt.Sprint(len(partial)) || last.Prev != head {
		t.Fatalf("repair entry = %+v", last)
	}
	// A second repair has nothing to do.
	if cut, err := Repair(context.Background(), dir); err != nil || cut != 0 {
		t.Fatalf("second Repair = %d, %v", cut, err)
	}
}

func TestOpenCorruptTail(t *testing.T) {
	t.Parallel()
	dir, _, _ := tamperLog(t)
	fs := readAll(t, dir)
	fs[1].lines[3] = bytes.Replace(fs[1].lines[3], []byte("accepted"), []byte("rejected"), 1)
	writeAll(t, dir, fs)
	if _, err := Open(context.Background(), dir); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open = %v, want ErrCorrupt", err)
	}
}
