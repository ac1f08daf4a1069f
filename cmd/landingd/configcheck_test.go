package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		edit     func(t *testing.T, dir string)
		wantCode int
		wantOut  []string // lines that must appear in stdout or stderr
	}{
		{"all well", nil, exitOK, []string{
			"ok    zone basildon local:", "file(s) waiting", "ok    output local:", "All checks passed."}},
		{"a zone is gone", func(t *testing.T, dir string) {
			zone := filepath.Join(dir, "landing", "maldon")
			if err := os.RemoveAll(zone); err != nil {
				t.Fatal(err)
			}
		}, exitFailed, []string{"FAIL  zone maldon local:", "ok    zone basildon", "1 check(s) failed."}},
		{"the key is missing", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "keys", "pseudonym.key")); err != nil {
				t.Fatal(err)
			}
		}, exitFailed, []string{"FAIL  pseudonymisation key"}},
		{"invalid protocol", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "protocol.yaml")
			b, _ := os.ReadFile(p)
			if err := os.WriteFile(p, bytes.Replace(b, []byte("max_row_error_rate: 0.05"), []byte("max_row_error_rate: lots"), 1), 0o600); err != nil {
				t.Fatal(err)
			}
		}, exitUsage, []string{"max_row_error_rate"}},
		{"an SFTP path that is not clean", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "protocol.yaml")
			b, _ := os.ReadFile(p)
			sftp := []byte("landing: {kind: sftp, address: sftp.maldon.gov.uk, user: u, path: /upload/../basildon, key_file: keys/maldon, known_hosts: keys/known_hosts}")
			edited := bytes.Replace(b, []byte("landing: {kind: local, path: landing/maldon}"), sftp, 1)
			if bytes.Equal(edited, b) {
				t.Fatal("the demo protocol has no local zone for maldon to replace")
			}
			if err := os.WriteFile(p, edited, 0o600); err != nil {
				t.Fatal(err)
			}
		}, exitUsage, []string{`partners[8].landing.path: "/upload/../basildon" is not a clean path`}},
		{"webhook named but unset", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "protocol.yaml")
			b, _ := os.ReadFile(p)
			if err := os.WriteFile(p, bytes.Replace(b, []byte("alerts: {}"), []byte("alerts: {webhook_url_env: LANDINGD_TEST_UNSET_HOOK}"), 1), 0o600); err != nil {
				t.Fatal(err)
			}
		}, exitFailed, []string{"FAIL  alert webhook URL (not sent): read secret: environment variable LANDINGD_TEST_UNSET_HOOK is not set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := writeDemo(dir, 5, time.Now()); err != nil {
				t.Fatal(err)
			}
			if tt.edit != nil {
				tt.edit(t, dir)
			}
			before := listTree(t, dir)
			var stdout, stderr bytes.Buffer
			code := realMain(context.Background(), &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }},
				[]string{"config", "check", "--config", filepath.Join(dir, "protocol.yaml")})
			if code != tt.wantCode {
				t.Errorf("exit = %d, want %d\n%s%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			all := stdout.String() + stderr.String()
			for _, w := range tt.wantOut {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			// A check ingests nothing and moves nothing (opening a local
			// output makes its folder, which is all it may add).
			if after := listTree(t, dir); after != before {
				t.Errorf("config check changed the folder:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func listTree(t *testing.T, dir string) string {
	t.Helper()
	var names []string
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == "out" && info.IsDir() {
			return nil
		}
		names = append(names, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(names, " ")
}
