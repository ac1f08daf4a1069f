package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"landingd/storage"
)

// Dialer opens a new SFTP session. The io.Closer, when not nil, breaks
// the transport under the client at once (closes the socket, or kills
// the server process of a pipe); Close on the client is called after it.
type Dialer func(ctx context.Context) (*sftp.Client, io.Closer, error)

// conn is one SFTP session. Once broken it is never used again.
type conn struct {
	c      *sftp.Client
	brk    io.Closer
	dead   atomic.Bool
	once   sync.Once
	closed chan struct{}
}

func newConn(c *sftp.Client, brk io.Closer) *conn {
	cn := &conn{c: c, brk: brk, closed: make(chan struct{})}
	go func() {
		// Wait returns when the session ends, whoever ends it.
		c.Wait()
		cn.dead.Store(true)
	}()
	return cn
}

// kill breaks the connection; blocked calls on it return errors.
func (cn *conn) kill() {
	cn.dead.Store(true)
	cn.once.Do(func() {
		close(cn.closed)
		if cn.brk != nil {
			cn.brk.Close()
		}
		// Client.Close waits for its reader goroutine, which ends once
		// the transport is broken.
		go cn.c.Close()
	})
}

// watch breaks cn when ctx ends or when no progress is reported for
// timeout (timeout <= 0: never).
type watch struct {
	cn      *conn
	timeout time.Duration
	timer   *time.Timer
	stopCtx func() bool
	fired   atomic.Bool
}

func (cn *conn) watch(ctx context.Context, timeout time.Duration) *watch {
	w := &watch{cn: cn, timeout: timeout}
	w.stopCtx = context.AfterFunc(ctx, cn.kill)
	if timeout > 0 {
		w.timer = time.AfterFunc(timeout, func() {
			w.fired.Store(true)
			cn.kill()
		})
	}
	return w
}

// kick reports progress.
func (w *watch) kick() {
	if w.timer != nil {
		w.timer.Reset(w.timeout)
	}
}

// stop ends the watch.
func (w *watch) stop() {
	w.stopCtx()
	if w.timer != nil {
		w.timer.Stop()
	}
}

// result turns the error of a step watched by w into the zone's kinds:
// ctx's error when ctx ended (the connection is then broken), a transient timeout when w fired, a
// transient error when the connection broke, and err unchanged otherwise.
func (w *watch) result(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		// The watch breaks the connection when ctx ends, but in its own
		// goroutine; a step that saw ctx end first (ReadDirContext) can
		// return before that. Break it here too, so that the next call
		// dials afresh rather than meet the dying connection.
		w.cn.kill()
		return cerr
	}
	if w.fired.Load() {
		return storage.Transient(fmt.Errorf("no progress for %v: %w", w.timeout, errTimeout))
	}
	if w.cn.dead.Load() || isConnErr(err) {
		w.cn.kill()
		return storage.Transient(err)
	}
	return err
}

var errTimeout = errors.New("timed out")

// isConnErr reports whether err is a fault of the connection rather than
// an answer from the server.
func isConnErr(err error) bool {
	var se *sftp.StatusError
	switch {
	case errors.Is(err, sftp.ErrSSHFxConnectionLost), errors.Is(err, sftp.ErrSSHFxNoConnection):
		return true
	case errors.As(err, &se),
		errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission), errors.Is(err, fs.ErrExist),
		errors.Is(err, storage.ErrUnsafeName), errors.Is(err, storage.ErrChanged), errors.Is(err, errNoPosixRename):
		return false
	}
	return true
}

// dialSSH returns a Dialer for cfg. Its sessions share an SSH connection
// with every other zone of the same server, login, credentials, host key
// checks and timeouts (see share.go). It verifies the host key, and keeps
// the connection alive with keepalive@openssh.com requests.
func dialSSH(cfg Config, logger *slog.Logger) (Dialer, error) {
	hostKey, algos, err := hostKeyCheck(cfg)
	if err != nil {
		return nil, err
	}
	auth, signers, err := authMethods(cfg)
	if err != nil {
		return nil, err
	}
	cc := &ssh.ClientConfig{
		User:              cfg.User,
		Auth:              auth,
		HostKeyCallback:   hostKey,
		HostKeyAlgorithms: algos,
		Timeout:           cfg.DialTimeout,
	}
	dial := func(ctx context.Context) (*ssh.Client, error) {
		d := net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: cfg.KeepAlive}
		nc, err := d.DialContext(ctx, "tcp", cfg.Address)
		if err != nil {
			return nil, storage.Transient(err)
		}
		// The handshake ignores ctx: a deadline and a watcher bound it.
		nc.SetDeadline(time.Now().Add(cfg.DialTimeout))
		stop := context.AfterFunc(ctx, func() { nc.Close() })
		sc, chans, reqs, err := ssh.NewClientConn(nc, cfg.Address, cc)
		stop()
		if err != nil {
			nc.Close()
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			return nil, dialErr(err)
		}
		nc.SetDeadline(time.Time{})
		client := ssh.NewClient(sc, chans, reqs)
		if cfg.KeepAlive > 0 {
			// The connection may serve several zones: it is named without a path.
			go keepAlive(client, cfg.KeepAlive, cfg.IOTimeout, logger, "sftp://"+cfg.User+"@"+cfg.Address)
		}
		return client, nil
	}
	key := shareKey(cfg, signers)
	return func(ctx context.Context) (*sftp.Client, io.Closer, error) {
		c, s, err := shared.openSession(ctx, key, cfg.DialTimeout, dial,
			sftp.UseConcurrentReads(true), sftp.UseConcurrentWrites(true))
		if err != nil {
			return nil, nil, err
		}
		return c, s, nil
	}, nil
}

// dialErr marks handshake failures: network faults are transient; a
// refused host key or login is not.
func dialErr(err error) error {
	var hk *HostKeyError
	var ne net.Error
	switch {
	case errors.As(err, &hk):
		return err
	case errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, net.ErrClosed):
		return storage.Transient(err)
	}
	return err
}

// keepAlive sends a keepalive request every interval and closes the
// connection when one is not answered within timeout.
func keepAlive(c *ssh.Client, interval, timeout time.Duration, logger *slog.Logger, zone string) {
	t := time.NewTicker(interval)
	defer t.Stop()
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		answered := make(chan error, 1)
		go func() {
			_, _, err := c.SendRequest("keepalive@openssh.com", true, nil)
			answered <- err
		}()
		var err error
		select {
		case err = <-answered:
		case <-time.After(timeout):
			err = errTimeout
		case <-done:
			return
		}
		if err != nil {
			logger.Warn("sftp keepalive unanswered, closing the connection", "zone", zone, "err", err)
			c.Close()
			return
		}
	}
}
