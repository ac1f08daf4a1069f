package deploy_test

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReleaseScript builds the archive for this machine's target with
// release.sh, checks SHA256SUMS against it, and runs the binary inside to
// see the stamped version.
func TestReleaseScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds landingd: slow")
	}
	if runtime.GOOS != "linux" {
		t.Skip("release.sh runs on Linux")
	}
	out := t.TempDir()
	target := runtime.GOOS + "/" + runtime.GOARCH
	cmd := exec.Command("bash", "release.sh", "9.8.7-test", target)
	cmd.Env = append(os.Environ(), "OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh: %v\n%s", err, b)
	}
	name := "landingd_9.8.7-test_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	archive, err := os.ReadFile(filepath.Join(out, name))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(archive)
	if want := hex.EncodeToString(sum[:]) + "  " + name + "\n"; string(sums) != want {
		t.Fatalf("SHA256SUMS = %q, want %q", sums, want)
	}

	gz, err := gzip.NewReader(strings.NewReader(string(archive)))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	exe := filepath.Join(t.TempDir(), "landingd")
	var found []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, h.Name)
		if h.Name == strings.TrimSuffix(name, ".tar.gz")+"/landingd" {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(exe, b, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	b, err := exec.Command(exe, "version").Output()
	if err != nil {
		t.Fatalf("landingd version: %v (archive holds %q)", err, found)
	}
	if got := string(b); !strings.HasPrefix(got, "landingd 9.8.7-test\ncommit: ") || strings.Contains(got, "commit: unknown") {
		t.Errorf("landingd version = %q, want the stamped version and a commit", got)
	}
}
