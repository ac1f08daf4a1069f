package ingest

import (
	"context"
	"fmt"
	"log/slog"

	"landingd/config"
	"landingd/storage"
	"landingd/storage/retry"
)

// OpenZone opens a partner's landing zone through its backend's
// settings (storage.Settings.OpenZone). Secrets named in the protocol are
// read by the backend, through getenv or from their files, and never
// logged.
//
// Each backend states its own guarantees: local renames atomically on one
// filesystem; sftp verifies the host key and moves and writes with
// posix-rename@openssh.com; azblob moves by copy, check and delete.
//
// tempDir is where a backend spools what it uploads (azblob): the state
// folder, never the machine's shared temporary folder.
func OpenZone(ctx context.Context, loc config.Location, tempDir string, getenv func(string) string, logger *slog.Logger) (storage.Zone, error) {
	s := loc.Settings()
	if s == nil {
		return nil, fmt.Errorf("open zone %s: unknown kind %q", loc.String(), loc.Kind)
	}
	return s.OpenZone(ctx, storage.OpenOptions{Getenv: getenv, TempDir: tempDir, Logger: logger})
}

// OpenOutput opens the combined datasets' output through its backend's
// settings (storage.Settings.OpenOutput). tempDir is as for OpenZone.
func OpenOutput(ctx context.Context, loc config.Location, tempDir string, getenv func(string) string, logger *slog.Logger) (storage.Output, error) {
	s := loc.Settings()
	if s == nil {
		return nil, fmt.Errorf("open output %s: unknown kind %q", loc.String(), loc.Kind)
	}
	return s.OpenOutput(ctx, storage.OpenOptions{Getenv: getenv, TempDir: tempDir, Logger: logger})
}

// openZone opens partner p's landing zone (through Runner.OpenZone when
// set) and wraps it in the retry policy: every zone a Runner uses is
// opened here, so a transient fault is retried in that one layer, opening
// included.
func (r *store) openZone(ctx context.Context, p *config.Partner) (storage.Zone, error) {
	log := r.Logger.With("partner", p.ID)
	return retry.OpenZone(ctx, r.retryPolicy(log), func(ctx context.Context) (storage.Zone, error) {
		if r.OpenZone != nil {
			return r.OpenZone(ctx, p)
		}
		return OpenZone(ctx, p.Landing, r.Config.State, r.getenv, log)
	})
}

// openOutput opens the protocol's output wrapped in the retry policy, as
// openZone does for zones.
func (r *store) openOutput(ctx context.Context) (storage.Output, error) {
	return retry.OpenOutput(ctx, r.retryPolicy(r.Logger), func(ctx context.Context) (storage.Output, error) {
		return OpenOutput(ctx, r.Config.Output, r.Config.State, r.getenv, r.Logger)
	})
}

// retryPolicy is the retry policy of the Runner's zones and outputs
// (Retries and Backoff), logging to log.
func (r *store) retryPolicy(log *slog.Logger) retry.Policy {
	p := retry.Policy{Base: r.Backoff, Logger: log}
	if r.Retries > 0 {
		p.Attempts = r.Retries + 1
	}
	return p
}
