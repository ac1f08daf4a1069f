package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"landingd/transform"
)

func TestKeygen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pseudonym.key")
	code, out, errOut := runCmd(t, "keygen", path)
	if code != exitOK || !strings.Contains(out, path) {
		t.Fatalf("exit %d, %q %q", code, out, errOut)
	}
	st, err := os.Stat(path)
	if err != nil || runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", st.Mode(), err)
	}
	key, _ := os.ReadFile(path)
	if strings.Contains(out+errOut, strings.TrimSpace(string(key))) {
		t.Fatal("keygen printed the key")
	}
	if _, warn, err := transform.ReadKeyFile(path); err != nil || warn != "" {
		t.Fatalf("read back: %v %q", err, warn)
	}
	if code, _, errOut := runCmd(t, "keygen", path); code != exitFailed || !strings.Contains(errOut, "never overwrites") {
		t.Fatalf("second keygen: exit %d, %q", code, errOut)
	}
	if again, _ := os.ReadFile(path); string(again) != string(key) {
		t.Fatal("key changed")
	}
	if code, _, _ := runCmd(t, "keygen"); code != exitUsage {
		t.Fatalf("no argument: exit %d", code)
	}
	if code, _, _ := runCmd(t, "keygen", filepath.Join(t.TempDir(), "no", "such", "dir", "k")); code != exitFailed {
		t.Fatalf("bad folder: exit %d", code)
	}
}
