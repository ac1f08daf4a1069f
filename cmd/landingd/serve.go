package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
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

// cmdServe runs every protocol given with --config in one service until
// ctx is cancelled (SIGINT or SIGTERM), then finishes the file being
// committed in each and exits 0. Each protocol keeps its own state, key,
// zones, output, schedule, alerts and audit trail, as if it ran alone;
// one HTTP server, at the first protocol's http.listen with its token,
// serves them all (see daemon.Forum). Exit 2: an invalid protocol,
// protocols that share storage or a key, an unsafe bind (off loopback
// without http.token_file), or a key, token or webhook secret that cannot
// be read. Exit 1: another serve holds a state folder, a state lock did
// not come free within --wait, a state or an output cannot be opened, or
// the listen address cannot be bound.
//
// serve holds each protocol's serve lock (one serve per state folder) for
// its life, and the state lock only while it opens the state: each cycle
// takes it in its own process, and duty commands take it between cycles.
func cmdServe(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "serve", lock: true, multi: true, usage: "serve --config PROTOCOL [--config PROTOCOL]... [--title TEXT]"})
	title := f.String("title", "Information sharing protocols", "the heading of the register page at /")
	if code := f.parse(args); code != exitOK {
		return code
	}
	cfgs, code := f.loadAll()
	if code != exitOK {
		return code
	}
	first := cfgs[0]
	var token string
	var err error
	if first.HTTP.TokenFile != "" {
		if token, err = config.ReadToken(e.getenv, first.HTTP.TokenFile); err != nil {
			fmt.Fprintf(e.stderr, "landingd: http.token_file: %v\n", err)
			return exitUsage
		}
	}
	var services []*daemon.Service
	for _, cfg := range cfgs {
		svc, closeFn, code := newService(ctx, e, cfg)
		if svc == nil {
			return code
		}
		defer closeFn()
		services = append(services, svc)
	}
	logger := newLogger(e.stderr)
	forum := &daemon.Forum{Services: services, Title: *title, Token: token, Logger: logger}

	ln, err := net.Listen("tcp", first.HTTP.Listen)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: listen on %s: %v\n", first.HTTP.Listen, err)
		return exitFailed
	}
	srv := forum.Server()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("serving", "addr", ln.Addr().String(), "token_required", token != "", "protocols", len(services))

	// Each protocol runs on its own schedule; one that fails or stops
	// leaves the others running.
	var wg sync.WaitGroup
	for _, svc := range services {
		wg.Go(func() { _ = svc.Run(ctx) })
	}
	wg.Wait()

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

// newService takes cfg's serve lock, opens its state and alerts and
// prepares its Service, with cycles run in child processes. It returns
// the Service and what closes it, or nil and the exit code after saying
// why.
func newService(ctx context.Context, e *env, cfg *config.Config) (*daemon.Service, func(), int) {
	// Read before the state is opened, so that a bad secret exits 2; the
	// logger is set once there is one.
	hook, err := alert.FromConfig(cfg.Alerts, e.getenv, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %s: alerts: %v\n", cfg.Protocol.ID, err)
		return nil, nil, exitUsage
	}
	// One serve per state folder. The state lock is taken per cycle (in
	// the cycle's child process) and per duty command, so that duties run
	// while serving; this process takes it only to open (and migrate) the
	// state, and otherwise only reads.
	if err := os.MkdirAll(cfg.State, 0o700); err != nil {
		return nil, nil, stateFailed(e, fmt.Errorf("create state folder %s: %w", cfg.State, err))
	}
	unlockServe, err := state.LockServe(cfg.State)
	if err != nil {
		return nil, nil, stateFailed(e, err)
	}
	r, code := openState(ctx, e, cfg, state.SmallCache())
	if r == nil {
		unlockServe()
		return nil, nil, code
	}
	closeAll := func() { r.Close(); unlockServe() }
	if err := r.ReleaseLock(); err != nil {
		closeAll()
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return nil, nil, exitFailed
	}
	logger := r.Logger.With("protocol", cfg.Protocol.ID)
	svc, err := daemon.New(r, logger)
	if err != nil {
		closeAll()
		// The schedule is the protocol's.
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return nil, nil, exitUsage
	}
	cycler, err := newChildCycler(e, cfg)
	if err != nil {
		closeAll()
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return nil, nil, exitFailed
	}
	svc.RunCycle = func(ctx context.Context, trigger state.Trigger, partners []string) (*ingest.Summary, error) {
		return cycler.run(ctx, e, trigger, partners)
	}
	if hook != nil {
		hook.Logger = logger
		svc.Alert = hook
		r.Alert = hook // for the alert naming the file of a dead cycle
	}
	return svc, closeAll, exitOK
}
