package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"landingd/internal/testtier"
	"landingd/storage/storagetest"
)

// The end-to-end tests drive the built binary, as an operator would.

// endToEnd is why a test that drives the built binary is in the slow
// tier.
const endToEnd = "drives the built binary end to end"

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// TestMain runs this test binary as landingd itself when it is started
// under that name (see landingdBin); otherwise it runs the tests.
func TestMain(m *testing.M) {
	if strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe") == "landingd" {
		main()
		return
	}
	code := m.Run()
	storagetest.StopSSHD()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// landingdBin returns the landingd binary the end-to-end tests run: this
// test binary, linked (or copied) under the name landingd, which
// TestMain turns into main. It holds the same main package as a built
// landingd, and saves building and linking a second binary.
func landingdBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		var self string
		if self, binErr = os.Executable(); binErr != nil {
			return
		}
		if binDir, binErr = os.MkdirTemp("", "landingd-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "landingd")
		if runtime.GOOS == "windows" {
			binPath += ".exe"
		}
		if os.Link(self, binPath) == nil {
			return
		}
		binErr = copyFile(self, binPath)
	})
	if binErr != nil {
		t.Fatalf("make the landingd binary: %v", binErr)
	}
	return binPath
}

// copyFile copies the executable at from to a new file at to.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// result is one finished command.
type result struct {
	code           int
	stdout, stderr string
}

// runBin runs the binary with args and a timeout, in dir.
func runBin(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runWith(t, dir, "", nil, args...)
}

// runBinStdin is runBin with stdin as the child's standard input.
func runBinStdin(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	return runWith(t, dir, stdin, nil, args...)
}

// runEnv is runBin with extra environment variables for the child.
func runEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	return runWith(t, dir, "", env, args...)
}

// runWith runs the binary with args in dir, with a timeout, stdin as its
// standard input and env added to this process's environment.
func runWith(t *testing.T, dir, stdin string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := testtier.Command(ctx, landingdBin(t), args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run landingd %v: %v", args, err)
	}
	return result{code: code, stdout: so.String(), stderr: se.String()}
}

// rawCaseRef matches every synthetic case reference the generator makes.
var rawCaseRef = regexp.MustCompile(`SYN-[A-Z]{3}-[0-9]+`)

// assertNoRawCaseRefs fails when any file under root (except the
// districts' own source files, which are theirs) holds a raw case_ref.
func assertNoRawCaseRefs(t *testing.T, root string, skip func(path string) bool) {
	t.Helper()
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || (skip != nil && skip(path)) {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if m := rawCaseRef.Find(b); m != nil {
			t.Errorf("%s holds a raw case_ref (%d bytes in)", path, bytes.Index(b, m))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
