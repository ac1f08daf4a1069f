package audit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"
)

// clock hands out times from a list, then keeps stepping by a second.
type clock struct {
	mu    sync.Mutex
	times []time.Time
	last  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.times) > 0 {
		c.last, c.times = c.times[0], c.times[1:]
		return c.last
	}
	c.last = c.last.Add(time.Second)
	return c.last
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

// build writes one entry per time into a new log in dir and returns the
// entries as Append returned them, and the open log.
func build(t *testing.T, dir string, times []time.Time) (*Log, []Entry) {
	t.Helper()
	l, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	c := &clock{times: times}
	l.Now = c.now
	var out []Entry
	for i := range times {
		e, err := l.Append(context.Background(), Entry{
			Event: EventFileVerdict, RunID: "r1", Partner: "basildon", Object: "q1.csv",
			Data: map[string]any{"rows": i, "verdict": "accepted"},
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return l, out
}

// fileLines is one log file split into lines (each without its newline).
type fileLines struct {
	name  string
	lines [][]byte
}

// readAll returns the log's files in chain order.
func readAll(t *testing.T, dir string) []fileLines {
	t.Helper()
	segs, err := segments(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []fileLines
	for _, s := range segs {
		b, err := os.ReadFile(filepath.Join(dir, s.name))
		if err != nil {
			t.Fatal(err)
		}
		fl := fileLines{name: s.name}
		for _, ln := range bytes.SplitAfter(b, []byte("\n")) {
			if len(ln) > 0 {
				fl.lines = append(fl.lines, bytes.TrimSuffix(ln, []byte("\n")))
			}
		}
		out = append(out, fl)
	}
	return out
}

// writeAll writes files back, each line with a newline.
func writeAll(t *testing.T, dir string, files []fileLines) {
	t.Helper()
	for _, f := range files {
		var b []byte
		for _, ln := range f.lines {
			b = append(append(b, ln...), '\n')
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), b, 0o640); err != nil {
			t.Fatal(err)
		}
	}
}

// copyDir copies the log files of src into a new temporary folder.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	des, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		b, err := os.ReadFile(filepath.Join(src, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, de.Name()), b, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	sort.Strings(out)
	return out
}

func mustVerify(t *testing.T, dir, head string) {
	t.Helper()
	p, err := Verify(context.Background(), dir, head)
	if err != nil {
		t.Fatal(err)
	}
	if p != nil {
		t.Fatalf("Verify: %s", p)
	}
}
