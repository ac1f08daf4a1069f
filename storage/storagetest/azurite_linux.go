package storagetest

import (
	"os/exec"
	"syscall"
)

// setDeathSignal asks Linux to kill the server if the test binary dies
// without running its cleanups, so no server outlives its test.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
