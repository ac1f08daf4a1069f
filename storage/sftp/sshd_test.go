package sftp_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"landingd/storage"
	"landingd/storage/sftp"
	"landingd/storage/storagetest"
)

// config returns a Config for a fresh zone on the test sshd.
func config(t testing.TB, s *storagetest.SSHD) sftp.Config {
	return sftp.Config{
		Address:        s.Addr,
		User:           s.User,
		Path:           s.NewRoot(t),
		KeyFile:        s.ClientKeyFile,
		KnownHostsFile: s.KnownHostsFile,
	}
}

func open(t testing.TB, cfg sftp.Config) *sftp.Zone {
	t.Helper()
	z, err := sftp.Open(t.Context(), cfg, testLogger(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { z.Close() })
	return z
}

// TestZoneSuiteSSHD runs the whole suite against a real OpenSSH sshd.
func TestZoneSuiteSSHD(t *testing.T) {
	s := storagetest.StartSSHD(t)
	storagetest.RunZoneSuite(t, storagetest.ZoneHarness{
		New:  func(t *testing.T) storage.Zone { return open(t, config(t, s)) },
		Seed: seed,
		Drop: func(t *testing.T, _ storage.Zone) { s.DropConnections(t) },
	})
}

// writeKnownHosts writes a known_hosts file pinning key for the sshd.
func writeKnownHosts(t *testing.T, s *storagetest.SSHD, host string, key ssh.PublicKey) string {
	f := filepath.Join(t.TempDir(), "known_hosts")
	line := host + " " + string(ssh.MarshalAuthorizedKey(key))
	if err := os.WriteFile(f, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func otherKey(t *testing.T) (ssh.PublicKey, ssh.Signer) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return pk, signer
}

func TestHostKeyRefused(t *testing.T) {
	s := storagetest.StartSSHD(t)
	wrong, _ := otherKey(t)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]

	tests := []struct {
		name string
		edit func(c *sftp.Config)
		want string
	}{
		{
			name: "known_hosts holds another key",
			edit: func(c *sftp.Config) { c.KnownHostsFile = writeKnownHosts(t, s, "[127.0.0.1]:"+port, wrong) },
			want: fmt.Sprintf("sftp %s: host key %s is not the one pinned in known_hosts %%s (refusing to connect)", s.Addr, s.HostKeyFingerprint),
		},
		{
			name: "known_hosts knows only other hosts",
			edit: func(c *sftp.Config) { c.KnownHostsFile = writeKnownHosts(t, s, "[127.0.0.2]:"+port, wrong) },
			want: fmt.Sprintf("sftp %s: host key %s is unknown: known_hosts %%s has no key for this host (refusing to connect)", s.Addr, s.HostKeyFingerprint),
		},
		{
			name: "pinned fingerprint differs",
			edit: func(c *sftp.Config) { c.KnownHostsFile = ""; c.HostKeyFingerprint = ssh.FingerprintSHA256(wrong) },
			want: fmt.Sprintf("sftp %s: host key %s is not the one pinned in host_key_fingerprint (refusing to connect)", s.Addr, strings.TrimRight(s.HostKeyFingerprint, "=")),
		},
		{
			name: "right known_hosts, wrong pin",
			edit: func(c *sftp.Config) { c.HostKeyFingerprint = ssh.FingerprintSHA256(wrong) },
			want: "is not the one pinned in host_key_fingerprint",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(t, s)
			tt.edit(&cfg)
			z, err := sftp.Open(t.Context(), cfg, testLogger(t))
			if err == nil {
				z.Close()
				t.Fatal("Open succeeded with a wrong host key")
			}
			want := tt.want
			if strings.Contains(want, "%s") {
				want = fmt.Sprintf(want, cfg.KnownHostsFile)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error = %q\nwant it to contain %q", err, want)
			}
			var hk *sftp.HostKeyError
			if !errors.As(err, &hk) {
				t.Errorf("error %v is not a *HostKeyError", err)
			}
			if storage.IsTransient(err) {
				t.Errorf("a refused host key is marked transient: %v", err)
			}
		})
	}
}

