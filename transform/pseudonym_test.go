package transform

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestPseudonym(t *testing.T) {
	p, err := NewPseudonymiser([]byte("  " + testKey + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, []byte(testKey))
	m.Write([]byte("E07000066\x1fCASE-1"))
	want := hex.EncodeToString(m.Sum(nil))
	if got := p.Pseudonym("E07000066", "CASE-1"); got != want {
		t.Fatalf("pseudonym %s, want %s", got, want)
	}
	if p.Pseudonym("E07000066", "CASE-2") == want || p.Pseudonym("E07000067", "CASE-1") == want {
		t.Fatal("different cases share a pseudonym")
	}
	tok := p.ErasureToken("E07000066", "CASE-1")
	if tok == want || len(tok) != 64 || tok != p.ErasureToken("E07000066", "CASE-1") {
		t.Fatalf("erasure token %s", tok)
	}
	if _, err := NewPseudonymiser([]byte(strings.Repeat("k", 31) + "   ")); err == nil {
		t.Fatal("short key accepted")
	}
	e1, _ := NewEphemeralPseudonymiser()
	e2, _ := NewEphemeralPseudonymiser()
	if e1.Pseudonym("a", "b") == e2.Pseudonym("a", "b") {
		t.Fatal("ephemeral keys repeat")
	}
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pseudonym.key")
	if err := WriteKeyFile(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", st.Mode(), err)
	}
	first, _ := os.ReadFile(path)
	if err := WriteKeyFile(path); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("overwrite: %v", err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(first) {
		t.Fatal("key file changed")
	}
	p, warn, err := ReadKeyFile(path)
	if err != nil || warn != "" {
		t.Fatalf("read: %v %q", err, warn)
	}
	q, _, _ := ReadKeyFile(path)
	if p.Pseudonym("E07000066", "X") != q.Pseudonym("E07000066", "X") {
		t.Fatal("same key file, different pseudonyms")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, warn, err := ReadKeyFile(path); err != nil || runtime.GOOS != "windows" && !strings.Contains(warn, "0644") {
		t.Fatalf("warning %q, %v", warn, err)
	}
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte("tooshort-secret\n"), 0o600)
	if _, _, err := ReadKeyFile(short); err == nil || strings.Contains(err.Error(), "tooshort-secret") {
		t.Fatalf("short key: %v", err)
	}
	if _, _, err := ReadKeyFile(filepath.Join(dir, "none")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
}

func TestCheckKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, want string // want: the start of the error, "" for none
	}{
		{name: "keygen's", key: "q3Zb2v8m1XkT0sJ9wYc4LrF7pN6eHdGa5uBiOoKjMlE=", want: ""},
		{name: "hex", key: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", want: ""},
		{name: "passphrase", key: "correct horse battery staple, twice over", want: ""},
		{name: "test key", key: testKey, want: ""},
		{name: "short", key: "abc", want: "pseudonymisation key: 3 bytes, need at least 32; make a key with landingd keygen"},
		{name: "one byte repeated", key: strings.Repeat("a", 32), want: "pseudonymisation key: a pattern of 1 byte(s) repeated"},
		{name: "two bytes", key: strings.Repeat("ab", 20), want: "pseudonymisation key: a pattern of 2 byte(s) repeated"},
		{name: "three bytes, cut", key: strings.Repeat("xyz", 11) + "x", want: "pseudonymisation key: a pattern of 3 byte(s) repeated"},
		{name: "four bytes", key: strings.Repeat("0000", 7) + strings.Repeat("0001", 2), want: "pseudonymisation key: only 2 different bytes"},
		{name: "four-byte pattern", key: strings.Repeat("k3y!", 8), want: "pseudonymisation key: a pattern of 4 byte(s) repeated"},
		{name: "few distinct", key: strings.Repeat("abcdefg", 5), want: "pseudonymisation key: only 7 different bytes"},
	}
	for _, tt := range tests {
		err := CheckKey([]byte(tt.key))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: CheckKey = %v, want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
			t.Errorf("%s: CheckKey = %v, want %q…", tt.name, err, tt.want)
		case err != nil && (strings.Contains(err.Error(), tt.key) || !strings.HasSuffix(err.Error(), "make a key with landingd keygen")):
			t.Errorf("%s: CheckKey = %v: quotes the key or gives no advice", tt.name, err)
		}
	}
}
