package systemd

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUnitHardening checks the settings the deployment relies on.
func TestUnitHardening(t *testing.T) {
	f, err := os.Open("landingd.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("not key=value: %q", line)
			continue
		}
		got[k] = append(got[k], v)
	}
	want := map[string]string{
		"User":                    "landingd",
		"ExecStart":               "/usr/local/bin/landingd serve --config /etc/landingd/protocol.yaml",
		"ProtectSystem":           "strict",
		"ReadWritePaths":          "/var/lib/landingd",
		"NoNewPrivileges":         "yes",
		"PrivateTmp":              "yes",
		"CapabilityBoundingSet":   "",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"SystemCallFilter":        "@system-service",
		"ProtectHome":             "yes",
		"PrivateDevices":          "yes",
		"LockPersonality":         "yes",
		"MemoryDenyWriteExecute":  "yes",
		"RestrictNamespaces":      "yes",
		"UMask":                   "0077",
		"Restart":                 "on-failure",
	}
	for k, v := range want {
		if len(got[k]) == 0 || got[k][0] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	// The stop timeout must exceed the default shutdown_timeout (30 s).
	if d, err := time.ParseDuration(strings.TrimSpace(first(got["TimeoutStopSec"])) + "s"); err != nil || d <= 30*time.Second {
		t.Errorf("TimeoutStopSec = %v, want more than 30 s", got["TimeoutStopSec"])
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// TestUnitVerifies runs systemd-analyze verify where it is installed.
func TestUnitVerifies(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if strings.Contains(os.Getenv("LANDINGD_TEST_REQUIRE"), "systemd") {
			t.Fatal("systemd-analyze is required (LANDINGD_TEST_REQUIRE) but missing")
		}
		t.Skip("systemd-analyze is not installed")
	}
	// verify checks that ExecStart's binary exists: point a copy of the
	// unit at a stand-in.
	dir := t.TempDir()
	bin := filepath.Join(dir, "landingd")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("landingd.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(dir, "landingd.service")
	if err := os.WriteFile(unit, []byte(strings.ReplaceAll(string(b), "/usr/local/bin/landingd", bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, sa, "verify", "--man=no", unit).CombinedOutput()
	// Messages about other units on this machine are not ours; any line
	// naming our unit file is a finding.
	var ours []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "landingd.service") {
			ours = append(ours, line)
		}
	}
	if len(ours) > 0 || (err != nil && len(strings.TrimSpace(string(out))) == 0) {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	t.Logf("systemd-analyze verify: %v\n%s", err, out)
}
