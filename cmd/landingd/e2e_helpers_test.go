package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The end-to-end tests drive the built binary, as an operator would.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// landingdBin builds the binary once per test process.
func landingdBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "landingd-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "landingd")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build landingd: %v\n%s", buildErr, binPath)
	}
	return binPath
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
	cmd := exec.CommandContext(ctx, landingdBin(t), args...)
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
