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
	Source      string // "known_hosts /path" or "host_key_fingerprint"
	Unknown     bool   // the known_hosts file has no key for this host at all
	Revoked     bool   // the known_hosts file marks this key @revoked
}

func (e *HostKeyError) Error() string {
	switch {
	case e.Revoked:
		return fmt.Sprintf("sftp %s: host key %s is revoked in %s (refusing to connect)", e.Host, e.Fingerprint, e.Source)
	case e.Unknown:
		return fmt.Sprintf("sftp %s: host key %s is unknown: %s has no key for this host (refusing to connect)", e.Host, e.Fingerprint, e.Source)
	}
	return fmt.Sprintf("sftp %s: host key %s is not the one pinned in %s (refusing to connect)", e.Host, e.Fingerprint, e.Source)
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
			hk := &HostKeyError{Host: cfg.Address, Fingerprint: ssh.FingerprintSHA256(key), Source: src}
			var ke *knownhosts.KeyError
			var re *knownhosts.RevokedError
			switch {
			case errors.As(err, &re):
				hk.Revoked = true
			case errors.As(err, &ke):
				hk.Unknown = len(ke.Want) == 0
			default:
				return err
			}
			return hk
		})
	}
	if pin := strings.TrimRight(cfg.HostKeyFingerprint, "="); pin != "" {
		checks = append(checks, func(host string, remote net.Addr, key ssh.PublicKey) error {
			got := strings.TrimRight(ssh.FingerprintSHA256(key), "=")
			if subtle.ConstantTimeCompare([]byte(got), []byte(pin)) == 1 {
				return nil
			}
			return &HostKeyError{Host: cfg.Address, Fingerprint: got, Source: "host_key_fingerprint"}
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
