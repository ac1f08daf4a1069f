package sftp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"sync"
	"time"

	"github.com/pkg/sftp"

	"landingd/storage"
)

// maxClash bounds the names Move tries when the name is taken.
const maxClash = 1000

// Zone is a landing zone on an SFTP server. Its methods are safe for
// concurrent use; they share one SFTP session, so cancelling one call's
// ctx while it is blocked breaks the session under the others too (they
// get transient errors, and the next call opens a new one). Zones opened
// with the same server, login and settings share one SSH connection, each
// on its own session (see share.go).
type Zone struct {
	root      string
	label     string
	dial      Dialer // nil: the client given cannot be replaced
	ioTimeout time.Duration
	logger    *slog.Logger
	now       func() time.Time

	mu     sync.Mutex
	cur    *conn
	closed bool
}

var _ storage.Zone = (*Zone)(nil)

// Open validates cfg, connects to the server and checks that cfg.Path is
// a folder, and returns the zone. It returns an error naming the zone
// when cfg is invalid, the host key is refused (*HostKeyError, never
// transient), the login fails, or the folder is missing; a network fault
// is returned marked transient, without a retry (see storage/retry).
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Zone, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("opening %s: %w", cfg, err)
	}
	dial, err := dialSSH(cfg, logger)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", cfg, err)
	}
	z := &Zone{
		root: cfg.Path, label: cfg.String(), dial: dial, ioTimeout: cfg.IOTimeout,
		logger: logger, now: time.Now,
	}
	if err := z.checkRoot(ctx); err != nil {
		z.Close()
		return nil, err
	}
	return z, nil
}

// NewZoneFromClient returns a zone over root (an absolute path) on an
// open client, with DefaultIOTimeout. The zone cannot reconnect: once the
// client's connection drops every call fails (transiently). Close closes
// the client.
func NewZoneFromClient(c *sftp.Client, root string) *Zone {
	z := newZone(root, nil, slog.New(slog.DiscardHandler))
	z.cur = newConn(c, nil)
	return z
}

// NewZoneWithDialer returns a zone over root (an absolute path) that
// connects with dial, lazily on its first call and again after a
// connection drops. It does not connect before returning.
func NewZoneWithDialer(root string, dial Dialer, logger *slog.Logger) *Zone {
	return newZone(root, dial, logger)
}

func newZone(root string, dial Dialer, logger *slog.Logger) *Zone {
	return &Zone{
		root: path.Clean(root), label: "sftp://" + path.Clean(root), dial: dial, ioTimeout: DefaultIOTimeout,
		logger: logger, now: time.Now,
	}
}

// Root returns the zone's folder on the server.
func (z *Zone) Root() string { return z.root }

// String names the zone without secrets, for example
// "sftp://braintree@host:22/upload".
func (z *Zone) String() string { return z.label }

// Close closes the connection. It is safe to call more than once; calls
// after Close fail.
func (z *Zone) Close() error {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.closed = true
	if z.cur != nil {
		z.cur.dead.Store(true)
		z.cur.once.Do(func() {
			close(z.cur.closed)
			if s, ok := z.cur.brk.(*session); ok {
				s.release() // a shared connection stays up for others
			} else if z.cur.brk != nil {
				z.cur.brk.Close()
			}
			z.cur.c.Close()
		})
		z.cur = nil
	}
	return nil
}

var errClosed = errors.New("zone is closed")

// conn returns the live connection, dialling a new one when there is none
// or the last one broke. It dials once: a failed dial is returned (marked
// transient when the network failed), and the caller's retry policy
// decides whether to call again, which dials again.
func (z *Zone) conn(ctx context.Context) (*conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.closed {
		return nil, errClosed
	}
	if z.cur != nil && !z.cur.dead.Load() {
		return z.cur, nil
	}
	if z.dial == nil {
		return nil, storage.Transient(errors.New("connection lost and this zone cannot reconnect"))
	}
	if z.cur != nil {
		z.cur.kill()
		z.logger.Info("sftp reconnecting", "zone", z.label)
	}
	z.cur = nil
	sc, brk, err := z.dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting: %w", err)
	}
	z.cur = newConn(sc, brk)
	return z.cur, nil
}

