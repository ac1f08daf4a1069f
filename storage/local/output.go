package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"landingd/internal/atomicfile"
	"landingd/storage"
)

// Output is where combined datasets go on a local folder. Names are
// slash-separated paths below the root; folders are created as needed
// (0750) and files get mode 0640. Its methods are safe for concurrent use
// on different names.
type Output struct {
	root string
}

var _ storage.Output = (*Output)(nil)

// NewOutput returns an output over the folder root, which must exist. It
// returns an error when root is missing or not a folder.
func NewOutput(root string) (*Output, error) {
	abs, err := checkRoot(root)
	if err != nil {
		return nil, fmt.Errorf("opening output %s: %w", root, err)
	}
	return &Output{root: abs}, nil
}

// Root returns the output's absolute folder.
func (o *Output) Root() string { return o.root }

// String names the output, for example "file:///srv/combined".
func (o *Output) String() string { return "file://" + filepath.ToSlash(o.root) }

// Close does nothing: a local output holds no connections.
func (o *Output) Close() error { return nil }

func (o *Output) path(name string) (string, error) {
	if err := storage.CheckPath(name); err != nil {
		return "", err
	}
	return filepath.Join(o.root, filepath.FromSlash(name)), nil
}

// Put writes r to name atomically (see the package doc), creating its
// folders. A name that is not a clean relative path, or has an element
// starting with ".", is an ErrUnsafeName error. On error, including ctx
// being cancelled, the previous version is left whole.
func (o *Output) Put(ctx context.Context, name string, r io.Reader) (err error) {
	defer classify(&err, nil)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", name, err)
	}
	p, err := o.path(name)
	if err != nil {
		return fmt.Errorf("put %s: %w", name, err)
	}
	if err := o.mkdirs(path.Dir(name)); err != nil {
		return fmt.Errorf("put %s: %w", p, err)
	}
	if err := writeAtomic(ctx, p, r); err != nil {
		return fmt.Errorf("put %s: %w", p, err)
	}
	return nil
}

// mkdirs creates the slash folder rel and its parents below the root,
// refusing to pass through a symbolic link.
func (o *Output) mkdirs(rel string) error {
	if rel == "." {
		return nil
	}
	dir := o.root
	for el := range strings.SplitSeq(rel, "/") {
		dir = filepath.Join(dir, el)
		if err := ensureDir(dir); err != nil {
			return err
		}
	}
	return nil
}

// Get opens name for reading. A missing name is an fs.ErrNotExist error;
// a symbolic link is an ErrUnsafeName error.
func (o *Output) Get(ctx context.Context, name string) (_ io.ReadCloser, err error) {
	defer classify(&err, nil)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get %s: %w", name, err)
	}
	p, err := o.path(name)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", name, err)
	}
	f, err := openRegular(p)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", p, err)
	}
	return readCloser{storage.ContextReader(ctx, f), f}, nil
}

// List calls fn with the name of every regular file whose name starts
// with prefix (a plain string prefix, so "2025Q4/" lists that folder),
// recursively, in lexical order. Temporary files, anything starting with
// ".", and symbolic links are skipped. It returns ctx's error once ctx is
// cancelled, the error from fn as is, or an error reading a folder.
func (o *Output) List(ctx context.Context, prefix string, fn func(name string) error) (err error) {
	var fnErr error
	defer func() { classify(&err, fnErr) }()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("list %s: %w", prefix, err)
	}
	// Walk only the deepest folder the prefix names.
	start := path.Dir(prefix + "x")
	if start != "." {
		if err := storage.CheckPath(start); err != nil {
			return fmt.Errorf("list %s: %w", prefix, err)
		}
	}
	top := filepath.Join(o.root, filepath.FromSlash(start))
	err = filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == top && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return fmt.Errorf("list %s: %w", p, bare(err))
		}
		if p == top {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(o.root, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if !strings.HasPrefix(name, prefix) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("list %s: %w", prefix, err)
		}
		return callback{fn(name)}.orNil()
	})
	var cb callback
	if errors.As(err, &cb) {
		fnErr = cb.err
		return cb.err
	}
	return err
}

// callback carries fn's error through WalkDir so List returns it as is.
type callback struct{ err error }

func (c callback) Error() string { return c.err.Error() }
func (c callback) orNil() error {
	if c.err == nil {
		return nil
	}
	return c
}

// Delete removes name, then any folders it leaves empty (never the root).
// A missing name is an fs.ErrNotExist error; a symbolic link or folder is
// an ErrUnsafeName error.
func (o *Output) Delete(ctx context.Context, name string) (err error) {
	defer classify(&err, nil)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	p, err := o.path(name)
	if err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	if err := removeFile(p); err != nil {
		return fmt.Errorf("delete %s: %w", p, err)
	}
	dir := filepath.Dir(p)
	for dir != o.root {
		// Remove fails on a folder that is not empty: that is where we stop.
		if os.Remove(dir) != nil {
			break
		}
		dir = filepath.Dir(dir)
	}
	if err := atomicfile.SyncDir(dir); err != nil {
		return fmt.Errorf("delete %s: %w", p, err)
	}
	return nil
}
