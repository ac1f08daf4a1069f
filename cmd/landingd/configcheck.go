package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"landingd/config"
	"landingd/ingest"
	"landingd/storage"
	"landingd/transform"
)

func init() {
	commands["config check"] = command{summary: "validate a protocol and test each zone's and the output's reachability and credentials, ingesting nothing", run: cmdConfigCheck}
}

// zoneTimeout bounds each zone's check, so one unreachable host does not
// hold the rest.
const zoneTimeout = 30 * time.Second

// cmdConfigCheck prints one line per check. Exit 0 when all pass, 1 when
// any zone, the output, the key or a secret fails (checking them is its
// work), 2 for a usage error or an invalid protocol.
func cmdConfigCheck(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "config check", usage: "config check --config PROTOCOL"})
	if code := f.parse(args); code != exitOK {
		return code
	}
	cfg, code := f.load()
	if code != exitOK {
		return code
	}
	fmt.Fprintf(e.stdout, "ok    protocol %s (%s): %d partners\n", cfg.Protocol.ID, cfg.Path, len(cfg.Partners))
	// Library logs go nowhere: each check prints its own line.
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	failed := 0
	report := func(what string, err error) {
		if err != nil {
			failed++
			fmt.Fprintf(e.stdout, "FAIL  %s: %s\n", what, ingest.Redact(err.Error()))
			return
		}
		fmt.Fprintf(e.stdout, "ok    %s\n", what)
	}

	_, warning, err := transform.ReadKeyFile(cfg.Pseudonymise.KeyFile)
	report("pseudonymisation key "+cfg.Pseudonymise.KeyFile, err)
	if warning != "" {
		fmt.Fprintf(e.stdout, "      warning: %s\n", warning)
	}
	if cfg.HTTP.TokenFile != "" {
		_, err := config.ReadToken(e.getenv, cfg.HTTP.TokenFile)
		report("http token "+cfg.HTTP.TokenFile, err)
	}
	if cfg.Alerts.WebhookURLEnv != "" || cfg.Alerts.WebhookURLFile != "" {
		_, err := config.ReadSecret(e.getenv, cfg.Alerts.WebhookURLEnv, cfg.Alerts.WebhookURLFile)
		report("alert webhook URL (not sent)", err)
	}

	for i := range cfg.Partners {
		p := &cfg.Partners[i]
		what := fmt.Sprintf("zone %s %s", p.ID, p.Landing.String())
		if ingest.WithdrawnAt(p, time.Now()) {
			what += " (withdrawn)"
		}
		n, err := checkZone(ctx, p.Landing, e.getenv, logger)
		if err == nil {
			what += fmt.Sprintf(": %d file(s) waiting", n)
		}
		report(what, err)
	}
	n, err := checkOutput(ctx, cfg.Output, e.getenv, logger)
	what := "output " + cfg.Output.String()
	if err == nil {
		what += fmt.Sprintf(": %d object(s)", n)
	}
	report(what, err)

	if failed > 0 {
		fmt.Fprintf(e.stdout, "\n%d check(s) failed.\n", failed)
		return exitFailed
	}
	fmt.Fprintln(e.stdout, "\nAll checks passed.")
	return exitOK
}

// checkZone opens a zone and lists its top level: no reads, no moves.
func checkZone(ctx context.Context, loc config.Location, getenv func(string) string, logger *slog.Logger) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, zoneTimeout)
	defer cancel()
	z, err := ingest.OpenZone(ctx, loc, "", getenv, logger) // lists only: nothing is spooled
	if err != nil {
		return 0, err
	}
	defer z.Close()
	n := 0
	err = z.List(ctx, storage.Top, func(storage.Object) error { n++; return nil })
	return n, err
}

// checkOutput opens the output and lists it.
func checkOutput(ctx context.Context, loc config.Location, getenv func(string) string, logger *slog.Logger) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, zoneTimeout)
	defer cancel()
	o, err := ingest.OpenOutput(ctx, loc, "", getenv, logger) // lists only: nothing is spooled
	if err != nil {
		return 0, err
	}
	defer o.Close()
	n := 0
	err = o.List(ctx, "", func(string) error { n++; return nil })
	return n, err
}
