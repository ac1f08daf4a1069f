package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version and commit are stamped at build time by deploy/release.sh:
//
//	go build -ldflags "-X main.version=1.2.0 -X main.commit=$(git rev-parse HEAD)"
//
// An unstamped build says it is a development build, and takes its commit
// from the build information the go command records (vcs.revision).
var (
	version = "0.1.0-dev"
	commit  = ""
)

// versionInfo names this build in manifests and the state ("landingd
// 1.2.0"). It is set in init, not in its declaration, so that it reads the
// version the linker stamped.
var versionInfo string

func init() {
	versionInfo = "landingd " + version
}

// versionText is what "landingd version" prints: the version, the commit
// (stamped, else the build information's vcs.revision, marked "-dirty"
// when the tree had changes, else "unknown") and the Go version and
// target. bi may be nil.
func versionText(version, commit string, bi *debug.BuildInfo) string {
	if commit == "" && bi != nil {
		var modified bool
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if commit != "" && modified {
			commit += "-dirty"
		}
	}
	if commit == "" {
		commit = "unknown"
	}
	return fmt.Sprintf("landingd %s\ncommit: %s\ngo: %s %s/%s\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
