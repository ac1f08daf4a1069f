package azblob

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"landingd/storage"
)

// Settings are an Azure Blob Storage zone's or output's settings in a
// protocol file:
//
//	landing:
//	  kind: azblob
//	  service_url: https://essexhclic.blob.core.windows.net/
//	  container: basildon
//	  prefix: hclic
//	  auth: {sas_file: secrets/basildon.sas}
//
// Secrets are named by environment variable or file, never inline.
type Settings struct {
	ServiceURL string `yaml:"service_url"`
	Container  string `yaml:"container"`
	Prefix     string `yaml:"prefix"`
	AllowHTTP  bool   `yaml:"allow_http"`
	Auth       Auth   `yaml:"auth"`
}

// Auth selects exactly one way to authenticate to Azure Storage.
type Auth struct {
	ConnectionStringEnv string `yaml:"connection_string_env"`
	AccountName         string `yaml:"account_name"`
	AccountKeyEnv       string `yaml:"account_key_env"`
	AccountKeyFile      string `yaml:"account_key_file"`
	SASEnv              string `yaml:"sas_env"`
	SASFile             string `yaml:"sas_file"`
	DefaultCredential   bool   `yaml:"default_credential"`
}

var _ storage.Settings = (*Settings)(nil)

// Check reports every problem with s at once. The service URL is never
// quoted whole: a mistyped one may carry a SAS token.
func (s *Settings) Check() []storage.SettingError {
	var ps []storage.SettingError
	add := func(key, format string, args ...any) { ps = append(ps, storage.Problemf(key, format, args...)) }
	if s.ServiceURL == "" {
		add("service_url", "required")
	} else if _, err := checkServiceURL(s.ServiceURL, s.AllowHTTP); err != nil {
		add("service_url", "%s", err)
	}
	if _, err := cleanPrefix(s.Prefix); err != nil {
		add("prefix", "%s (want a form like districts/brentwood)", err)
	}
	if s.Container == "" {
		add("container", "required")
	} else if err := checkContainer(s.Container); err != nil {
		add("container", "%s", err)
	}
	a := s.Auth
	ps = append(ps, storage.CheckEnvName("auth.connection_string_env", a.ConnectionStringEnv)...)
	ps = append(ps, storage.CheckEnvName("auth.account_key_env", a.AccountKeyEnv)...)
	ps = append(ps, storage.CheckEnvName("auth.sas_env", a.SASEnv)...)
	var methods []string
	if a.ConnectionStringEnv != "" {
		methods = append(methods, "connection_string_env")
	}
	if a.AccountName != "" || a.AccountKeyEnv != "" || a.AccountKeyFile != "" {
		methods = append(methods, "account_name")
		switch {
		case a.AccountName == "":
			add("auth", "an account key needs account_name")
		case a.AccountKeyEnv == "" && a.AccountKeyFile == "":
			add("auth", "account_name needs account_key_env or account_key_file")
		case a.AccountKeyEnv != "" && a.AccountKeyFile != "":
			add("auth", "set only one of account_key_env and account_key_file")
		}
	}
	if a.SASEnv != "" {
		methods = append(methods, "sas_env")
	}
	if a.SASFile != "" {
		methods = append(methods, "sas_file")
	}
	if a.DefaultCredential {
		methods = append(methods, "default_credential")
	}
	switch len(methods) {
	case 0:
		add("auth", "required: set one of connection_string_env, account_name with account_key_env or account_key_file, sas_env, sas_file, or default_credential: true")
	case 1:
	default:
		add("auth", "set exactly one way to authenticate, not %s", strings.Join(methods, " and "))
	}
	return ps
}

// Normalise does nothing: prefixes and URLs are compared in their
// canonical form by Scope.
func (s *Settings) Normalise() {}

// ResolvePaths makes the account key and SAS file names absolute against
// dir.
func (s *Settings) ResolvePaths(dir string) {
	storage.AbsPath(dir, &s.Auth.AccountKeyFile)
	storage.AbsPath(dir, &s.Auth.SASFile)
}

