package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"landingd/config"
	"landingd/ingest"
	"landingd/ingest/alert"
	"landingd/ingest/daemon"
	"landingd/ingest/state"
)

func init() {
	commands["serve"] = command{summary: "run cycles on the protocol's schedule and serve the status page, metrics and health checks", run: cmdServe}
}

// cmdServe runs until ctx is cancelled (SIGINT or SIGTERM), then finishes
// the file being committed and exits 0. Exit 2: an invalid protocol, an
// unsafe bind (off loopback without http.token_file), or a token or
// webhook secret that cannot be read. Exit 1: the state folder is held by
// another landingd, or the listen address cannot be bound.
func cmdServe(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "protocol file (required)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *cfgPath == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "usage: landingd serve --config PROTOCOL")
		return exitUsage
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitUsage
	}
	var token, hook string
	if cfg.HTTP.TokenFile != "" {
		if token, err = config.ReadSecret(e.getenv, "", cfg.HTTP.TokenFile); err != nil {
			fmt.Fprintf(e.stderr, "landingd: http.token_file: %v\n", err)
			return exitUsage
		}
	}
	if cfg.Alerts.WebhookURLEnv != "" || cfg.Alerts.WebhookURLFile != "" {
		if hook, err = config.ReadSecret(e.getenv, cfg.Alerts.WebhookURLEnv, cfg.Alerts.WebhookURLFile); err != nil {
			fmt.Fprintf(e.stderr, "landingd: alerts: %v\n", err)
			return exitUsage
		}
	}

	logger := newLogger(e.stderr)
	// Cycles run in child processes; this one only reads the state.
	r, err := ingest.Open(ctx, cfg, logger, versionInfo, state.SmallCache())
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		if errors.Is(err, ingest.ErrLocked) {
			return exitFailed
		}
		return exitUsage
	}
	defer r.Close()
	svc, err := daemon.New(r, logger)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitUsage
	}
	svc.Token = token
	cycler, err := newChildCycler(e, cfg, r)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitFailed
	}
	svc.RunCycle = func(ctx context.Context, trigger string, partners []string) (*ingest.Summary, error) {
		return cycler.run(ctx, e, trigger, partners)
	}
	if hook != "" {
		svc.Alert = &alert.Client{URL: hook, Logger: logger}
	}

	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: listen on %s: %v\n", cfg.HTTP.Listen, err)
		return exitFailed
	}
	srv := svc.Server()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("serving", "addr", ln.Addr().String(), "token_required", token != "", "alerts", hook != "")

	_ = svc.Run(ctx)

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("stop serving", "err", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("serve", "err", err)
	}
	logger.Info("stopped cleanly")
	return exitOK
}
