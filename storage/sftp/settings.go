package sftp

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"

	"landingd/storage"
)

// Settings are an SFTP landing zone's settings in a protocol file:
//
//	landing:
//	  kind: sftp
//	  address: sftp.example.org:22
//	  user: basildon
//	  path: /upload
//	  key_file: keys/landingd_ed25519
//	  known_hosts: keys/known_hosts
//
// Secrets (a key passphrase, a password) are named by environment
// variable or file, never given inline. Relative file names are taken
// from the protocol file's folder.
type Settings struct {
	Address            string `yaml:"address"`
	User               string `yaml:"user"`
	Path               string `yaml:"path"`
	KeyFile            string `yaml:"key_file"`
	KeyPassphraseEnv   string `yaml:"key_passphrase_env"`
	KeyPassphraseFile  string `yaml:"key_passphrase_file"`
	PasswordEnv        string `yaml:"password_env"`
	PasswordFile       string `yaml:"password_file"`
	KnownHosts         string `yaml:"known_hosts"`
	HostKeyFingerprint string `yaml:"host_key_fingerprint"`
	// HostKeyAlgorithms are the host key types to ask the server for,
	// such as ssh-ed25519 or ecdsa-sha2-nistp256. Empty means the types
	// known_hosts lists for the server, or with host_key_fingerprint any
	// type, so a server with several host keys may present one that is
	// not the pinned one: give the pinned key's type here.
	HostKeyAlgorithms []string `yaml:"host_key_algorithms"`
}

var _ storage.Settings = (*Settings)(nil)

// Check reports every problem with s at once.
func (s *Settings) Check() []storage.SettingError {
	var ps []storage.SettingError
	add := func(key, format string, args ...any) { ps = append(ps, storage.Problemf(key, format, args...)) }
	if s.Address == "" {
		add("address", "required")
	} else if err := checkAddress(s.Address); err != nil {
		add("address", "%s", err)
	}
	if s.User == "" {
		add("user", "required")
	}
	if s.Path == "" {
		add("path", "required")
	} else if err := checkPath(s.Path); err != nil {
		add("path", "%s", err)
	}
	ps = append(ps, storage.CheckEnvName("password_env", s.PasswordEnv)...)
	ps = append(ps, storage.CheckEnvName("key_passphrase_env", s.KeyPassphraseEnv)...)
	if s.PasswordEnv != "" && s.PasswordFile != "" {
		add("", "set at most one of password_env and password_file")
	}
	if s.KeyPassphraseEnv != "" && s.KeyPassphraseFile != "" {
		add("", "set at most one of key_passphrase_env and key_passphrase_file")
	}
	if (s.KeyPassphraseEnv != "" || s.KeyPassphraseFile != "") && s.KeyFile == "" {
		add("", "a key passphrase is set but key_file is not")
	}
	if s.KeyFile == "" && s.PasswordEnv == "" && s.PasswordFile == "" {
		add("", "set key_file, password_env or password_file to log in")
	}
	if err := checkHostKeyCheck(s.KnownHosts != "", s.HostKeyFingerprint); err != nil {
		key := ""
		if s.HostKeyFingerprint != "" {
			key = "host_key_fingerprint"
		}
		add(key, "%s", err)
	}
	for _, e := range checkHostKeyAlgorithms(s.HostKeyAlgorithms) {
		add(fmt.Sprintf("host_key_algorithms[%d]", e.index), "%s", e.msg)
	}
	return ps
}

// Normalise lowercases the host, adds port 22 when none is given, and
// drops a trailing slash from the path when what is left is clean.
func (s *Settings) Normalise() {
	s.Address = normaliseAddress(s.Address)
	if t := strings.TrimRight(s.Path, "/"); t != "" && checkPath(t) == nil {
		s.Path = t
	}
}

// ResolvePaths makes the key, passphrase, password and known_hosts file
// names absolute against dir.
func (s *Settings) ResolvePaths(dir string) {
	for _, p := range []*string{&s.KeyFile, &s.KeyPassphraseFile, &s.PasswordFile, &s.KnownHosts} {
		storage.AbsPath(dir, p)
	}
}

// SecretFiles lists the key, passphrase and password files.
func (s *Settings) SecretFiles() []storage.NamedPath {
	var out []storage.NamedPath
	for _, f := range []storage.NamedPath{{Key: "key_file", Path: s.KeyFile}, {Key: "key_passphrase_file", Path: s.KeyPassphraseFile}, {Key: "password_file", Path: s.PasswordFile}} {
		if f.Path != "" {
			out = append(out, f)
		}
	}
	return out
}

// Scope is the folder tree on the server, or false when the address or
// a clean path is missing (those are refused on their own).
func (s *Settings) Scope() (storage.Scope, bool) {
	if s.Address == "" || checkPath(s.Path) != nil {
		return storage.Scope{}, false
	}
	return storage.Scope{Kind: "sftp", Where: normaliseAddress(s.Address), Path: s.Path}, true
}

// String is "sftp://user@host:port/path", with no secret.
func (s *Settings) String() string {
	u := url.URL{Scheme: "sftp", User: url.User(s.User), Host: normaliseAddress(s.Address), Path: s.Path}
	if s.User == "" {
		u.User = nil
	}
	return u.String()
}