// SecretFiles lists the account key and SAS files.
func (s *Settings) SecretFiles() []storage.NamedPath {
	var out []storage.NamedPath
	for _, f := range []storage.NamedPath{{Key: "auth.account_key_file", Path: s.Auth.AccountKeyFile}, {Key: "auth.sas_file", Path: s.Auth.SASFile}} {
		if f.Path != "" {
			out = append(out, f)
		}
	}
	return out
}

// Scope is the blobs under the prefix in the container, with the account
// URL lowercased and a default port dropped so that two spellings of one
// account compare equal; false when the settings are too incomplete.
func (s *Settings) Scope() (storage.Scope, bool) {
	u, err := url.Parse(s.ServiceURL)
	prefix, perr := cleanPrefix(s.Prefix)
	if err != nil || u.Host == "" || s.Container == "" || perr != nil {
		return storage.Scope{}, false
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return storage.Scope{Kind: "azblob", Where: host + strings.TrimRight(u.EscapedPath(), "/") + "|" + s.Container, Path: prefix}, true
}

// String is "azblob://host/account/container/prefix", with no query, user
// information or credential.
func (s *Settings) String() string {
	host := ""
	if u, err := url.Parse(s.ServiceURL); err == nil {
		host = u.Host + strings.TrimSuffix(u.EscapedPath(), "/")
	}
	out := "azblob://" + host + "/" + s.Container
	if s.Prefix != "" {
		out += "/" + strings.TrimPrefix(s.Prefix, "/")
	}
	return out
}

// Config reads the secrets s names and returns the backend's Config,
// spooling uploads under tempDir.
func (s *Settings) Config(getenv func(string) string, tempDir string) (Config, error) {
	cfg := Config{
		ServiceURL:        s.ServiceURL,
		Container:         s.Container,
		Prefix:            s.Prefix,
		AllowHTTP:         s.AllowHTTP,
		AccountName:       s.Auth.AccountName,
		DefaultCredential: s.Auth.DefaultCredential,
		// No SDK retries, of requests or of reads: storage/retry is the
		// one layer that retries, with jitter and a bound on the time an
		// operation takes, and it retries whole operations (a Move is
		// several requests). Retries here too would multiply its attempts
		// and outlast its bound. A dropped read therefore fails, marked
		// transient, and is read again from the start (retry.Load).
		MaxRetries:  -1,
		ReadRetries: -1,
		TempDir:     tempDir,
	}
	var err error
	a := s.Auth
	if cfg.ConnectionString, err = storage.OptionalSecret(getenv, a.ConnectionStringEnv, ""); err != nil {
		return cfg, err
	}
	if cfg.AccountKey, err = storage.OptionalSecret(getenv, a.AccountKeyEnv, a.AccountKeyFile); err != nil {
		return cfg, err
	}
	if cfg.SASToken, err = storage.OptionalSecret(getenv, a.SASEnv, a.SASFile); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// OpenZone reads the secrets and opens the container as a zone (see
// OpenZone).
func (s *Settings) OpenZone(ctx context.Context, o storage.OpenOptions) (storage.Zone, error) {
	cfg, err := s.Config(o.Env(), o.TempDir)
	if err != nil {
		return nil, fmt.Errorf("open zone %s: %w", s.String(), err)
	}
	z, err := OpenZone(ctx, cfg, o.Log())
	if err != nil {
		return nil, err
	}
	return z, nil
}

// OpenOutput reads the secrets and opens the container as the output (see
// OpenOutput).
func (s *Settings) OpenOutput(ctx context.Context, o storage.OpenOptions) (storage.Output, error) {
	cfg, err := s.Config(o.Env(), o.TempDir)
	if err != nil {
		return nil, fmt.Errorf("open output %s: %w", s.String(), err)
	}
	out, err := OpenOutput(ctx, cfg, o.Log())
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkContainer refuses a name Azure would: 3 to 63 lowercase letters,
// digits and single hyphens, starting and ending with a letter or digit.
func checkContainer(name string) error {
	if !containerName.MatchString(name) || len(name) < 3 || len(name) > 63 || strings.Contains(name, "--") {
		return fmt.Errorf("%q is not a container name (want 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)", name)
	}
	return nil
}
