package safetext

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{name: "plain", in: "basildon_2025Q4.csv", want: "basildon_2025Q4.csv"},
		{name: "empty", in: "", want: ""},
		{name: "other scripts", in: "Ystradgynlais é ß 日本.csv", want: "Ystradgynlais é ß 日本.csv"},
		{name: "space and punctuation", in: "a b (1) [x] <y> & z.csv", want: "a b (1) [x] <y> & z.csv"},
		{name: "terminal escape", in: "q4\x1b[2J\x1b[1;1Hok.csv", want: `q4\x1b[2J\x1b[1;1Hok.csv`},
		{name: "carriage return", in: "evil\rgood.csv", want: `evil\x0dgood.csv`},
		{name: "newline and tab", in: "a\nb\tc", want: `a\x0ab\x09c`},
		{name: "nul", in: "a\x00b", want: `a\x00b`},
		{name: "del", in: "a\x7fb", want: `a\x7fb`},
		{name: "c1 csi", in: "a\u009b31mb", want: `a\u009b31mb`},
		{name: "c1 rune and raw byte differ", in: "\u0085\x85", want: `\u0085\x85`},
		{name: "bidi override", in: "invoice\u202egsx.csv", want: `invoice\u202egsx.csv`},
		{name: "bidi isolate", in: "a\u2066b\u2069", want: `a\u2066b\u2069`},
		{name: "zero width", in: "a\u200bb\ufeffc", want: `a\u200bb\ufeffc`},
		{name: "line separator", in: "a\u2028b", want: `a\u2028b`},
		{name: "backslash", in: `a\x1b`, want: `a\\x1b`},
		{name: "invalid utf-8", in: "a\xffb\xc3", want: `a\xffb\xc3`},
		{name: "tag character", in: "a\U000e0041b", want: `a\U000e0041b`},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("%s: Escape(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// FuzzEscape checks that what Escape returns is valid UTF-8 with no
// character it escapes, that text needing nothing is returned as it is,
// and that two different inputs never give the same output.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "basildon.csv", "a\x1b[31mb", "\u202e", `\`, "\xff", "日本\u2028"} {
		f.Add(s, s+"x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ea := Escape(a)
		if !utf8.ValidString(ea) {
			t.Fatalf("Escape(%q) = %q: not UTF-8", a, ea)
		}
		for _, r := range ea {
			if unsafeRune(r) {
				t.Fatalf("Escape(%q) = %q holds %U", a, ea, r)
			}
		}
		if !needsEscape(a) && ea != a {
			t.Fatalf("Escape(%q) = %q, want it unchanged", a, ea)
		}
		if a != b && ea == Escape(b) {
			t.Fatalf("Escape(%q) = Escape(%q) = %q", a, b, ea)
		}
		if strings.ContainsAny(ea, "\x1b\r\n") {
			t.Fatalf("Escape(%q) = %q", a, ea)
		}
	})
}

func TestJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{name: "plain", in: "basildon_2025Q4.csv", want: `"basildon_2025Q4.csv"`},
		{name: "other scripts", in: "é 日本", want: `"é 日本"`},
		{name: "c0 as encoding/json writes it", in: "a\x1b[2Jb", want: `"a\u001b[2Jb"`},
		{name: "c1", in: "a\u009b31mb\u0085", want: `"a\u009b31mb\u0085"`},
		{name: "bidi", in: "invoice\u202egsx.csv\u2066", want: `"invoice\u202egsx.csv\u2066"`},
		{name: "del", in: "a\x7fb", want: `"a\u007fb"`},
		{name: "tag character", in: "a\U000e0041b", want: `"a\udb40\udc41b"`},
		{name: "backslash kept", in: `a\b`, want: `"a\\b"`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(JSON(b)); got != tt.want {
			t.Errorf("%s: JSON(%s) = %s, want %s", tt.name, b, got, tt.want)
		}
	}
}

// FuzzJSON checks that JSON leaves no character Escape escapes in the
// bytes and that the text decodes to the same value.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{"", "basildon.csv", "a\x1b[31mb", "\u202e", "\u0085", "\x7f", `\`, "\xff", "日本\u2028", "\U000e0041"} {
		f.Add(s, s+"x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		in := map[string]any{a: []string{b, a}, "n": 1}
		raw, err := json.Marshal(in)
		if err != nil {
			t.Skip()
		}
		out := JSON(raw)
		if needsEscape(strings.ReplaceAll(string(out), `\`, "")) {
			t.Fatalf("JSON(%s) = %s holds a character to escape", raw, out)
		}
		var x, y any
		if err := json.Unmarshal(raw, &x); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &y); err != nil {
			t.Fatalf("JSON(%s) = %s: %v", raw, out, err)
		}
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("JSON(%s) = %s decodes to %v, want %v", raw, out, y, x)
		}
	})
}