func TestHostKeyAccepted(t *testing.T) {
	s := storagetest.StartSSHD(t)
	for name, edit := range map[string]func(c *sftp.Config){
		"known_hosts": func(c *sftp.Config) {},
		"fingerprint": func(c *sftp.Config) { c.KnownHostsFile = ""; c.HostKeyFingerprint = s.HostKeyFingerprint },
		"fingerprint unpad": func(c *sftp.Config) {
			c.KnownHostsFile = ""
			c.HostKeyFingerprint = strings.TrimRight(s.HostKeyFingerprint, "=")
		},
		"both": func(c *sftp.Config) { c.HostKeyFingerprint = s.HostKeyFingerprint },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := config(t, s)
			edit(&cfg)
			z := open(t, cfg)
			if err := z.Put(t.Context(), storage.Processed, "x.txt", strings.NewReader("x")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestClientKeys(t *testing.T) {
	s := storagetest.StartSSHD(t)
	pem := func(f string) []byte {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	_, stranger := otherKey(t)
	tests := []struct {
		name    string
		edit    func(c *sftp.Config)
		wantErr string // "" for success
	}{
		{"ed25519 file", func(c *sftp.Config) {}, ""},
		{"ecdsa file", func(c *sftp.Config) { c.KeyFile = s.ClientKeyFiles["ecdsa"] }, ""},
		{"rsa file", func(c *sftp.Config) { c.KeyFile = s.ClientKeyFiles["rsa"] }, ""},
		{"rsa bytes", func(c *sftp.Config) { c.KeyFile = ""; c.KeyPEM = pem(s.ClientKeyFiles["rsa"]) }, ""},
		{"encrypted with passphrase", func(c *sftp.Config) {
			c.KeyFile = s.EncryptedKeyFile
			c.Passphrase = []byte(storagetest.KeyPassphrase)
		}, ""},
		{"encrypted without passphrase", func(c *sftp.Config) { c.KeyFile = s.EncryptedKeyFile },
			"the key is encrypted and no passphrase is set"},
		{"encrypted, wrong passphrase", func(c *sftp.Config) {
			c.KeyFile = s.EncryptedKeyFile
			c.Passphrase = []byte("wrong")
		}, "decryption password incorrect"},
		{"key not authorised", func(c *sftp.Config) { c.KeyFile = ""; c.Signer = stranger },
			"unable to authenticate"},
		{"no such key file", func(c *sftp.Config) { c.KeyFile = "/nonexistent/key" },
			"reading private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(t, s)
			tt.edit(&cfg)
			z, err := sftp.Open(t.Context(), cfg, testLogger(t))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer z.Close()
				if err := z.List(t.Context(), storage.Top, func(storage.Object) error { return nil }); err != nil {
					t.Fatalf("List: %v", err)
				}
				return
			}
			if err == nil {
				z.Close()
				t.Fatalf("Open succeeded, want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
			if storage.IsTransient(err) {
				t.Errorf("error is marked transient: %v", err)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  sftp.Config
		want []string
	}{
		{"empty", sftp.Config{}, []string{"address is empty", "user is empty", "is not an absolute path",
			"no authentication", "set known_hosts or host_key_fingerprint"}},
		{"relative path", sftp.Config{Address: "h", User: "u", Path: "up", Password: "p", KnownHostsFile: "k"},
			[]string{`path: "up" is not an absolute path`}},
		{"unclean path", sftp.Config{Address: "h", User: "u", Path: "/up/../x", Password: "p", KnownHostsFile: "k"},
			[]string{`path: "/up/../x" is not a clean path`}},
		{"bad port", sftp.Config{Address: "h:99999", User: "u", Path: "/up", Password: "p", KnownHostsFile: "k"},
			[]string{`address: "h:99999" is not host:port`}},
		{"bad fingerprint", sftp.Config{Address: "h", User: "u", Path: "/up", Password: "p", HostKeyFingerprint: "MD5:aa"},
			[]string{`"MD5:aa" is not a host key fingerprint`}},
		{"bad fingerprint beside known_hosts", sftp.Config{Address: "h", User: "u", Path: "/up", Password: "p", KnownHostsFile: "k",
			HostKeyFingerprint: "SHA256:short"}, []string{`"SHA256:short" is not a host key fingerprint`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	ok := sftp.Config{Address: "h", User: "u", Path: "/up", Password: "p", KnownHostsFile: "k"}
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate(%+v) = %v", ok, err)
	}
	if got := ok.String(); got != "sftp://u@h:22/up" {
		t.Errorf("String() = %q, want sftp://u@h:22/up", got)
	}
}

// TestServerKilledDuringDownload kills sshd (and its sessions) mid-read:
// the read fails transiently, and once sshd is back a new Open works.
func TestServerKilledDuringDownload(t *testing.T) {
	s := storagetest.StartSSHD(t)
	z := open(t, config(t, s))
	big := storagetest.Bytes(42, 24<<20)
	seed(t, z, storage.Top, "big.csv", big, time.Now())
	rc, err := z.Open(t.Context(), storage.Top, "big.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(rc, make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	s.Kill(t)
	restarted := false
	defer func() {
		if !restarted {
			s.Restart(t)
		}
	}()
	_, err = io.Copy(io.Discard, rc)
	rc.Close()
	if err == nil || !storage.IsTransient(err) {
		t.Fatalf("read after sshd was killed: err = %v, want a transient error", err)
	}
	// While it is down, calls fail transiently.
	if _, err := z.Open(t.Context(), storage.Top, "big.csv"); err == nil || !storage.IsTransient(err) {
		t.Fatalf("Open while sshd is down: err = %v, want a transient error", err)
	}
	s.Restart(t)
	restarted = true
	rc, err = z.Open(t.Context(), storage.Top, "big.csv")
	if err != nil {
		t.Fatalf("Open after the restart: %v", err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("read after the restart: %d bytes, %v; want %d bytes", len(got), err, len(big))
	}
}

// TestBlockedCall checks that a call to a server that stops answering
// ends: with ctx's error when ctx is cancelled, and with a transient
// timeout after IOTimeout; the next call reconnects.
func TestBlockedCall(t *testing.T) {
	s := storagetest.StartSSHD(t)

	t.Run("cancelled", func(t *testing.T) {
		cfg := config(t, s)
		z := open(t, cfg)
		seed(t, z, storage.Top, "a.csv", []byte("a"), time.Now())
		stopSessions(t, s)
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(200*time.Millisecond, cancel)
		err := z.List(ctx, storage.Top, func(storage.Object) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("List on a frozen server with ctx cancelled: err = %v, want context.Canceled", err)
		}
		wantListAgain(t, z)
	})

	t.Run("timeout", func(t *testing.T) {
		cfg := config(t, s)
		cfg.IOTimeout = 300 * time.Millisecond
		cfg.KeepAlive = -1
		z := open(t, cfg)
		seed(t, z, storage.Top, "a.csv", []byte("a"), time.Now())
		stopSessions(t, s)
		_, err := z.Open(t.Context(), storage.Top, "a.csv")
		if err == nil || !storage.IsTransient(err) || !strings.Contains(err.Error(), "timed out") {
			t.Fatalf("Open on a frozen server: err = %v, want a transient timeout", err)
		}
		wantListAgain(t, z)
	})

	t.Run("keepalive", func(t *testing.T) {
		cfg := config(t, s)
		cfg.IOTimeout = 300 * time.Millisecond
		cfg.KeepAlive = 100 * time.Millisecond
		z := open(t, cfg)
		seed(t, z, storage.Top, "a.csv", []byte("a"), time.Now())
		stopSessions(t, s)
		// The keepalive notices the dead peer while the zone is idle.
		time.Sleep(time.Second)
		wantListAgain(t, z)
	})
}

// wantListAgain checks the zone works (on a new connection: the old
// sessions are frozen).
func wantListAgain(t *testing.T, z storage.Zone) {
	t.Helper()
	n := 0
	if err := z.List(t.Context(), storage.Top, func(storage.Object) error { n++; return nil }); err != nil || n != 1 {
		t.Fatalf("List afterwards = %d objects, %v; want 1, nil", n, err)
	}
}

// TestSymlinksRefused checks links planted in the zone never lead out.
func TestSymlinksRefused(t *testing.T) {
	s := storagetest.StartSSHD(t)
	z := open(t, config(t, s))
	secret := filepath.Join(t.TempDir(), "secret.csv")
	if err := os.WriteFile(secret, []byte("not for the zone"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(z.Root(), "link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(t.TempDir(), filepath.Join(z.Root(), "rejected")); err != nil {
		t.Fatal(err)
	}
	seed(t, z, storage.Top, "real.csv", []byte("r"), time.Now())
	ctx := t.Context()

	var names []string
	if err := z.List(ctx, storage.Top, func(o storage.Object) error { names = append(names, o.Name); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0] != "real.csv" {
		t.Errorf("List = %q, want only real.csv", names)
	}
	if _, err := z.Open(ctx, storage.Top, "link.csv"); !errors.Is(err, storage.ErrUnsafeName) {
		t.Errorf("Open of a link: err = %v, want ErrUnsafeName", err)
	}
	if _, err := z.Move(ctx, storage.Object{Name: "link.csv"}, storage.Processed); !errors.Is(err, storage.ErrUnsafeName) {
		t.Errorf("Move of a link: err = %v, want ErrUnsafeName", err)
	}
	if err := z.Delete(ctx, storage.Top, "link.csv"); !errors.Is(err, storage.ErrUnsafeName) {
		t.Errorf("Delete of a link: err = %v, want ErrUnsafeName", err)
	}
	if _, err := z.Move(ctx, storagetest.Listed(t, z, "real.csv"), storage.Rejected); !errors.Is(err, storage.ErrUnsafeName) {
		t.Errorf("Move into a linked folder: err = %v, want ErrUnsafeName", err)
	}
	if err := z.List(ctx, storage.Rejected, func(storage.Object) error { return nil }); !errors.Is(err, storage.ErrUnsafeName) {
		t.Errorf("List of a linked folder: err = %v, want ErrUnsafeName", err)
	}
	if b, _ := os.ReadFile(secret); string(b) != "not for the zone" {
		t.Error("the link's target was changed")
	}
}
