package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"landingd/config"
	"landingd/ingest"
	"landingd/ingest/state"
)

func init() {
	commands["status"] = command{summary: "show who has sent what: quarters by partners, the last cycle and its error", run: cmdStatus}
}

func cmdStatus(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "protocol file (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *cfgPath == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "usage: landingd status --config PROTOCOL [--json]")
		return exitUsage
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitUsage
	}
	st, err := loadStatus(ctx, cfg, time.Now())
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitFailed
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
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
