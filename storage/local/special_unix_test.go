//go:build unix

package local_test

import (
	"os"
	"syscall"
	"testing"
)

// symlink makes a symbolic link at name pointing to target.
func symlink(t *testing.T, target, name string) { must(t, os.Symlink(target, name)) }

// special makes a special file (a FIFO) at name.
func special(t *testing.T, name string) { must(t, syscall.Mkfifo(name, 0o600)) }
