package storage_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"landingd/storage"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"data.csv", true},
		{"Épping – data.csv", true},
		{`quote"double'single#hash.csv`, true},
		{".hidden", true},
		{"", false},
		{".", false},
		{"..", false},
		{"a..b", true},
		{"basildon..Q4.csv", true},
		{"...", true},
		{"../x", false},
		{"a/b", false},
		{`a\b`, false},
		{"a\x00b", false},
	}
	for _, tt := range tests {
		err := storage.CheckName(tt.name)
		if tt.ok != (err == nil) {
			t.Errorf("CheckName(%q) = %v, want ok = %v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, storage.ErrUnsafeName) {
			t.Errorf("CheckName(%q) = %v, want ErrUnsafeName", tt.name, err)
		}
	}
}

func TestCheckPath(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"2025Q4/combined.csv", true},
		{"combined.csv", true},
		{"a/b/c.csv", true},
		{"", false},
		{"/abs", false},
		{"a/../b", false},
		{"../b", false},
		{"a//b", false},
		{"a/", false},
		{"./a", false},
		{".tmp", false},
		{"a/.tmp", false},
		{`a\b`, false},
		{"a\x00", false},
	}
	for _, tt := range tests {
		if err := storage.CheckPath(tt.name); tt.ok != (err == nil) {
			t.Errorf("CheckPath(%q) = %v, want ok = %v", tt.name, err, tt.ok)
		}
	}
}

func TestClashName(t *testing.T) {
	at := time.Date(2026, 1, 7, 6, 0, 0, 0, time.FixedZone("BST", 3600))
	tests := []struct {
		name string
		n    int
		want string
	}{
		{"data.csv", 0, "data.csv"},
		{"data.csv", 1, "data.20260107T050000Z.csv"},
		{"data.csv", 2, "data.20260107T050000Z-2.csv"},
		{"data.tar.gz", 1, "data.tar.20260107T050000Z.gz"},
		{"noext", 1, "noext.20260107T050000Z"},
		{".csv", 1, ".csv.20260107T050000Z"},
	}
	for _, tt := range tests {
		if got := storage.ClashName(tt.name, at, tt.n); got != tt.want {
			t.Errorf("ClashName(%q, %d) = %q, want %q", tt.name, tt.n, got, tt.want)
		}
	}
}

// TestTransient checks that the transient mark survives wrapping and is
// never found on an unmarked error.
func TestTransient(t *testing.T) {
	t.Parallel()
	base := errors.New("connection reset")
	marked := storage.Transient(base)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"unmarked", base, false},
		{"marked", marked, true},
		{"wrapped", fmt.Errorf("move q4.csv: %w", marked), true},
		{"joined", errors.Join(errors.New("other"), marked), true},
		{"not exist", fmt.Errorf("open q4.csv: %w", storage.ErrNotExist), false},
	}
	for _, tt := range tests {
		if got := storage.IsTransient(tt.err); got != tt.want {
			t.Errorf("%s: IsTransient(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
	if storage.Transient(nil) != nil {
		t.Error("Transient(nil) is not nil")
	}
	if !errors.Is(marked, base) || marked.Error() != base.Error() {
		t.Errorf("Transient(err) = %v, want err's text and chain", marked)
	}
}

// FuzzCheckPath checks that every path CheckPath accepts stays below the
// root, and that every name CheckName accepts is one element.
func FuzzCheckPath(f *testing.F) {
	for _, s := range []string{"2025Q4/combined.csv", "../x", "a/./b", "a//b", ".x", "a\\b", "Épping – data.csv", "..", "a..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		root := "/srv/out"
		if storage.CheckPath(name) == nil {
			p := filepath.Join(root, filepath.FromSlash(name))
			if !strings.HasPrefix(p, root+"/") {
				t.Errorf("CheckPath accepted %q, which leaves the root: %s", name, p)
			}
			for _, el := range strings.Split(name, "/") {
				if el == "" || strings.HasPrefix(el, ".") {
					t.Errorf("CheckPath accepted %q with element %q", name, el)
				}
			}
		}
		if storage.CheckName(name) == nil {
			if filepath.Base(filepath.Join(root, name)) != name || strings.ContainsAny(name, "/\\\x00") {
				t.Errorf("CheckName accepted %q, which is not one element", name)
			}
		}
	})
}

func TestReportName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 250) + ".csv"
	tests := []struct {
		name, in, want string
	}{
		{name: "short", in: "q4.csv", want: "q4.csv.report.txt"},
		{name: "fits exactly", in: strings.Repeat("a", 244), want: strings.Repeat("a", 244) + ".report.txt"},
		// Longer names are cut to 231 bytes, "~", 12 hex digits of hash.
		{name: "one byte over", in: strings.Repeat("a", 245), want: strings.Repeat("a", 231) + "~"},
		{name: "254 bytes", in: long, want: strings.Repeat("x", 231) + "~"},
	}
	for _, tt := range tests {
		got := storage.ReportName(tt.in)
		if len(got) > storage.MaxNameBytes || storage.CheckName(got) != nil || !strings.HasSuffix(got, ".report.txt") {
			t.Errorf("%s: ReportName = %q (%d bytes): too long or unsafe", tt.name, got, len(got))
		}
		if !strings.HasPrefix(got, tt.want) || (strings.HasSuffix(tt.want, "~") && len(got) != len(tt.want)+12+len(".report.txt")) ||
			(!strings.HasSuffix(tt.want, "~") && got != tt.want) {
			t.Errorf("%s: ReportName = %q, want %q", tt.name, got, tt.want)
		}
	}
	// Long names that begin alike get different reports, and a cut never
	// splits a character.
	a, b := strings.Repeat("é", 125)+"a.csv", strings.Repeat("é", 125)+"b.csv"
	ra, rb := storage.ReportName(a), storage.ReportName(b)
	if ra == rb || !utf8.ValidString(ra) || len(ra) > storage.MaxNameBytes {
		t.Errorf("ReportName(%q) = %q, ReportName(%q) = %q", a, ra, b, rb)
	}
	if got := storage.RefusedReportName(`a\b.csv`); storage.CheckName(got) != nil || got == storage.RefusedReportName(`a\c.csv`) {
		t.Errorf("RefusedReportName = %q", got)
	}
}

// A long name's clash name leaves room for its report.
func TestClashNameOfALongName(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 7, 6, 0, 0, 0, time.UTC)
	name := strings.Repeat("y", 246) + ".csv"
	for n := 1; n <= 3; n++ {
		got := storage.ClashName(name, at, n)
		if len(storage.ReportName(got)) > storage.MaxNameBytes || len(got)+len(".report.txt") > storage.MaxNameBytes {
			t.Errorf("ClashName(n=%d) = %q (%d bytes): no room for its report", n, got, len(got))
		}
		if got == name || got == storage.ClashName(name, at, n+1) || !strings.HasSuffix(got, ".csv") {
			t.Errorf("ClashName(n=%d) = %q", n, got)
		}
	}
}
