//go:build !linux

package storagetest

import "os/exec"

// setDeathSignal does nothing outside Linux: the test's cleanups stop the
// server.
func setDeathSignal(*exec.Cmd) {}
