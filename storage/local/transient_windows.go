//go:build windows

package local

import (
	"errors"
	"syscall"
)

// Windows error codes (winerror.h) for a file another process holds
// open or locked for now: the district's upload still writing it, or a
// virus scanner reading it.
const (
	errorSharingViolation syscall.Errno = 32 // ERROR_SHARING_VIOLATION
	errorLockViolation    syscall.Errno = 33 // ERROR_LOCK_VIOLATION
)

// transientErrno reports whether err carries an error code that a retry
// may cure.
func transientErrno(err error) bool {
	for _, e := range []syscall.Errno{errorSharingViolation, errorLockViolation, syscall.EINTR, syscall.EAGAIN} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
