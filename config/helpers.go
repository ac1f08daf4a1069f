package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
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
// or the file named file (exactly one of the two is expected), with
// surrounding white space trimmed. getenv is usually os.Getenv. It returns
// an error naming the variable or file, never the value, if both or
// neither are given, the variable is unset or empty, the file cannot be
// read, or the secret is empty.
func ReadSecret(getenv func(string) string, envName, file string) (string, error) {
	switch {
	case envName != "" && file != "":
		return "", fmt.Errorf("read secret: both environment variable %s and file %s are named; name one", envName, file)
	case envName != "":
		v := strings.TrimSpace(getenv(envName))
		if v == "" {
			return "", fmt.Errorf("read secret: environment variable %s is not set or empty", envName)
		}
		return v, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			// The *PathError names the file, never its contents.
			return "", fmt.Errorf("read secret: %w", err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("read secret %s: file is empty", file)
		}
		return v, nil
	}
	return "", errors.New("read secret: no environment variable or file named")
}
