//go:build unix

package local

import (
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"landingd/storage"
)

// TestClassifyUnix checks the errnos only Unix answers.
func TestClassifyUnix(t *testing.T) {
	t.Parallel()
	for errno, want := range map[syscall.Errno]bool{syscall.EBUSY: true, syscall.ETIMEDOUT: true, syscall.EISDIR: false, syscall.EROFS: false} {
		err := fmt.Errorf("put x: %w", &fs.PathError{Op: "rename", Path: "x", Err: errno})
		classify(&err, nil)
		if got := storage.IsTransient(err); got != want {
			t.Errorf("%v: IsTransient = %v, want %v", errno, got, want)
		}
	}
}
