package sftp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"landingd/storage"
)

// Zones that reach the same server as the same login, with the same keys,
// host key checks and timeouts, share one SSH connection: each zone has
// its own SFTP session (an SSH channel) on it. A connection costs a TCP
// and SSH handshake, a key exchange and a login: about 18 ms of
// landingd's CPU and 64 ms of the server's (sshd forks and re-executes
// itself for each), measured over loopback by bench/national, where it
// was most of a small partner's cost. A session costs one channel and
// the server's sftp-server process.
//
// Sharing never lets one zone's trouble reach another's calls. Breaking a
// session (its ctx ended, or a step made no progress for the I/O timeout)
// cuts that session's client off at once and retires the connection:
// sessions already on it carry on, new ones get a new connection, and it
// is closed when its last session ends. A connection that dies (the
// server went away, a keepalive went unanswered) is dropped for all.
//
// A connection no session uses is closed after transportIdle, so that a
// cycle's partners, which open their zones one after another, reuse it.
const transportIdle = 5 * time.Second

// transport is one shared SSH connection.
type transport struct {
	client  *ssh.Client
	refs    int  // sessions on it, and sessions being opened
	retired bool // no new sessions; closed when refs is 0
	closed  bool
	idle    *time.Timer
}

// transportSlot holds the live transport for one key; dial serialises
// dials for the key, so concurrent zones wait for one connection.
type transportSlot struct {
	dial chan struct{}
	t    *transport
}

// transports is the process's set of shared connections.
type transports struct {
	mu    sync.Mutex
	slots map[string]*transportSlot
}

var shared = &transports{slots: map[string]*transportSlot{}}

// shareKey identifies what a connection was made with: the address, the
// login and its credentials, the host key checks and the timeouts. Only
// its hash is kept.
func shareKey(cfg Config, signers []ssh.Signer) string {
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	field(cfg.Address)
	field(cfg.User)
	for _, s := range signers {
		field(string(s.PublicKey().Marshal()))
	}
	field(cfg.Password)
	field(cfg.KnownHostsFile)
	field(cfg.HostKeyFingerprint)
	field(strings.Join(cfg.HostKeyAlgorithms, ","))
	field(cfg.DialTimeout.String())
	field(cfg.IOTimeout.String())
	field(cfg.KeepAlive.String())
	return hex.EncodeToString(h.Sum(nil))
}

// acquire returns the live transport for key with a reference taken,
// dialling one with dial when there is none. It waits for a dial of the
// same key under way, or for ctx.
func (p *transports) acquire(ctx context.Context, key string, dial func(context.Context) (*ssh.Client, error)) (*transport, error) {
	p.mu.Lock()
	sl := p.slots[key]
	if sl == nil {
		sl = &transportSlot{dial: make(chan struct{}, 1)}
		p.slots[key] = sl
	}
	p.mu.Unlock()
	select {
	case sl.dial <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-sl.dial }()
	p.mu.Lock()
	if t := sl.t; t != nil && !t.retired {
		t.refs++
		if t.idle != nil {
			t.idle.Stop()
			t.idle = nil
		}
		p.mu.Unlock()
		return t, nil
	}
	p.mu.Unlock()
	c, err := dial(ctx)
	if err != nil {
		return nil, err
	}
	t := &transport{client: c, refs: 1}
	p.mu.Lock()
	sl.t = t
	p.mu.Unlock()
	go func() {
		// Wait returns when the connection ends, whoever ends it.
		c.Wait()
		p.retire(t)
	}()
	return t, nil
}

// retire stops t taking new sessions, and closes it if none is left.
func (p *transports) retire(t *transport) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.retireLocked(t)
}

func (p *transports) retireLocked(t *transport) {
	if !t.retired {
		t.retired = true
		for _, sl := range p.slots {
			if sl.t == t {
				sl.t = nil
			}
		}
	}
	if t.refs == 0 {
		p.closeLocked(t)
	}
}

func (p *transports) closeLocked(t *transport) {
	if t.idle != nil {
		t.idle.Stop()
		t.idle = nil
	}
	if !t.closed {
		t.closed = true
		go t.client.Close()
	}
}

// release drops a reference to t; broken retires it. The last reference
// closes a retired transport at once and a live one after transportIdle.
func (p *transports) release(t *transport, broken bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t.refs--
	if broken {
		p.retireLocked(t)
		return
	}
	if t.refs > 0 || t.closed {
		return
	}
	if t.retired {
		p.closeLocked(t)
		return
	}
	t.idle = time.AfterFunc(transportIdle, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if t.refs == 0 {
			p.retireLocked(t)
		}
	})
}

// errSessionBroken is what a broken session's client reads.
var errSessionBroken = errors.New("sftp session broken")

// session is one zone's SFTP session on a shared transport. Its client
// reads through a pipe, so that breaking the session fails the client's
// calls at once, even when the server has stopped answering (closing an
// SSH channel waits for the server's reply).
type session struct {
	p    *transports
	t    *transport
	s    *ssh.Session
	pw   *io.PipeWriter
	once sync.Once
}

func (s *session) end(broken bool) {
	s.once.Do(func() {
		s.pw.CloseWithError(errSessionBroken)
		go s.s.Close()
		s.p.release(s.t, broken)
	})
}

// Close breaks the session and retires its transport (see conn.kill).
func (s *session) Close() error {
	s.end(true)
	return nil
}

// release ends the session normally (see Zone.Close).
func (s *session) release() { s.end(false) }

// openSession opens an SFTP session on a transport for key, dialling one
// when needed. Opening is bounded by timeout; a transport that does not
// open a session in time is retired, and the error is transient.
func (p *transports) openSession(ctx context.Context, key string, timeout time.Duration,
	dial func(context.Context) (*ssh.Client, error), opts ...sftp.ClientOption) (*sftp.Client, *session, error) {
	t, err := p.acquire(ctx, key, dial)
	if err != nil {
		return nil, nil, err
	}
	type opened struct {
		c   *sftp.Client
		s   *session
		err error
	}
	done := make(chan opened, 1)
	go func() {
		ss, err := t.client.NewSession()
		if err != nil {
			done <- opened{err: err}
			return
		}
		stdin, err := ss.StdinPipe()
		if err == nil {
			var stdout io.Reader
			if stdout, err = ss.StdoutPipe(); err == nil {
				if err = ss.RequestSubsystem("sftp"); err == nil {
					pr, pw := io.Pipe()
					go func() {
						_, err := io.Copy(pw, stdout)
						if err == nil {
							err = io.EOF
						}
						pw.CloseWithError(err)
					}()
					s := &session{p: p, t: t, s: ss, pw: pw}
					c, err := sftp.NewClientPipe(pr, stdin, opts...)
					if err != nil {
						pw.CloseWithError(err)
					}
					done <- opened{c: c, s: s, err: err}
					return
				}
			}
		}
		ss.Close()
		done <- opened{err: err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case o := <-done:
		if o.err != nil {
			if o.s != nil {
				o.s.end(true)
			} else {
				p.release(t, true)
			}
			return nil, nil, storage.Transient(fmt.Errorf("starting an sftp session: %w", o.err))
		}
		return o.c, o.s, nil
	case <-timer.C:
	case <-ctx.Done():
	}
	// Give up on the session; whatever it becomes is closed.
	go func() {
		o := <-done
		if o.s != nil {
			o.s.end(true)
		} else {
			p.release(t, true)
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return nil, nil, storage.Transient(fmt.Errorf("starting an sftp session: no answer in %v: %w", timeout, errTimeout))
}
