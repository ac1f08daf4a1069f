package config

import (
	"time"

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