// do runs step on a live connection under a watch, and classifies its
// error (see watch.result).
func (z *Zone) do(ctx context.Context, step func(c *sftp.Client) error) error {
	cn, err := z.conn(ctx)
	if err != nil {
		return err
	}
	w := cn.watch(ctx, z.ioTimeout)
	err = step(cn.c)
	w.stop()
	return w.result(ctx, err)
}

func (z *Zone) checkRoot(ctx context.Context) error {
	err := z.do(ctx, func(c *sftp.Client) error {
		if err := requirePosixRename(c); err != nil {
			return err
		}
		fi, err := c.Stat(z.root)
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			return errors.New("not a folder")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("opening %s: %w", z.label, err)
	}
	return nil
}

// dir returns the remote folder for f after checking f.
func (z *Zone) dir(f storage.Folder) (string, error) {
	if err := storage.CheckFolder(f); err != nil {
		return "", err
	}
	return path.Join(z.root, string(f)), nil
}

// obj returns the remote path of name in f after the safety checks.
func (z *Zone) obj(f storage.Folder, name string) (string, error) {
	if err := storage.CheckName(name); err != nil {
		return "", err
	}
	dir, err := z.dir(f)
	if err != nil {
		return "", err
	}
	return path.Join(dir, name), nil
}

// name names an object in errors.
func (z *Zone) name(f storage.Folder, name string) string {
	if rel := path.Join(string(f), name); rel != "" {
		return z.label + "/" + rel
	}
	return z.label
}

// checkDir returns whether folder p exists, and an ErrUnsafeName error if
// it is not a real folder (a symbolic link, say).
func checkDir(c *sftp.Client, p string) (bool, error) {
	fi, err := c.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !fi.IsDir() {
		return false, fmt.Errorf("%s is not a folder (%s): %w", p, fi.Mode().Type(), storage.ErrUnsafeName)
	}
	return true, nil
}

// lstatRegular returns p's attributes when p is a regular file, an
// fs.ErrNotExist error when it is missing, and ErrUnsafeName for anything
// else.
func lstatRegular(c *sftp.Client, p string) (os.FileInfo, error) {
	fi, err := c.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s): %w", fi.Mode().Type(), storage.ErrUnsafeName)
	}
	return fi, nil
}

// checkRegular is lstatRegular without the attributes.
func checkRegular(c *sftp.Client, p string) error {
	_, err := lstatRegular(c, p)
	return err
}

// List calls fn for each regular file in folder whose name does not start
// with ".", skipping folders, symbolic links and special files. A missing
// Processed or Rejected folder lists nothing. It reads the whole folder
// before calling fn. It returns ctx's error once ctx is cancelled (fn is
// not called again), fn's error as is, or a (possibly transient) error
// reading the folder.
func (z *Zone) List(ctx context.Context, folder storage.Folder, fn func(storage.Object) error) error {
	dir, err := z.dir(folder)
	if err != nil {
		return fmt.Errorf("list %s: %w", z.name(folder, ""), err)
	}
	var entries []os.FileInfo
	err = z.do(ctx, func(c *sftp.Client) error {
		if folder != storage.Top {
			ok, err := checkDir(c, dir)
			if !ok || err != nil {
				return err
			}
		}
		entries, err = c.ReadDirContext(ctx, dir)
		return err
	})
	if err != nil {
		return fmt.Errorf("list %s: %w", z.name(folder, ""), err)
	}
	for _, fi := range entries {
		if !fi.Mode().IsRegular() || fi.Name() == "" || fi.Name()[0] == '.' {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("list %s: %w", z.name(folder, ""), err)
		}
		if err := fn(storage.Object{Name: fi.Name(), Size: fi.Size(), ModTime: fi.ModTime()}); err != nil {
			return err
		}
	}
	return nil
}

