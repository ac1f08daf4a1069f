//go:build unix

package local

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"landingd/storage"
)

// openFlags opens read-only without following a final symbolic link and
// without blocking on a FIFO.
const openFlags = os.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// openRegular opens path for reading and checks it is a regular file. A
// symbolic link or other special file is an ErrUnsafeName error. The
// kernel refuses the link itself (O_NOFOLLOW), so nothing can be swapped
// in between a check and the open.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, openFlags, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("symbolic link: %w", storage.ErrUnsafeName)
	}
	if err != nil {
		return nil, bare(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, bare(err)
	}
	if err := checkRegular(fi); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkLocalName refuses names the system gives a special meaning; a
// Unix filesystem gives none beyond what storage.CheckName refuses.
func checkLocalName(string) error { return nil }
