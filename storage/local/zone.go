package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"landingd/internal/atomicfile"
	"landingd/storage"
)

// maxClash bounds the names Move tries when the name is taken.
const maxClash = 1000

// Zone is a landing zone on a local folder. Its methods are safe for
// concurrent use. See the package doc for what is atomic.
type Zone struct {
	root string
	now  func() time.Time
}

var _ storage.Zone = (*Zone)(nil)

// NewZone returns a zone over the folder root, which must exist (it may
// be reached through a symbolic link; the folders inside it may not). It
// returns an error when root is missing or not a folder.
func NewZone(root string) (*Zone, error) {
	abs, err := checkRoot(root)
	if err != nil {
		return nil, fmt.Errorf("opening zone %s: %w", root, err)
	}
	return &Zone{root: abs, now: time.Now}, nil
}

func checkRoot(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", bare(err)
	}
	if !fi.IsDir() {
		return "", errors.New("not a folder")
	}
	return abs, nil
}

// Root returns the zone's absolute folder.
func (z *Zone) Root() string { return z.root }

// String names the zone, for example "file:///srv/landing/braintree".
func (z *Zone) String() string { return "file://" + filepath.ToSlash(z.root) }

// Close does nothing: a local zone holds no connections.
func (z *Zone) Close() error { return nil }

// dir returns the folder's path, checking it is a known folder that is
// not a symbolic link. exists is false when the folder is missing.
func (z *Zone) dir(f storage.Folder) (path string, exists bool, err error) {
	if err := storage.CheckFolder(f); err != nil {
		return "", false, err
	}
	if f == storage.Top {
		return z.root, true, nil
	}
	path = filepath.Join(z.root, string(f))
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, false, nil
	}
	if err != nil {
		return "", false, bare(err)
	}
	if !fi.IsDir() {
		return "", false, fmt.Errorf("%s is not a folder (%s): %w", f, fi.Mode().Type(), storage.ErrUnsafeName)
	}
	return path, true, nil
}

// obj returns the path of name in folder f after the safety checks.
func (z *Zone) obj(f storage.Folder, name string) (string, error) {
	if err := storage.CheckName(name); err != nil {
		return "", err
	}
	if err := checkLocalName(name); err != nil {
		return "", err
	}
	dir, _, err := z.dir(f)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

func (z *Zone) label(f storage.Folder, name string) string {
	if f == storage.Top {
		return filepath.Join(z.root, name)
	}
	return filepath.Join(z.root, string(f), name)
}

// List calls fn for each regular file in folder whose name does not start
// with ".", skipping sub-folders, symbolic links and special files. A
// missing Processed or Rejected folder lists nothing. It returns ctx's
// error once ctx is cancelled (fn is not called again), the error from fn
// as is, or an error reading the folder.
func (z *Zone) List(ctx context.Context, folder storage.Folder, fn func(storage.Object) error) (err error) {
	var fnErr error
	defer func() { classify(&err, fnErr) }()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("list %s: %w", z.label(folder, ""), err)
	}
	dir, exists, err := z.dir(folder)
	if err != nil {
		return fmt.Errorf("list %s: %w", z.label(folder, ""), err)
	}
	if !exists {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, bare(err))
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		fi, err := e.Info() // Lstat
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since ReadDir
		}
		if err != nil {
			return fmt.Errorf("list %s: %w", filepath.Join(dir, e.Name()), bare(err))
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("list %s: %w", dir, err)
		}
		if fnErr = fn(storage.Object{Name: e.Name(), Size: fi.Size(), ModTime: fi.ModTime()}); fnErr != nil {
			return fnErr
		}
	}
	return nil
}

// Open opens name in folder for reading. A missing name is an
// fs.ErrNotExist error; a symbolic link or special file is an
// ErrUnsafeName error. Reads return ctx's error once ctx is cancelled.
func (z *Zone) Open(ctx context.Context, folder storage.Folder, name string) (_ io.ReadCloser, err error) {
	defer classify(&err, nil)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open %s: %w", z.label(folder, name), err)
	}
	p, err := z.obj(folder, name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", z.label(folder, name), err)
	}
	f, err := openRegular(p)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	return readCloser{storage.ContextReader(ctx, f), f}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// Move moves obj from the top level into folder to (Processed or