// Open opens name in folder for reading. A missing name is an
// fs.ErrNotExist error; a symbolic link or special file is an
// ErrUnsafeName error. Reads fail (transiently) when the connection
// drops, when a read makes no progress for the I/O timeout, or when the
// file ends before the size it had at Open; they return ctx's error once
// ctx is cancelled.
func (z *Zone) Open(ctx context.Context, folder storage.Folder, name string) (io.ReadCloser, error) {
	label := z.name(folder, name)
	p, err := z.obj(folder, name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", label, err)
	}
	cn, err := z.conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", label, err)
	}
	var f *sftp.File
	var size int64
	w := cn.watch(ctx, z.ioTimeout)
	err = func() error {
		if err := checkRegular(cn.c, p); err != nil {
			return err
		}
		if f, err = cn.c.OpenFile(p, os.O_RDONLY); err != nil {
			return err
		}
		fi, err := f.Stat()
		if err == nil && !fi.Mode().IsRegular() {
			err = fmt.Errorf("not a regular file: %w", storage.ErrUnsafeName)
		}
		if err != nil {
			f.Close()
			return err
		}
		size = fi.Size()
		return nil
	}()
	w.stop()
	if err = w.result(ctx, err); err != nil {
		return nil, fmt.Errorf("open %s: %w", label, err)
	}
	return newReader(&reader{ctx: ctx, f: f, cn: cn, size: size, timeout: z.ioTimeout, label: label}), nil
}

// Move moves obj from the top level into folder to (Processed or
// Rejected), creating the folder if needed, and returns the name it got:
// obj.Name itself, or with a UTC timestamp before the extension (and a
// counter if that is taken too). It never overwrites (see the package
// doc). A missing file is an fs.ErrNotExist error; a symbolic link is an
// ErrUnsafeName error; a file whose size or modification time (whole
// seconds over SFTP) is no longer obj's is an ErrChanged error and stays
// where it is. The check and the rename are two requests: a file
// rewritten between them is moved.
func (z *Zone) Move(ctx context.Context, obj storage.Object, to storage.Folder) (string, error) {
	name := obj.Name
	label := z.name(storage.Top, name)
	if to != storage.Processed && to != storage.Rejected {
		if err := storage.CheckFolder(to); err != nil {
			return "", fmt.Errorf("move %s: %w", label, err)
		}
		return "", fmt.Errorf("move %s: cannot move to folder %q", label, string(to))
	}
	src, err := z.obj(storage.Top, name)
	if err != nil {
		return "", fmt.Errorf("move %s: %w", label, err)
	}
	dir, _ := z.dir(to)
	now := z.now()
	var got string
	err = z.do(ctx, func(c *sftp.Client) error {
		if err := requirePosixRename(c); err != nil {
			return err
		}
		fi, err := lstatRegular(c, src)
		if err != nil {
			return err
		}
		if !storage.SameVersion(obj, storage.Object{Name: name, Size: fi.Size(), ModTime: fi.ModTime()}) {
			return storage.ErrChanged
		}
		if err := mkdir(c, dir); err != nil {
			return err
		}
		for n := range maxClash {
			if err := ctx.Err(); err != nil {
				return err
			}
			cand := storage.ClashName(name, now, n)
			dst := path.Join(dir, cand)
			if _, err := c.Lstat(dst); err == nil {
				continue
			} else if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			// posix-rename@openssh.com is one atomic rename(2) on the
			// server: the file is under its old name or its new one,
			// never both or neither. It would replace a file that took
			// the name since the Lstat above; landingd is the only writer
			// of processed/ and rejected/ and holds the state lock, so
			// none does.
			if err := c.PosixRename(src, dst); err != nil {
				return err
			}
			got = cand
			return nil
		}
		return fmt.Errorf("%d names taken", maxClash)
	})
	if err != nil {
		return "", fmt.Errorf("move %s to %s: %w", label, to, err)
	}
	return got, nil
}

