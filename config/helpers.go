package config

import (
	"fmt"
	"time"
	"unicode/utf8"

	"landingd/storage"
)

// Partner returns the partner with the given id, and false if there is
// none. The pointer is into c.Partners.
func (c *Config) Partner(id string) (*Partner, bool) {
	for i := range c.Partners {
		if c.Partners[i].ID == id {
			return &c.Partners[i], true
		}
	}
	return nil, false
}

// StableAfterFor returns how long a file in p's zone must stay unchanged
// before it is taken: p's own stable_after if set, else the top-level one.
// A nil p gets the top-level value.
func (c *Config) StableAfterFor(p *Partner) time.Duration {
	if p != nil && p.StableAfter != nil {
		return p.StableAfter.Duration
	}
	return c.StableAfter.Duration
}

// ReadSecret returns the secret held in the environment variable envName
// or the file named file; it is storage.ReadSecret, the one reader of
// secrets named in a protocol file.
func ReadSecret(getenv func(string) string, envName, file string) (string, error) {
	return storage.ReadSecret(getenv, envName, file)
}

// MinTokenChars is the shortest bearer token http.token_file may hold.
const MinTokenChars = 32

// ReadToken reads the bearer token from file (see ReadSecret) and checks
// it: at least MinTokenChars characters, so that it cannot be guessed.
// The error names the file, never the token.
func ReadToken(getenv func(string) string, file string) (string, error) {
	token, err := ReadSecret(getenv, "", file)
	if err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(token); n < MinTokenChars {
		return "", fmt.Errorf("token in %s: %d characters, need at least %d (for example: head -c 32 /dev/urandom | base64)", file, n, MinTokenChars)
	}
	return token, nil
}
