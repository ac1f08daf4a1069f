// Package atomicfile writes local files so that a reader, or the file
// system after a crash, sees either the old file or the whole new one.
//
// Every local writer uses it: the local landing zone and output, the
// synthetic data generator, the pseudonymisation key and the daemon's
// record of sent alerts. It is hand-written rather than taken from
// github.com/google/renameio because renameio does not build for Windows
// and does not sync the folder after the rename, which is what makes the
// rename itself survive a crash.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes path through a temporary file in the same folder: fn
// writes the content, then the file gets perm, is synced and closed,
// renamed over path, and the folder is synced. pattern names the
// temporary file as os.CreateTemp does (start it with "." so that folder
// listings skip it). fn's error is returned as is; other errors name the
// step ("syncing: ..."). On any error the temporary file is removed and
// path is left as it was.
func Write(path, pattern string, perm fs.FileMode, fn func(w io.Writer) error) error {
	return write(path, pattern, perm, fn, "renaming", os.Rename)
}

// WriteNew is Write for a file that must not exist yet: the temporary file
// is linked to path, which fails with an error satisfying
// errors.Is(err, fs.ErrExist) when path exists, and then removed.
func WriteNew(path, pattern string, perm fs.FileMode, fn func(w io.Writer) error) error {
	return write(path, pattern, perm, fn, "linking", func(tmp, path string) error {
		if err := os.Link(tmp, path); err != nil {
			return err
		}
		return os.Remove(tmp)
	})
}

func write(path, pattern string, perm fs.FileMode, fn func(w io.Writer) error, step string, place func(tmp, path string) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return fmt.Errorf("creating a temporary file: %w", bare(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = fn(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("setting its mode: %w", bare(err))
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("syncing: %w", bare(err))
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("closing: %w", bare(err))
	}
	if err = place(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", step, bare(err))
	}
	return SyncDir(dir)
}

// SyncDir syncs folder dir, so that a rename, creation or removal in it
// survives a crash. Windows cannot sync a folder: there it does nothing.
func SyncDir(dir string) error {
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("syncing folder: %w", bare(err))
	}
	return nil
}

// bare drops the path an *fs.PathError or *os.LinkError repeats: the
// caller's wrap names the file, and the temporary name is noise.
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
