package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

var errHalfway = errors.New("writer gave up halfway")

func TestWrite(t *testing.T) {
	t.Parallel()
	content := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	failing := func(w io.Writer) error {
		if _, err := io.WriteString(w, "partial"); err != nil {
			return err
		}
		return errHalfway
	}
	tests := []struct {
		name    string
		old     string // "" for no file before
		write   func(path string) error
		want    string      // the file after; "" for none
		perm    fs.FileMode // its mode, when written
		wantErr error       // errors.Is
	}{
		{"new file", "", func(p string) error { return Write(p, ".t-*", 0o640, content("v1")) }, "v1", 0o640, nil},
		{"replace", "v1", func(p string) error { return Write(p, ".t-*", 0o640, content("v2")) }, "v2", 0o640, nil},
		{"writer fails on a new file", "", func(p string) error { return Write(p, ".t-*", 0o640, failing) }, "", 0, errHalfway},
		{"writer fails over a file", "v1", func(p string) error { return Write(p, ".t-*", 0o640, failing) }, "v1", 0, errHalfway},
		{"new only, absent", "", func(p string) error { return WriteNew(p, ".t-*", 0o600, content("key")) }, "key", 0o600, nil},
		{"new only, present", "v1", func(p string) error { return WriteNew(p, ".t-*", 0o600, content("key")) }, "v1", 0, fs.ErrExist},
		{"new only, writer fails", "", func(p string) error { return WriteNew(p, ".t-*", 0o600, failing) }, "", 0, errHalfway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "f.txt")
			if tt.old != "" {
				if err := os.WriteFile(path, []byte(tt.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := tt.write(path)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			got, rerr := os.ReadFile(path)
			switch {
			case tt.want == "" && !errors.Is(rerr, fs.ErrNotExist):
				t.Errorf("after: %q, %v; want no file", got, rerr)
			case tt.want != "" && string(got) != tt.want:
				t.Errorf("after: %q, %v; want %q", got, rerr, tt.want)
			}
			ents, _ := os.ReadDir(dir)
			if want := min(1, len(tt.want)); len(ents) != want {
				t.Errorf("the folder holds %d entries, want %d (no temporary file left)", len(ents), want)
			}
			if err == nil && runtime.GOOS != "windows" {
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != tt.perm {
					t.Errorf("mode = %v, want %v", fi.Mode().Perm(), tt.perm)
				}
			}
		})
	}
}
