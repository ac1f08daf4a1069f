package ingest

import (
	"context"
	"fmt"
	"log/slog"

	"landingd/config"
	"landingd/storage"
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

func (r *Runner) openZone(ctx context.Context, p *config.Partner) (storage.Zone, error) {
	if r.OpenZone != nil {
		return r.OpenZone(ctx, p)
	}
	return OpenZone(ctx, p.Landing, r.Config.State, r.getenv, r.Logger.With("partner", p.ID))
}
