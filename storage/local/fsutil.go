package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"landingd/internal/atomicfile"
	"landingd/storage"
)

// checkRegular returns nil when fi is a regular file, and an
// ErrUnsafeName error naming its type otherwise.
func checkRegular(fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%s): %w", fi.Mode().Type(), storage.ErrUnsafeName)
	}
	return nil
}

// lstatRegular returns path's FileInfo when it is a regular file, an
// fs.ErrNotExist error when it is missing, and an ErrUnsafeName error for
// anything else (a symbolic link, a folder, a special file).
func lstatRegular(path string) (fs.FileInfo, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, bare(err)
	}
	if err := checkRegular(fi); err != nil {
		return nil, err
	}
	return fi, nil
}

// removeFile removes path, which must be a regular file (see
// lstatRegular). The caller syncs the folder.
func removeFile(path string) error {
	if _, err := lstatRegular(path); err != nil {
		return err
	}
	return bare(os.Remove(path))
}

// ensureDir creates dir (0750) when missing and checks it is a real
// folder, not a symbolic link.
func ensureDir(dir string) error {
	err := os.Mkdir(dir, 0o750)
	if err == nil {
		return atomicfile.SyncDir(filepath.Dir(dir))
	}
	if !errors.Is(err, fs.ErrExist) {
		return bare(err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return bare(err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder (%s): %w", dir, fi.Mode().Type(), storage.ErrUnsafeName)
	}
	return nil
}

// writeAtomic writes r to path, mode 0640, through a temporary file in
// the same folder (see atomicfile.Write). It refuses to replace anything
// but a regular file (an ErrUnsafeName error), and reading r stops with
// ctx's error once ctx ends. On any error the temporary file is removed
// and path is left as it was.
func writeAtomic(ctx context.Context, path string, r io.Reader) error {
	if _, err := lstatRegular(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return atomicfile.Write(path, ".landingd-*.tmp", 0o640, func(w io.Writer) error {
		if _, err := io.Copy(w, storage.ContextReader(ctx, r)); err != nil {
			return fmt.Errorf("writing: %w", bare(err))
		}
		return nil
	})
}

// bare drops the path an *fs.PathError or *os.LinkError repeats, since our
// own wrap already names the object.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
