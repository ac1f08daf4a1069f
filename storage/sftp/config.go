package sftp

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Defaults used for zero Config fields.
const (
	DefaultDialTimeout = 15 * time.Second
	DefaultIOTimeout   = 60 * time.Second
	DefaultKeepAlive   = 30 * time.Second
)

// Config says how to reach one SFTP landing zone. Secrets are given as
// values; reading them from files or the environment is the caller's job.
type Config struct {
	// Address is "host:port"; ":22" is added when there is no port.
	Address string
	// User is the SSH login name.
	User string
	// Path is the zone's folder on the server: absolute, clean.
	Path string

	// Authentication: at least one of Signer, KeyFile, KeyPEM or Password.
	Signer     ssh.Signer // a ready signer (an agent key, say)
	KeyFile    string     // a private key file (OpenSSH or PEM format)
	KeyPEM     []byte     // a private key's bytes, instead of KeyFile
	Passphrase []byte     // decrypts an encrypted KeyFile or KeyPEM
	Password   string     // password login; discouraged, keys are preferred

	// Host key verification: at least one of the two; when both are
	// given both must accept the key.
	KnownHostsFile     string // OpenSSH known_hosts file
	HostKeyFingerprint string // "SHA256:..." as ssh-keygen -lf prints it
	// HostKeyAlgorithms, when set, are the host key types to ask for.
	// When empty they are read from KnownHostsFile's entries for the
	// host; set it with a fingerprint pin when the server has several
	// host keys, so the server presents the pinned one.
	HostKeyAlgorithms []string

	DialTimeout time.Duration // TCP connect plus SSH handshake; 0 means DefaultDialTimeout
	IOTimeout   time.Duration // a step with no progress for this long fails; 0 means DefaultIOTimeout
	KeepAlive   time.Duration // keepalive interval; 0 means DefaultKeepAlive, negative turns it off
}

// withDefaults fills zero fields and normalises Address.
func (c Config) withDefaults() Config {
	if _, _, err := net.SplitHostPort(c.Address); err != nil && c.Address != "" {
		c.Address = net.JoinHostPort(strings.Trim(c.Address, "[]"), "22")
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.IOTimeout == 0 {
		c.IOTimeout = DefaultIOTimeout
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = DefaultKeepAlive
	}
	return c
}

// Validate reports every problem with c at once (errors.Join), or nil.
// Its rules are the ones Settings.Check applies to a protocol file, from
// the same functions.
func (c Config) Validate() error {
	var errs []error
	if c.Address == "" {
		errs = append(errs, errors.New("address is empty"))
	} else if err := checkAddress(c.Address); err != nil {
		errs = append(errs, fmt.Errorf("address: %w", err))
	}
	if c.User == "" {
		errs = append(errs, errors.New("user is empty"))
	}
	if err := checkPath(c.Path); err != nil {
		errs = append(errs, fmt.Errorf("path: %w", err))
	}
	if c.Signer == nil && c.KeyFile == "" && len(c.KeyPEM) == 0 && c.Password == "" {
		errs = append(errs, errors.New("no authentication: set a key or a password"))
	}
	if c.KeyFile != "" && len(c.KeyPEM) != 0 {
		errs = append(errs, errors.New("both a key file and key bytes are set"))
	}
	if err := checkHostKeyCheck(c.KnownHostsFile != "", c.HostKeyFingerprint); err != nil {
		errs = append(errs, fmt.Errorf("host key: %w", err))
	}
	for _, e := range checkHostKeyAlgorithms(c.HostKeyAlgorithms) {
		errs = append(errs, fmt.Errorf("host_key_algorithms[%d]: %s", e.index, e.msg))
	}
	if c.IOTimeout < 0 || c.DialTimeout < 0 {
		errs = append(errs, errors.New("timeouts must not be negative"))
	}
	return errors.Join(errs...)
}

// String names the zone without secrets: "sftp://user@host:port/path".
func (c Config) String() string {
	return "sftp://" + c.User + "@" + c.withDefaults().Address + c.Path
}
