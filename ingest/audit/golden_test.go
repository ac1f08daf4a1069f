package audit

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"landingd/internal/testtier"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenEntries is a fixed history covering every kind of Data value.
var goldenEntries = []Entry{
	{Event: EventCycleStart, RunID: "20241231T235959Z-1"},
	{Event: EventFileVerdict, RunID: "20241231T235959Z-1", Partner: "basildon", Object: "Basildon Q3 <final> & checked.csv",
		Data: map[string]any{"verdict": "accepted", "rows": 120, "rows_rejected": 3, "sha256": strings.Repeat("ab", 32),
			"rules": []string{"bad_code", "missing_value"}, "header_only": false, "note": nil, "ratio": 0.975}},
	{Event: EventErasure, Data: map[string]any{"pseudonym": "p-3f9a1c", "reason": "Subject request — ticket 118 “urgent”"}},
	{Event: EventCycleEnd, RunID: "20241231T235959Z-1", Data: map[string]any{"files": 1}},
	{Event: EventProtocolChange, Data: map[string]any{"sha256": strings.Repeat("0f", 32), "previous": strings.Repeat("f0", 32)}},
}

func writeGolden(t *testing.T, dir string) string {
	t.Helper()
	l, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c := &clock{times: []time.Time{
		time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2024, 12, 31, 23, 59, 59, 987654321, time.UTC),
	}, last: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	l.Now = c.now
	for _, e := range goldenEntries {
		if _, err := l.Append(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	_, head := l.Head()
	return head
}

// TestGolden pins the line format: auditors check the chain with their own
// tools, so any change to it must show here. Regenerate with -update.
func TestGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	head := writeGolden(t, dir)
	golden := filepath.Join("testdata", "golden")
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(golden, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"audit-2024.jsonl", LiveName} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.WriteFile(filepath.Join(golden, name), got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(filepath.Join(golden, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from testdata/golden:\n got %s\nwant %s", name, got, want)
		}
	}
	mustVerify(t, golden, head)
}

// recipe returns the shell check given in the package doc.
func recipe(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(src), "With a shell, jq and sha256sum:\n//\n")
	if !ok {
		t.Fatal("doc.go has no shell recipe")
	}
	var b strings.Builder
	for _, ln := range strings.Split(after, "\n") {
		code, ok := strings.CutPrefix(ln, "//\t")
		if !ok {
			break
		}
		b.WriteString(code + "\n")
	}
	return b.String()
}

// TestShellRecipe runs the package doc's check with bash, jq and sha256sum
// on a whole log and on damaged copies.
func TestShellRecipe(t *testing.T) {
	testtier.Slow(t, "runs the shell recipe with jq over every line")
	t.Parallel()
	for _, tool := range []string{"bash", "jq", "sha256sum", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	script := recipe(t)
	dir0 := t.TempDir()
	writeGolden(t, dir0)
	run := func(dir string) string {
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("recipe: %v\n%s", err, out)
		}
		return string(out)
	}
	if out := run(dir0); out != "" {
		t.Fatalf("recipe on a whole log printed:\n%s", out)
	}

	dir := copyDir(t, dir0)
	fs := readAll(t, dir)
	fs[1].lines[0] = bytes.Replace(fs[1].lines[0], []byte("p-3f9a1c"), []byte("p-3f9a1d"), 1)
	writeAll(t, dir, fs)
	if out := run(dir); !strings.HasPrefix(out, "edited: ") || strings.Count(out, "\n") != 1 {
		t.Errorf("recipe on an edited log printed:\n%s", out)
	}

	dir = copyDir(t, dir0)
	fs = readAll(t, dir)
	fs[1].lines = append(fs[1].lines[:1], fs[1].lines[2:]...)
	writeAll(t, dir, fs)
	if out := run(dir); out != "broken at seq 5\n" {
		t.Errorf("recipe on a log with a deleted entry printed:\n%s", out)
	}
}
