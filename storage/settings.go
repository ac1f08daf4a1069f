package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Settings are one backend's settings for a landing zone or an output, as
// a protocol file gives them. Each backend defines its own Settings type
// with yaml tags, and is the one home of every rule about its options: the
// config package decodes the file and hands each location's keys to the
// backend chosen by its kind, and the ingest package opens what the
// backend returns, without naming any option itself.
//
// Secrets are never in Settings: they name an environment variable or a
// file, read by Open through ReadSecret.
type Settings interface {
	// Check reports every problem with the settings at once, each with
	// its key relative to the location ("address", "auth.sas_env"; "" for
	// the location as a whole). It never quotes a value that could be a
	// secret.
	Check() []SettingError
	// Normalise rewrites accepted spellings to their canonical form
	// (a default port, a trailing slash). It runs before Check.
	Normalise()
	// ResolvePaths makes the settings' relative local file names absolute
	// against dir (the protocol file's folder).
	ResolvePaths(dir string)
	// SecretFiles lists the local files named by the settings that hold
	// a secret, with their keys, so that isolation checks can keep them
	// out of every partner's reach.
	SecretFiles() []NamedPath
	// Scope is the part of some storage the location reaches, or false
	// when the settings are too incomplete to say.
	Scope() (Scope, bool)
	// String describes the location without any secret.
	String() string
	// OpenZone opens the location as a landing zone. It reads the
	// secrets the settings name, and fails on a missing secret or on
	// the backend's own refusal.
	OpenZone(ctx context.Context, o OpenOptions) (Zone, error)
	// OpenOutput opens the location as the combined datasets' output,
	// or fails with ErrNoOutput for a backend that cannot be one.
	OpenOutput(ctx context.Context, o OpenOptions) (Output, error)
}

// ErrNoOutput is returned (wrapped) by Settings.OpenOutput for a backend
// that cannot hold the combined datasets.
var ErrNoOutput = errors.New("this kind of location cannot be an output")

// OpenOptions is what Settings.OpenZone and OpenOutput take besides the
// settings themselves.
type OpenOptions struct {
	// Getenv reads an environment variable; nil means os.Getenv.
	Getenv func(string) string
	// TempDir is where a backend spools what it uploads: the state
	// folder, never the machine's shared temporary folder.
	TempDir string
	// Logger receives the backend's log; nil means slog.Default().
	Logger *slog.Logger
}

// Env returns o.Getenv, or os.Getenv when it is nil.
func (o OpenOptions) Env() func(string) string {
	if o.Getenv == nil {
		return os.Getenv
	}
	return o.Getenv
}

// Log returns o.Logger, or slog.Default() when it is nil.
func (o OpenOptions) Log() *slog.Logger {
	if o.Logger == nil {
		return slog.Default()
	}
	return o.Logger
}

// SettingError is one problem with a backend's settings. Key is relative
// to the location; "" means the location as a whole.
type SettingError struct {
	Key string
	Msg string
}

func (e SettingError) Error() string {
	if e.Key == "" {
		return e.Msg
	}
	return e.Key + ": " + e.Msg
}

// Problemf returns a SettingError for key.
func Problemf(key, format string, args ...any) SettingError {
	return SettingError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// JoinSettingErrors returns the problems as one error (errors.Join), or
// nil when there are none.
func JoinSettingErrors(ps []SettingError) error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// NamedPath is a local file named by a setting.
type NamedPath struct {
	Key  string // relative to the location, as in SettingError
	Path string
}

// Scope is the part of some storage a location reaches: a folder tree on
// this machine, a folder tree on one SFTP server, or the blobs under a
// prefix in one Azure container.
type Scope struct {
	Kind  string // the backend: local, sftp or azblob
	Where string // "" (local), host:port (sftp), account URL|container (azblob)
	Path  string // a cleaned folder, or a blob name prefix ending in "/" ("" for a whole container)
}

// LocalScope is the scope of the local folder p, made absolute.
func LocalScope(p string) Scope {
	abs, err := filepath.Abs(p)
	if err != nil {
		abs = filepath.Clean(p)
	}
	return Scope{Kind: "local", Path: abs}
}

// Overlaps reports whether a and b share any file or blob.
func (a Scope) Overlaps(b Scope) bool {
	if a.Kind != b.Kind || a.Where != b.Where {
		return false
	}
	if a.Kind == "azblob" {
		// Prefixes end in "/", so this compares whole path segments:
		// "bas/" and "basildon/" do not overlap.
		return strings.HasPrefix(a.Path, b.Path) || strings.HasPrefix(b.Path, a.Path)
	}
	return a.Contains(b.Path) || b.Contains(a.Path)
}

// Contains reports whether path p (in a's own spelling) is a's folder or
// inside it.
func (a Scope) Contains(p string) bool {
	sep := "/"
	if a.Kind == "local" {
		sep = string(filepath.Separator)
	}
	return p == a.Path || strings.HasPrefix(p, strings.TrimSuffix(a.Path, sep)+sep)
}

var envRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// CheckEnvName reports a problem at key when name is set but is not an
// environment variable name. The name is not quoted: a secret pasted in
// by mistake must not be echoed.
func CheckEnvName(key, name string) []SettingError {
	if name != "" && !envRE.MatchString(name) {
		return []SettingError{Problemf(key, "not an environment variable name (letters, digits and _; the value is not shown)")}
	}
	return nil
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

// OptionalSecret is ReadSecret for a secret that may be absent: "" and no
// error when neither source is named.
func OptionalSecret(getenv func(string) string, envName, file string) (string, error) {
	if envName == "" && file == "" {
		return "", nil
	}
	return ReadSecret(getenv, envName, file)
}

// AbsPath makes *p absolute against dir when it is set and relative.
func AbsPath(dir string, p *string) {
	if *p != "" && !filepath.IsAbs(*p) {
		*p = filepath.Join(dir, *p)
	}
}
