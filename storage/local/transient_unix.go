//go:build unix

package local

import (
	"errors"
	"syscall"
)

// transientErrno reports whether err carries an errno that a retry may
// cure. The os package already repeats calls that return EINTR; it is
// listed for the calls that still surface it. EBUSY is what SMB and NFS
// mounts answer for a file another client holds open.
func transientErrno(err error) bool {
	for _, e := range []syscall.Errno{syscall.EINTR, syscall.EAGAIN, syscall.EBUSY, syscall.ETIMEDOUT} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
