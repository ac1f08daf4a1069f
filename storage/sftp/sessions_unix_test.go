//go:build unix

package sftp_test

import (
	"syscall"
	"testing"

	"landingd/storage/storagetest"
)

// stopSessions freezes the server side of every connection (SIGSTOP), so
// calls block, and thaws them when the test ends.
func stopSessions(t *testing.T, s *storagetest.SSHD) {
	pids := s.Sessions()
	if len(pids) == 0 {
		t.Fatal("no sessions to stop")
	}
	for _, p := range pids {
		syscall.Kill(p, syscall.SIGSTOP)
	}
	t.Cleanup(func() {
		for _, p := range pids {
			syscall.Kill(p, syscall.SIGCONT)
		}
	})
}