// Rejected), creating the folder (0750) if needed, and returns the name
// it got: obj.Name itself, or with a UTC timestamp before the extension
// (and a counter if that is taken too) when the name is taken. It never
// overwrites. A missing file is an fs.ErrNotExist error; a symbolic link
// is an ErrUnsafeName error; a file whose size or modification time is
// no longer obj's is an ErrChanged error and stays where it is. The check
// and the rename are two steps: a file rewritten between them is moved.
func (z *Zone) Move(ctx context.Context, obj storage.Object, to storage.Folder) (_ string, err error) {
	defer classify(&err, nil)
	name := obj.Name
	src := z.label(storage.Top, name)
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("move %s: %w", src, err)
	}
	if to != storage.Processed && to != storage.Rejected {
		if err := storage.CheckFolder(to); err != nil {
			return "", fmt.Errorf("move %s: %w", src, err)
		}
		return "", fmt.Errorf("move %s: cannot move to folder %q", src, string(to))
	}
	if err := storage.CheckName(name); err != nil {
		return "", fmt.Errorf("move %s: %w", src, err)
	}
	if err := checkLocalName(name); err != nil {
		return "", fmt.Errorf("move %s: %w", src, err)
	}
	fi, err := lstatRegular(src)
	if err != nil {
		return "", fmt.Errorf("move %s: %w", src, err)
	}
	if !storage.SameVersion(obj, storage.Object{Name: name, Size: fi.Size(), ModTime: fi.ModTime()}) {
		return "", fmt.Errorf("move %s: %w", src, storage.ErrChanged)
	}
	dir, _, err := z.dir(to)
	if err != nil {
		return "", fmt.Errorf("move %s: %w", src, err)
	}
	if err := ensureDir(dir); err != nil {
		return "", fmt.Errorf("move %s: creating %s: %w", src, dir, err)
	}
	now := z.now()
	for n := range maxClash {
		got := storage.ClashName(name, now, n)
		err := renameNoReplace(src, filepath.Join(dir, got))
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("move %s to %s: %w", src, to, bare(err))
		}
		if err := atomicfile.SyncDir(dir); err != nil {
			return got, fmt.Errorf("move %s to %s: %w", src, to, err)
		}
		if err := atomicfile.SyncDir(z.root); err != nil {
			return got, fmt.Errorf("move %s to %s: %w", src, to, err)
		}
		return got, nil
	}
	return "", fmt.Errorf("move %s to %s: %d names taken", src, to, maxClash)
}

// Put writes r to name in folder atomically (see the package doc),
// creating the folder if needed. The file gets mode 0640. On error,
// including ctx being cancelled, any previous file is left whole.
func (z *Zone) Put(ctx context.Context, folder storage.Folder, name string, r io.Reader) (err error) {
	defer classify(&err, nil)
	label := z.label(folder, name)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", label, err)
	}
	p, err := z.obj(folder, name)
	if err != nil {
		return fmt.Errorf("put %s: %w", label, err)
	}
	if folder != storage.Top {
		if err := ensureDir(filepath.Dir(p)); err != nil {
			return fmt.Errorf("put %s: %w", label, err)
		}
	}
	if err := writeAtomic(ctx, p, r); err != nil {
		return fmt.Errorf("put %s: %w", label, err)
	}
	return nil
}

// Delete removes name from folder. A missing name is an fs.ErrNotExist
// error; a symbolic link or folder is an ErrUnsafeName error.
func (z *Zone) Delete(ctx context.Context, folder storage.Folder, name string) (err error) {
	defer classify(&err, nil)
	label := z.label(folder, name)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %s: %w", label, err)
	}
	p, err := z.obj(folder, name)
	if err != nil {
		return fmt.Errorf("delete %s: %w", label, err)
	}
	if err := removeFile(p); err != nil {
		return fmt.Errorf("delete %s: %w", label, err)
	}
	if err := atomicfile.SyncDir(filepath.Dir(p)); err != nil {
		return fmt.Errorf("delete %s: %w", label, err)
	}
	return nil
}
