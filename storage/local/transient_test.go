package local

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"landingd/storage"
)

// TestClassify checks which file system errors are marked transient,
// wrapped as the zone's methods wrap them.
func TestClassify(t *testing.T) {
	t.Parallel()
	fromFS := func(errno syscall.Errno) error {
		return fmt.Errorf("open file:///zone/q4.csv: %w", &fs.PathError{Op: "open", Path: "/zone/q4.csv", Err: errno})
	}
	callbacks := errors.New("the callback's own error")
	tests := []struct {
		name string
		err  error
		skip error
		want bool
	}{
		{"interrupted", fromFS(syscall.EINTR), nil, true},
		{"try again", fromFS(syscall.EAGAIN), nil, true},
		{"missing", fromFS(syscall.ENOENT), nil, false},
		{"permission", fromFS(syscall.EACCES), nil, false},
		{"disk full", fromFS(syscall.ENOSPC), nil, false},
		{"changed", fmt.Errorf("move q4.csv: %w", storage.ErrChanged), nil, false},
		{"callback's", callbacks, callbacks, false},
		{"nil", nil, nil, false},
	}
	for _, tt := range tests {
		err := tt.err
		classify(&err, tt.skip)
		if got := storage.IsTransient(err); got != tt.want {
			t.Errorf("%s: IsTransient = %v, want %v (%v)", tt.name, got, tt.want, err)
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: classified error %v no longer wraps %v", tt.name, err, tt.err)
		}
		if tt.skip != nil && err != tt.skip {
			t.Errorf("%s: the callback's error is not returned as is: %v", tt.name, err)
		}
	}
}
