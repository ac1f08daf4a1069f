package transform

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
	if err != nil || st.Mode().Perm() != 0o600 {
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
	if _, warn, err := ReadKeyFile(path); err != nil || !strings.Contains(warn, "0644") {
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