// Config reads the secrets s names and returns the backend's Config.
func (s *Settings) Config(getenv func(string) string) (Config, error) {
	cfg := Config{
		Address:            s.Address,
		User:               s.User,
		Path:               s.Path,
		KeyFile:            s.KeyFile,
		KnownHostsFile:     s.KnownHosts,
		HostKeyFingerprint: s.HostKeyFingerprint,
		HostKeyAlgorithms:  s.HostKeyAlgorithms,
	}
	pass, err := storage.OptionalSecret(getenv, s.KeyPassphraseEnv, s.KeyPassphraseFile)
	if err != nil {
		return cfg, err
	}
	if pass != "" {
		cfg.Passphrase = []byte(pass)
	}
	if cfg.Password, err = storage.OptionalSecret(getenv, s.PasswordEnv, s.PasswordFile); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// OpenZone reads the secrets and connects (see Open).
func (s *Settings) OpenZone(ctx context.Context, o storage.OpenOptions) (storage.Zone, error) {
	cfg, err := s.Config(o.Env())
	if err != nil {
		return nil, fmt.Errorf("open zone %s: %w", s.String(), err)
	}
	z, err := Open(ctx, cfg, o.Log())
	if err != nil {
		return nil, err
	}
	return z, nil
}

// OpenOutput fails with storage.ErrNoOutput: the combined datasets stay on
// the county's own storage.
func (s *Settings) OpenOutput(context.Context, storage.OpenOptions) (storage.Output, error) {
	return nil, fmt.Errorf("open output %s: %w", s.String(), storage.ErrNoOutput)
}

// normaliseAddress lowercases the host and adds port 22 when none is
// given. An address it cannot read comes back unchanged.
func normaliseAddress(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		if strings.Contains(addr, ":") || addr == "" {
			return addr
		}
		host, port = addr, "22"
	}
	return net.JoinHostPort(strings.ToLower(host), port)
}

// checkAddress refuses an address that is not host:port with a port from
// 1 to 65535 (a missing port means 22).
func checkAddress(addr string) error {
	host, port, err := net.SplitHostPort(normaliseAddress(addr))
	if err == nil && host != "" {
		if n, perr := strconv.Atoi(port); perr == nil && n > 0 && n <= 65535 && port[0] != '+' {
			return nil
		}
	}
	return fmt.Errorf("%q is not host:port", addr)
}

// checkPath refuses a zone folder that is not absolute and clean:
// path.Clean must leave it unchanged, so it has no "." or ".." part, no
// doubled slash and no trailing slash. The server resolves such parts
// itself, so a zone written "/upload/a/../b" is /upload/b, and checks that
// compare paths as written would be wrong.
func checkPath(p string) error {
	if !path.IsAbs(p) {
		return fmt.Errorf("%q is not an absolute path on the server (want a form like /upload)", p)
	}
	if path.Clean(p) != p {
		return fmt.Errorf("%q is not a clean path (no \".\" or \"..\" parts and no doubled slashes; want a form like /upload/brentwood)", p)
	}
	return nil
}

// checkHostKeyCheck requires a way to check the server's host key, and a
// fingerprint in the form ssh-keygen -lf prints. With both known_hosts and
// a fingerprint, the key must satisfy both.
func checkHostKeyCheck(knownHosts bool, fingerprint string) error {
	switch {
	case !knownHosts && fingerprint == "":
		return fmt.Errorf("set known_hosts or host_key_fingerprint: the server's host key must be checked")
	case fingerprint != "" && !validFingerprint(fingerprint):
		return fmt.Errorf("%q is not a host key fingerprint (want SHA256: and 43 base64 characters, as ssh-keygen -lf prints)", fingerprint)
	}
	return nil
}

// validFingerprint reports whether f is "SHA256:" and the unpadded base64
// of a 32-byte digest, as ssh.FingerprintSHA256 and ssh-keygen print it.
func validFingerprint(f string) bool {
	b64, ok := strings.CutPrefix(f, "SHA256:")
	if !ok {
		return false
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "="))
	return err == nil && len(b) == 32
}

type algorithmError struct {
	index int
	msg   string
}

// checkHostKeyAlgorithms checks that each name is a host key algorithm
// the SSH library implements and does not deem insecure, listed once.
func checkHostKeyAlgorithms(names []string) []algorithmError {
	supported := ssh.SupportedAlgorithms().HostKeys
	insecure := ssh.InsecureAlgorithms().HostKeys
	var errs []algorithmError
	seen := map[string]int{}
	for i, name := range names {
		if j, dup := seen[name]; dup {
			errs = append(errs, algorithmError{i, fmt.Sprintf("%q is listed twice (first at host_key_algorithms[%d])", name, j)})
			continue
		}
		seen[name] = i
		switch {
		case slices.Contains(supported, name):
		case slices.Contains(insecure, name):
			errs = append(errs, algorithmError{i, fmt.Sprintf("%q is refused as insecure (for an RSA host key give rsa-sha2-512 or rsa-sha2-256)", name)})
		default:
			errs = append(errs, algorithmError{i, fmt.Sprintf("%q is not a host key algorithm (want one of %s)", name, strings.Join(supported, ", "))})
		}
	}
	return errs
}
