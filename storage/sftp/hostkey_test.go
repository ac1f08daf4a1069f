//go:build linux

package sftp_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"landingd/storage"
	"landingd/storage/sftp"
	"landingd/storage/storagetest"
)

// startMultiKeySSHD starts an sshd holding ed25519, ecdsa and rsa host
// keys, as OpenSSH does by default. Asked for no particular algorithm,
// the client prefers ecdsa, so ed25519 and rsa are the keys a server
// does not present unless asked.
func startMultiKeySSHD(t *testing.T) *storagetest.SSHD {
	t.Helper()
	return storagetest.StartSSHDWith(t, storagetest.SSHDOptions{HostKeyTypes: []string{"ed25519", "ecdsa", "rsa"}})
}

// knownHostsFor writes a known_hosts file listing only the sshd's host
// keys of the given types.
func knownHostsFor(t *testing.T, s *storagetest.SSHD, types ...string) string {
	t.Helper()
	var b strings.Builder
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	for _, typ := range types {
		b.WriteString("[127.0.0.1]:" + port + " " + string(ssh.MarshalAuthorizedKey(s.HostKeys[typ])))
	}
	f := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(f, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestHostKeyAlgorithms(t *testing.T) {
	s := startMultiKeySSHD(t)
	pin := func(typ string) string { return ssh.FingerprintSHA256(s.HostKeys[typ]) }

	tests := []struct {
		name       string
		pin        string   // host key type whose fingerprint is pinned
		knownHosts []string // host key types known_hosts lists, if no pin
		algos      []string // Config.HostKeyAlgorithms
		// want is "" when Open must succeed, else text the error holds.
		want []string
		// otherType is the HostKeyError.OtherType a failure must have.
		otherType bool
	}{
		{name: "pinned ed25519, asked for", pin: "ed25519", algos: []string{"ssh-ed25519"}},
		{name: "pinned rsa, asked for", pin: "rsa", algos: []string{"rsa-sha2-512", "rsa-sha2-256"}},
		{name: "pinned ecdsa, asked for", pin: "ecdsa", algos: []string{"ecdsa-sha2-nistp256"}},
		{
			name: "pinned ed25519, not asked for", pin: "ed25519",
			want: []string{
				"is not the one pinned in host_key_fingerprint (refusing to connect): the server offered its ecdsa-sha2-nistp256 key",
				"if the pinned key is of another type, set host_key_algorithms to that type alone",
			},
			otherType: true,
		},
		{
			name: "pinned ed25519, asked for two types", pin: "ed25519", algos: []string{"ecdsa-sha2-nistp256", "ssh-ed25519"},
			want:      []string{"the server offered its ecdsa-sha2-nistp256 key", "host_key_algorithms"},
			otherType: true,
		},
		{
			// The server presented the one type asked for: a plain mismatch.
			name: "pinned ed25519, asked for ecdsa", pin: "ed25519", algos: []string{"ecdsa-sha2-nistp256"},
			want: []string{"is not the one pinned in host_key_fingerprint (refusing to connect)"},
		},
		{name: "known_hosts lists ecdsa", knownHosts: []string{"ecdsa"}},
		{name: "known_hosts lists ed25519", knownHosts: []string{"ed25519"}},
		{name: "known_hosts lists rsa", knownHosts: []string{"rsa"}},
		{name: "known_hosts lists ed25519 and rsa", knownHosts: []string{"ed25519", "rsa"}},
		{name: "known_hosts lists all", knownHosts: []string{"ed25519", "ecdsa", "rsa"}},
		{name: "known_hosts lists ed25519, ed25519 asked for", knownHosts: []string{"ed25519"}, algos: []string{"ssh-ed25519"}},
		{
			// Asking for a type known_hosts does not list defeats it.
			name: "known_hosts lists ed25519, ecdsa asked for", knownHosts: []string{"ed25519"}, algos: []string{"ecdsa-sha2-nistp256"},
			want: []string{
				"is not the one pinned in known_hosts ",
				": the server offered its ecdsa-sha2-nistp256 key, and known_hosts lists only ssh-ed25519 for this host; set host_key_algorithms to one of those types",
			},
			otherType: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := sftp.Config{
				Address:           s.Addr,
				User:              s.User,
				Path:              s.NewRoot(t),
				KeyFile:           s.ClientKeyFile,
				HostKeyAlgorithms: tt.algos,
			}
			if tt.pin != "" {
				cfg.HostKeyFingerprint = pin(tt.pin)
			} else {
				cfg.KnownHostsFile = knownHostsFor(t, s, tt.knownHosts...)
			}
			z, err := sftp.Open(t.Context(), cfg, testLogger(t))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if err := z.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
				return
			}
			if err == nil {
				z.Close()
				t.Fatal("Open succeeded with a host key that is not the expected one")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error = %q\nwant it to contain %q", err, w)
				}
			}
			var hk *sftp.HostKeyError
			if !errors.As(err, &hk) {
				t.Fatalf("error %v is not a *HostKeyError", err)
			}
			if hk.OtherType != tt.otherType {
				t.Errorf("OtherType = %v, want %v", hk.OtherType, tt.otherType)
			}
			if hk.KeyType != ssh.KeyAlgoECDSA256 {
				t.Errorf("KeyType = %q, want the ecdsa key the server presented", hk.KeyType)
			}
			if storage.IsTransient(err) {
				t.Errorf("a refused host key is marked transient: %v", err)
			}
		})
	}
}

// TestStartSSHDWithKeys checks the harness: the server holds each host
// key type asked for, and known_hosts lists them all.
func TestStartSSHDWithKeys(t *testing.T) {
	s := startMultiKeySSHD(t)
	var types []string
	for typ, k := range s.HostKeys {
		types = append(types, typ)
		if k == nil {
			t.Errorf("HostKeys[%s] is nil", typ)
		}
	}
	slices.Sort(types)
	if want := []string{"ecdsa", "ed25519", "rsa"}; !slices.Equal(types, want) {
		t.Errorf("HostKeys types = %q, want %q", types, want)
	}
	if got, want := s.HostKeyFingerprint, ssh.FingerprintSHA256(s.HostKeys["ed25519"]); got != want {
		t.Errorf("HostKeyFingerprint = %s, want the first key's, %s", got, want)
	}
	b, err := os.ReadFile(s.KnownHostsFile)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != 3 {
		t.Errorf("known_hosts has %d lines, want 3:\n%s", n, b)
	}
}

func TestConfigValidateHostKeyAlgorithms(t *testing.T) {
	base := sftp.Config{Address: "h", User: "u", Path: "/up", Password: "p", HostKeyFingerprint: "SHA256:" + strings.Repeat("A", 43)}
	for _, tt := range []struct {
		algos []string
		want  string // "" for valid
	}{
		{nil, ""},
		{[]string{"ssh-ed25519", "rsa-sha2-512"}, ""},
		{[]string{"ssh-ed25519", "ssh-rsa"}, `host_key_algorithms[1]: "ssh-rsa" is refused as insecure`},
		{[]string{"ssh-ed25519", "ed25519"}, `host_key_algorithms[1]: "ed25519" is not a host key algorithm`},
		{[]string{"ssh-ed25519", "ssh-ed25519"}, `host_key_algorithms[1]: "ssh-ed25519" is listed twice`},
	} {
		c := base
		c.HostKeyAlgorithms = tt.algos
		err := c.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: Validate = %v, want nil", tt.algos, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: Validate = %v, want %q", tt.algos, err, tt.want)
		}
	}
}
