package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"landingd/config"
	"landingd/ingest"
	"landingd/ingest/state"
	"landingd/internal/safetext"
)

func init() {
	commands["status"] = command{summary: "show who has sent what: quarters by partners, the last cycle and its error", run: cmdStatus}
}

func cmdStatus(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "status", usage: "status --config PROTOCOL [--json]"})
	asJSON := f.Bool("json", false, "print JSON")
	if code := f.parse(args); code != exitOK {
		return code
	}
	cfg, code := f.load()
	if code != exitOK {
		return code
	}
	st, err := loadStatus(ctx, cfg, time.Now())
	if err != nil {
		return stateFailed(e, err)
	}
	if *asJSON {
		enc := json.NewEncoder(safetext.NewJSONWriter(e.stdout))
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			return exitFailed
		}
		return exitOK
	}
	if err := st.WriteText(e.stdout); err != nil {
		return exitFailed
	}
	return exitOK
}

// loadStatus reads the status without taking the state lock, so it works
// while a cycle runs.
func loadStatus(ctx context.Context, cfg *config.Config, now time.Time) (*ingest.Status, error) {
	if err := os.MkdirAll(cfg.State, 0o700); err != nil {
		return nil, fmt.Errorf("open state folder %s: %w", cfg.State, err)
	}
	db, err := state.Open(ctx, filepath.Join(cfg.State, state.FileName))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return ingest.BuildStatus(ctx, cfg, db, now)
}
