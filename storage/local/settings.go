package local

import (
	"context"
	"fmt"
	"os"

	"landingd/storage"
)

// Settings are a local folder's settings in a protocol file:
//
//	landing: {kind: local, path: /srv/landing/basildon}
//
// A relative path is taken from the protocol file's folder.
type Settings struct {
	Path string `yaml:"path"`
}

var _ storage.Settings = (*Settings)(nil)

// Check reports a missing path.
func (s *Settings) Check() []storage.SettingError {
	if s.Path == "" {
		return []storage.SettingError{storage.Problemf("path", "required")}
	}
	return nil
}

// Normalise does nothing: every spelling of a local path is resolved by
// ResolvePaths.
func (s *Settings) Normalise() {}

// ResolvePaths makes the folder absolute against dir.
func (s *Settings) ResolvePaths(dir string) { storage.AbsPath(dir, &s.Path) }

// SecretFiles returns nil: a local folder needs no secret.
func (s *Settings) SecretFiles() []storage.NamedPath { return nil }

// Scope is the folder tree, or false when no path is set.
func (s *Settings) Scope() (storage.Scope, bool) {
	if s.Path == "" {
		return storage.Scope{}, false
	}
	return storage.LocalScope(s.Path), true
}

// String is "local:" and the folder.
func (s *Settings) String() string { return "local:" + s.Path }

// OpenZone opens the folder as a zone; a missing folder is an error (a
// district's zone is never created).
func (s *Settings) OpenZone(_ context.Context, _ storage.OpenOptions) (storage.Zone, error) {
	z, err := NewZone(s.Path)
	if err != nil {
		return nil, err
	}
	return z, nil
}

// OpenOutput opens the folder as the output, creating it on first use:
// it is the county's own folder.
func (s *Settings) OpenOutput(_ context.Context, _ storage.OpenOptions) (storage.Output, error) {
	if err := os.MkdirAll(s.Path, 0o750); err != nil {
		return nil, fmt.Errorf("create output folder %s: %w", s.Path, err)
	}
	o, err := NewOutput(s.Path)
	if err != nil {
		return nil, err
	}
	return o, nil
}
