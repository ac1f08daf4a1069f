//go:build windows

package local

import (
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"landingd/storage"
)

// TestClassifyWindows checks the error codes only Windows answers.
func TestClassifyWindows(t *testing.T) {
	t.Parallel()
	for errno, want := range map[syscall.Errno]bool{errorSharingViolation: true, errorLockViolation: true, syscall.ERROR_ACCESS_DENIED: false} {
		err := fmt.Errorf("open x: %w", &fs.PathError{Op: "open", Path: "x", Err: errno})
		classify(&err, nil)
		if got := storage.IsTransient(err); got != want {
			t.Errorf("%v: IsTransient = %v, want %v", errno, got, want)
		}
	}
}
