//go:build !unix

package sftp_test

import (
	"testing"

	"landingd/storage/storagetest"
)

// stopSessions needs SIGSTOP, which this system lacks; the sshd harness
// runs on Linux only, so no test gets here.
func stopSessions(t *testing.T, _ *storagetest.SSHD) { t.Skip("SIGSTOP is Unix only") }
