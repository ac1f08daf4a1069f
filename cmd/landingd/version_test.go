package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	t.Parallel()
	vcs := func(rev, modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}}
	}
	goLine := "go: " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	tests := []struct {
		name            string
		version, commit string
		bi              *debug.BuildInfo
		want            string
	}{
		{"Stamped", "1.2.0", "abc123", vcs("fff", "true"), "landingd 1.2.0\ncommit: abc123\n" + goLine},
		{"FromBuildInfo", "0.1.0-dev", "", vcs("def456", "false"), "landingd 0.1.0-dev\ncommit: def456\n" + goLine},
		{"DirtyTree", "0.1.0-dev", "", vcs("def456", "true"), "landingd 0.1.0-dev\ncommit: def456-dirty\n" + goLine},
		{"NoBuildInfo", "0.1.0-dev", "", nil, "landingd 0.1.0-dev\ncommit: unknown\n" + goLine},
		{"NoRevision", "0.1.0-dev", "", &debug.BuildInfo{}, "landingd 0.1.0-dev\ncommit: unknown\n" + goLine},
	}
	for _, tt := range tests {
		if got := versionText(tt.version, tt.commit, tt.bi); got != tt.want {
			t.Errorf("%s: versionText = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	t.Parallel()
	code, out, _ := runCmd(t, "version")
	if code != exitOK || !strings.HasPrefix(out, versionInfo+"\ncommit: ") || !strings.Contains(out, "go: "+runtime.Version()) {
		t.Fatalf("exit %d, output %q", code, out)
	}
}