// mkdir creates folder p unless it exists, refusing a symbolic link.
func mkdir(c *sftp.Client, p string) error {
	ok, err := checkDir(c, p)
	if ok || err != nil {
		return err
	}
	if err := c.Mkdir(p); err != nil {
		// Another process may have made it meanwhile.
		if ok, _ := checkDir(c, p); ok {
			return nil
		}
		return fmt.Errorf("creating %s: %w", p, err)
	}
	return nil
}

// Put writes r to name in folder atomically (see the package doc),
// creating the folder if needed. On error, including ctx being cancelled
// or r failing, the previous file is left whole and the temporary file is
// removed when the connection still works.
func (z *Zone) Put(ctx context.Context, folder storage.Folder, name string, r io.Reader) error {
	label := z.name(folder, name)
	p, err := z.obj(folder, name)
	if err != nil {
		return fmt.Errorf("put %s: %w", label, err)
	}
	cn, err := z.conn(ctx)
	if err != nil {
		return fmt.Errorf("put %s: %w", label, err)
	}
	w := cn.watch(ctx, z.ioTimeout)
	err = put(ctx, cn.c, p, folder != storage.Top, &progress{r: storage.ContextReader(ctx, r), w: w})
	w.stop()
	if err = w.result(ctx, err); err != nil {
		return fmt.Errorf("put %s: %w", label, err)
	}
	return nil
}

func put(ctx context.Context, c *sftp.Client, p string, makeDir bool, r io.Reader) (err error) {
	if err := requirePosixRename(c); err != nil {
		return err
	}
	dir := path.Dir(p)
	if makeDir {
		if err := mkdir(c, dir); err != nil {
			return err
		}
	}
	if err := checkRegular(c, p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp := path.Join(dir, ".landingd-"+randHex()+".tmp")
	f, err := c.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			c.Remove(tmp)
		}
	}()
	if _, err = f.ReadFrom(r); err != nil {
		return fmt.Errorf("writing: %w", err)
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	if _, ok := c.HasExtension("fsync@openssh.com"); ok {
		if err = f.Sync(); err != nil {
			return fmt.Errorf("syncing: %w", err)
		}
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	return c.PosixRename(tmp, p)
}

// errNoPosixRename is returned for a server without the
// posix-rename@openssh.com extension: without it a report could not
// replace an older one atomically, nor a file be moved without the risk
// of replacing another. OpenSSH has had it since 2008.
var errNoPosixRename = errors.New("the server lacks posix-rename@openssh.com, which landingd needs to write and move files atomically")

// requirePosixRename returns errNoPosixRename when c's server lacks the
// extension.
func requirePosixRename(c *sftp.Client) error {
	if _, ok := c.HasExtension("posix-rename@openssh.com"); !ok {
		return errNoPosixRename
	}
	return nil
}

// progress kicks a watch on every read, so a long upload that keeps
// moving is not timed out.
type progress struct {
	r io.Reader
	w *watch
}

func (p *progress) Read(b []byte) (int, error) {
	p.w.kick()
	return p.r.Read(b)
}

func randHex() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Delete removes name from folder. A missing name is an fs.ErrNotExist
// error; a symbolic link or folder is an ErrUnsafeName error.
func (z *Zone) Delete(ctx context.Context, folder storage.Folder, name string) error {
	label := z.name(folder, name)
	p, err := z.obj(folder, name)
	if err != nil {
		return fmt.Errorf("delete %s: %w", label, err)
	}
	err = z.do(ctx, func(c *sftp.Client) error {
		if err := checkRegular(c, p); err != nil {
			return err
		}
		return c.Remove(p)
	})
	if err != nil {
		return fmt.Errorf("delete %s: %w", label, err)
	}
	return nil
}
