package sftp

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/crypto/ssh"
)

// authMethods builds the SSH authentication methods for cfg: public key
// first, then password. It returns the key signers too.
func authMethods(cfg Config) ([]ssh.AuthMethod, []ssh.Signer, error) {
	var signers []ssh.Signer
	if cfg.Signer != nil {
		signers = append(signers, cfg.Signer)
	}
	pem, src := cfg.KeyPEM, "key"
	if cfg.KeyFile != "" {
		b, err := os.ReadFile(cfg.KeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("reading private key: %w", err)
		}
		pem, src = b, "key "+cfg.KeyFile
	}
	if len(pem) > 0 {
		s, err := ParseKey(pem, cfg.Passphrase)
		if err != nil {
			return nil, nil, fmt.Errorf("parsing %s: %w", src, err)
		}
		signers = append(signers, s)
	}
	var methods []ssh.AuthMethod
	if len(signers) > 0 {
		methods = append(methods, ssh.PublicKeys(signers...))
	}
	if cfg.Password != "" {
		methods = append(methods, ssh.Password(cfg.Password))
	}
	if len(methods) == 0 {
		return nil, nil, errors.New("no authentication configured")
	}
	return methods, signers, nil
}

// ParseKey parses an ed25519, ECDSA or RSA private key in OpenSSH or PEM
// format, decrypting it with passphrase when it is encrypted. It returns
// an error when the key is encrypted and no passphrase is given, when the
// passphrase is wrong, or when the bytes are not a key.
func ParseKey(pem, passphrase []byte) (ssh.Signer, error) {
	s, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if len(passphrase) == 0 {
			return nil, errors.New("the key is encrypted and no passphrase is set")
		}
		return ssh.ParsePrivateKeyWithPassphrase(pem, passphrase)
	}
	return s, err
}
