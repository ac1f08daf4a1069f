package sftp_test

import (
	"context"
	"io"
	"os/exec"
	"sync"
	"testing"
	"time"

	pkgsftp "github.com/pkg/sftp"

	"landingd/storage"
	"landingd/storage/sftp"
	"landingd/storage/storagetest"
)

// sftpServer is OpenSSH's sftp-server, run over pipes: no network, no
// keys, no SSH. It is fast, and it is the server sshd runs for sftp.
const sftpServer = "/usr/lib/openssh/sftp-server"

// pipeDialer starts a fresh sftp-server for each connection and can kill
// the current one.
type pipeDialer struct {
	mu  sync.Mutex
	cur *exec.Cmd
}

func (p *pipeDialer) dial(ctx context.Context) (*pkgsftp.Client, io.Closer, error) {
	cmd := exec.Command(sftpServer, "-e", "-l", "QUIET")
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	go cmd.Wait()
	c, err := pkgsftp.NewClientPipe(out, in)
	if err != nil {
		cmd.Process.Kill()
		return nil, nil, err
	}
	p.mu.Lock()
	p.cur = cmd
	p.mu.Unlock()
	return c, killer{cmd}, nil
}

func (p *pipeDialer) drop(t *testing.T) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur == nil {
		t.Fatal("no sftp-server to drop")
	}
	if err := p.cur.Process.Kill(); err != nil {
		t.Fatal(err)
	}
}

type killer struct{ cmd *exec.Cmd }

func (k killer) Close() error { return k.cmd.Process.Kill() }

func requireSFTPServer(t *testing.T) {
	if _, err := exec.LookPath(sftpServer); err != nil {
		storagetest.RequireServer(t, "sshd", "no "+sftpServer+" (install openssh-sftp-server)")
	}
}

// TestZoneSuitePipe runs the suite against sftp-server over pipes.
func TestZoneSuitePipe(t *testing.T) {
	requireSFTPServer(t)
	var dialers sync.Map // *sftp.Zone -> *pipeDialer
	storagetest.RunZoneSuite(t, storagetest.ZoneHarness{
		New: func(t *testing.T) storage.Zone {
			d := &pipeDialer{}
			z := sftp.NewZoneWithDialer(t.TempDir(), d.dial, testLogger(t))
			dialers.Store(z, d)
			return z
		},
		Seed: seed,
		Drop: func(t *testing.T, z storage.Zone) {
			d, _ := dialers.Load(z)
			d.(*pipeDialer).drop(t)
		},
	})
}

// TestNewZoneFromClient checks a zone over a given client works and, once
// its connection is gone, fails transiently instead of hanging.
func TestNewZoneFromClient(t *testing.T) {
	requireSFTPServer(t)
	d := &pipeDialer{}
	c, _, err := d.dial(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	z := sftp.NewZoneFromClient(c, t.TempDir())
	defer z.Close()
	seed(t, z, storage.Top, "a.csv", []byte("a,b\n"), time.Now())
	n := 0
	if err := z.List(t.Context(), storage.Top, func(storage.Object) error { n++; return nil }); err != nil || n != 1 {
		t.Fatalf("List = %d objects, %v; want 1, nil", n, err)
	}
	d.drop(t)
	err = z.List(t.Context(), storage.Top, func(storage.Object) error { return nil })
	if err == nil || !storage.IsTransient(err) {
		t.Fatalf("List after the server died: err = %v, want a transient error", err)
	}
	// It cannot reconnect, and says so.
	err = z.List(t.Context(), storage.Top, func(storage.Object) error { return nil })
	if err == nil || !storage.IsTransient(err) {
		t.Fatalf("second List after the server died: err = %v, want a transient error", err)
	}
}
