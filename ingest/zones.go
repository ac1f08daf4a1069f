package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"landingd/config"
	"landingd/storage"
	"landingd/storage/azblob"
	"landingd/storage/local"
	"landingd/storage/sftp"
)

// OpenZone opens a partner's landing zone with a plain switch on its kind.
// Secrets named in the protocol are read here, through getenv or from
// their files, passed to the backend as values, and never logged.
//
// Each backend states its own guarantees: local renames atomically on one
// filesystem; sftp verifies the host key and moves and writes with
// posix-rename@openssh.com; azblob moves by copy, check and delete.
//
// tempDir is where a backend spools what it uploads (azblob): the state
// folder, never the machine's shared temporary folder.
func OpenZone(ctx context.Context, loc config.Location, tempDir string, getenv func(string) string, logger *slog.Logger) (storage.Zone, error) {
	switch loc.Kind {
	case "local":
		z, err := local.NewZone(loc.Path)
		if err != nil {
			return nil, err
		}
		return z, nil
	case "sftp":
		cfg, err := sftpConfig(loc, getenv)
		if err != nil {
			return nil, fmt.Errorf("open zone %s: %w", loc.String(), err)
		}
		z, err := sftp.Open(ctx, cfg, logger)
		if err != nil {
			return nil, err
		}
		return z, nil
	case "azblob":
		cfg, err := azblobConfig(loc, tempDir, getenv)
		if err != nil {
			return nil, fmt.Errorf("open zone %s: %w", loc.String(), err)
		}
		z, err := azblob.OpenZone(ctx, cfg, logger)
		if err != nil {
			return nil, err
		}
		return z, nil
	default:
		return nil, fmt.Errorf("open zone %s: unknown kind %q", loc.String(), loc.Kind)
	}
}

// OpenOutput opens the combined datasets' output with a plain switch on
// its kind.
// tempDir is as for OpenZone.
func OpenOutput(ctx context.Context, loc config.Location, tempDir string, getenv func(string) string, logger *slog.Logger) (storage.Output, error) {
	switch loc.Kind {
	case "local":
		// The county's own output folder is created on first use; a
		// district's zone is never created (a missing zone is an error).
		if err := os.MkdirAll(loc.Path, 0o750); err != nil {
			return nil, fmt.Errorf("create output folder %s: %w", loc.Path, err)
		}
		o, err := local.NewOutput(loc.Path)
		if err != nil {
			return nil, err
		}
		return o, nil
	case "azblob":
		cfg, err := azblobConfig(loc, tempDir, getenv)
		if err != nil {
			return nil, fmt.Errorf("open output %s: %w", loc.String(), err)
		}
		o, err := azblob.OpenOutput(ctx, cfg, logger)
		if err != nil {
			return nil, err
		}
		return o, nil
	default:
		return nil, fmt.Errorf("open output %s: unknown kind %q", loc.String(), loc.Kind)
	}
}

// secret reads an optional secret: "" when neither source is named.
func secret(getenv func(string) string, env, file string) (string, error) {
	if env == "" && file == "" {
		return "", nil
	}
	return config.ReadSecret(getenv, env, file)
}

func sftpConfig(loc config.Location, getenv func(string) string) (sftp.Config, error) {
	cfg := sftp.Config{
		Address:            loc.Address,
		User:               loc.User,
		Path:               loc.Path,
		KeyFile:            loc.KeyFile,
		KnownHostsFile:     loc.KnownHosts,
		HostKeyFingerprint: loc.HostKeyFingerprint,
		HostKeyAlgorithms:  loc.HostKeyAlgorithms,
		// The run retries a transient fault itself, with backoff; a single
		// dial per attempt keeps an unreachable server from holding a cycle.
		MaxRetries: 1,
	}
	pass, err := secret(getenv, loc.KeyPassphraseEnv, loc.KeyPassphraseFile)
	if err != nil {
		return cfg, err
	}
	if pass != "" {
		cfg.Passphrase = []byte(pass)
	}
	if cfg.Password, err = secret(getenv, loc.PasswordEnv, loc.PasswordFile); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func azblobConfig(loc config.Location, tempDir string, getenv func(string) string) (azblob.Config, error) {
	cfg := azblob.Config{
		ServiceURL:        loc.ServiceURL,
		Container:         loc.Container,
		Prefix:            loc.Prefix,
		AllowHTTP:         loc.AllowHTTP,
		AccountName:       loc.Auth.AccountName,
		DefaultCredential: loc.Auth.DefaultCredential,
		// The run retries transient faults itself, with backoff; one SDK
		// retry per request on top keeps an unreachable account from
		// holding a cycle for minutes.
		MaxRetries: 1,
		TempDir:    tempDir,
	}
	var err error
	a := loc.Auth
	if cfg.ConnectionString, err = secret(getenv, a.ConnectionStringEnv, ""); err != nil {
		return cfg, err
	}
	if cfg.AccountKey, err = secret(getenv, a.AccountKeyEnv, a.AccountKeyFile); err != nil {
		return cfg, err
	}
	if cfg.SASToken, err = secret(getenv, a.SASEnv, a.SASFile); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func (r *Runner) openZone(ctx context.Context, p *config.Partner) (storage.Zone, error) {
	if r.OpenZone != nil {
		return r.OpenZone(ctx, p)
	}
	return OpenZone(ctx, p.Landing, r.Config.State, r.getenv, r.Logger.With("partner", p.ID))
}
