package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
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
// unsafe bind (off loopback without http.token_file), or a key, token or
// webhook secret that cannot be read. Exit 1: another serve holds the
// state folder, the state lock did not come free within --wait, the state
// or the output cannot be opened, or the listen address cannot be bound.
//
// serve holds the serve lock (one serve per state folder) for its life,
// and the state lock only while it opens the state: each cycle takes it in
// its own process, and duty commands take it between cycles.
func cmdServe(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "serve", lock: true, usage: "serve --config PROTOCOL"})
	if code := f.parse(args); code != exitOK {
		return code
	}
	cfg, code := f.load()
	if code != exitOK {
		return code
	}
	var token string
	var err error
	if cfg.HTTP.TokenFile != "" {
		if token, err = config.ReadToken(e.getenv, cfg.HTTP.TokenFile); err != nil {
			fmt.Fprintf(e.stderr, "landingd: http.token_file: %v\n", err)
			return exitUsage
		}
	}
	// Read before the state is opened, so that a bad secret exits 2; the
	// logger is set once there is one.
	hook, err := alert.FromConfig(cfg.Alerts, e.getenv, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: alerts: %v\n", err)
		return exitUsage
	}

	// One serve per state folder. The state lock is taken per cycle (in
	// the cycle's child process) and per duty command, so that duties run
	// while serving; this process takes it only to open (and migrate) the
	// state, and otherwise only reads.
	if err := os.MkdirAll(cfg.State, 0o700); err != nil {
		return stateFailed(e, fmt.Errorf("create state folder %s: %w", cfg.State, err))
	}
	unlockServe, err := state.LockServe(cfg.State)
	if err != nil {
		return stateFailed(e, err)
	}
	defer unlockServe()
	r, code := openState(ctx, e, cfg, writeState, state.SmallCache())
	if r == nil {
		return code
	}
	defer r.Close()
	if err := r.ReleaseLock(); err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitFailed
	}
	logger := r.Logger
	svc, err := daemon.New(r, logger)
	if err != nil {
		// The schedule is the protocol's.
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitUsage
	}
	svc.Token = token
	cycler, err := newChildCycler(e, cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitFailed
	}
	svc.RunCycle = func(ctx context.Context, trigger string, partners []string) (*ingest.Summary, error) {
		return cycler.run(ctx, e, trigger, partners)
	}
	if hook != nil {
		hook.Logger = logger
		svc.Alert = hook
		r.Alert = hook // for the alert naming the file of a dead cycle
	}

	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: listen on %s: %v\n", cfg.HTTP.Listen, err)
		return exitFailed
	}
	srv := svc.Server()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("serving", "addr", ln.Addr().String(), "token_required", token != "", "alerts", hook != nil)

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
