package sftp

import (
	"crypto/ed25519"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyError is the error a connection fails with when the server's
// host key is not the one configured. It is never transient: retrying
// cannot make a wrong key right.
type HostKeyError struct {
	Host        string // the address dialled, "host:port"
	Fingerprint string // SHA-256 fingerprint of the key the server presented
	KeyType     string // type of the key the server presented, such as "ssh-ed25519"
	Source      string // "known_hosts /path" or "host_key_fingerprint"
	Unknown     bool   // the known_hosts file has no key for this host at all
	Revoked     bool   // the known_hosts file marks this key @revoked
	// OtherType is set when the expected key may be one of another type
	// that the server also holds: the host key algorithms asked for did
	// not name a single key type (for a pin), or known_hosts lists only
	// keys of other types for the host (KnownTypes).
	OtherType  bool
	KnownTypes []string
}

func (e *HostKeyError) Error() string {
	switch {
	case e.Revoked:
		return fmt.Sprintf("sftp %s: host key %s is revoked in %s (refusing to connect)", e.Host, e.Fingerprint, e.Source)
	case e.Unknown:
		return fmt.Sprintf("sftp %s: host key %s is unknown: %s has no key for this host (refusing to connect)", e.Host, e.Fingerprint, e.Source)
	}
	msg := fmt.Sprintf("sftp %s: host key %s is not the one pinned in %s (refusing to connect)", e.Host, e.Fingerprint, e.Source)
	switch {
	case !e.OtherType:
	case len(e.KnownTypes) > 0:
		msg += fmt.Sprintf(": the server offered its %s key, and known_hosts lists only %s for this host; set host_key_algorithms to one of those types, or leave it out to ask for them",
			e.KeyType, strings.Join(e.KnownTypes, ", "))
	default:
		msg += fmt.Sprintf(": the server offered its %s key, and a server may hold keys of several types; if the pinned key is of another type, set host_key_algorithms to that type alone (such as [ssh-ed25519])",
			e.KeyType)
	}
	return msg
}

// hostKeyCheck builds the host key callback for cfg and the host key
// algorithms to ask the server for.
func hostKeyCheck(cfg Config) (ssh.HostKeyCallback, []string, error) {
	var checks []ssh.HostKeyCallback
	algos := slices.Clone(cfg.HostKeyAlgorithms)
	if cfg.KnownHostsFile != "" {
		kh, err := knownhosts.New(cfg.KnownHostsFile)
		if err != nil {
			return nil, nil, fmt.Errorf("reading known_hosts %s: %w", cfg.KnownHostsFile, err)
		}
		if len(algos) == 0 {
			algos = knownAlgorithms(kh, cfg.Address)
		}
		src := "known_hosts " + cfg.KnownHostsFile
		checks = append(checks, func(host string, remote net.Addr, key ssh.PublicKey) error {
			err := kh(host, remote, key)
			if err == nil {
				return nil
			}
			hk := &HostKeyError{Host: cfg.Address, Fingerprint: ssh.FingerprintSHA256(key), KeyType: key.Type(), Source: src}
			var ke *knownhosts.KeyError
			var re *knownhosts.RevokedError
			switch {
			case errors.As(err, &re):
				hk.Revoked = true
			case errors.As(err, &ke):
				hk.Unknown = len(ke.Want) == 0
				for _, w := range ke.Want {
					hk.KnownTypes = append(hk.KnownTypes, w.Key.Type())
				}
				slices.Sort(hk.KnownTypes)
				hk.KnownTypes = slices.Compact(hk.KnownTypes)
				hk.OtherType = !hk.Unknown && !slices.Contains(hk.KnownTypes, key.Type())
				if !hk.OtherType {
					hk.KnownTypes = nil
				}
			default:
				return err
			}
			return hk
		})
	}
	if pin := strings.TrimRight(cfg.HostKeyFingerprint, "="); pin != "" {
		// Unless the algorithms asked for name one key type, the server
		// chooses which of its keys to present.
		oneType := len(keyTypes(algos)) == 1
		checks = append(checks, func(host string, remote net.Addr, key ssh.PublicKey) error {
			got := strings.TrimRight(ssh.FingerprintSHA256(key), "=")
			if subtle.ConstantTimeCompare([]byte(got), []byte(pin)) == 1 {
				return nil
			}
			return &HostKeyError{Host: cfg.Address, Fingerprint: got, KeyType: key.Type(), Source: "host_key_fingerprint", OtherType: !oneType}
		})
	}
	if len(checks) == 0 {
		return nil, nil, errors.New("no host key check configured")
	}
	return func(host string, remote net.Addr, key ssh.PublicKey) error {
		for _, c := range checks {
			if err := c(host, remote, key); err != nil {
				return err
			}
		}
		return nil
	}, algos, nil
}

// keyTypes returns the key types the host key algorithms algos stand
// for: rsa-sha2-256 and rsa-sha2-512 are signatures by an ssh-rsa key,
// and a certificate algorithm stands for its certificate type.
func keyTypes(algos []string) []string {
	var types []string
	for _, a := range algos {
		switch a {
		case ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSASHA512:
			a = ssh.KeyAlgoRSA
		case ssh.CertAlgoRSASHA256v01, ssh.CertAlgoRSASHA512v01:
			a = ssh.CertAlgoRSAv01
		}
		types = append(types, a)
	}
	slices.Sort(types)
	return slices.Compact(types)
}

// probeKey is a throwaway key; asking known_hosts about it makes it list
// the keys it does hold for a host.
var probeKey = func() ssh.PublicKey {
	k, err := ssh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize)))
	if err != nil {
		panic(err)
	}
	return k
}()

// knownAlgorithms returns the host key algorithms known_hosts lists for
// address, so a server with several host keys presents one we know. It
// returns nil (the library's defaults) when there are none.
func knownAlgorithms(kh ssh.HostKeyCallback, address string) []string {
	host, _, _ := net.SplitHostPort(address)
	remote := &net.TCPAddr{IP: net.ParseIP(host)}
	if remote.IP == nil {
		remote.IP = net.IPv4zero
	}
	var ke *knownhosts.KeyError
	if err := kh(address, remote, probeKey); !errors.As(err, &ke) {
		return nil
	}
	var algos []string
	for _, k := range ke.Want {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			algos = append(algos, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
		case ssh.CertAlgoRSAv01:
			algos = append(algos, ssh.CertAlgoRSASHA512v01, ssh.CertAlgoRSASHA256v01, ssh.CertAlgoRSAv01)
		default:
			algos = append(algos, t)
		}
	}
	slices.Sort(algos)
	return slices.Compact(algos)
}
