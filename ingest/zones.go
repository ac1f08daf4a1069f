package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"landingd/config"
	"landingd/storage"
	"landingd/storage/local"
)

// OpenZone opens a partner's landing zone with a plain switch on its kind.
// Secrets named in the protocol are read through getenv or from their
// files here, and never logged.
func OpenZone(ctx context.Context, loc config.Location, getenv func(string) string, logger *slog.Logger) (storage.Zone, error) {
	switch loc.Kind {
	case "local":
		return local.NewZone(loc.Path)
	default:
		return nil, fmt.Errorf("open zone %s: unknown kind %q", loc.String(), loc.Kind)
	}
}

// OpenOutput opens the combined datasets' output with a plain switch on
// its kind.
func OpenOutput(ctx context.Context, loc config.Location, getenv func(string) string, logger *slog.Logger) (storage.Output, error) {
	switch loc.Kind {
	case "local":
		// The county's own output folder is created on first use; a
		// district's zone is never created (a missing zone is an error).
		if err := os.MkdirAll(loc.Path, 0o750); err != nil {
			return nil, fmt.Errorf("create output folder %s: %w", loc.Path, err)
		}
		return local.NewOutput(loc.Path)
	default:
		return nil, fmt.Errorf("open output %s: unknown kind %q", loc.String(), loc.Kind)
	}
}

func (r *Runner) openZone(ctx context.Context, p *config.Partner) (storage.Zone, error) {
	if r.OpenZone != nil {
		return r.OpenZone(ctx, p)
	}
	return OpenZone(ctx, p.Landing, r.getenv, r.Logger.With("partner", p.ID))
}
