package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"landingd/config"
	"landingd/internal/safetext"
	"landingd/transform"
	"landingd/transform/prepare"
)

func init() {
	commands["prepare"] = command{summary: "turn a district's own export into the agreed file, then validate it; needs no key", run: cmdPrepare}
}

// cmdPrepare turns a district's export into the agreed CSV (see package
// prepare), prints a receipt, then validates what it wrote exactly as
// validate does, with validate's exit codes: 0 ready to upload, 1 not
// (the export cannot be prepared, or the prepared file would be
// rejected), 2 a usage, protocol or mapping error. It reads no key.
func cmdPrepare(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "prepare",
		usage:   "prepare --partner ID [--config PROTOCOL] [--mapping MAPPING] [--quarter 2025Q4] --out FILE EXPORT",
		builtin: true, args: true})
	partnerID := f.String("partner", "", "partner id of your district (required)")
	mappingPath := f.String("mapping", "", "your mapping file (YAML): columns, keep_rows, values, date_order")
	quarter := f.String("quarter", "", "quarter the export is for, such as 2025Q4 (default: from the export's name), when it has no quarter_end_date column")
	out := f.String("out", "", "the agreed CSV to write (required)")
	if code := f.parse(args); code != exitOK {
		return code
	}
	switch {
	case f.NArg() != 1:
		return f.usageError("want one export to prepare")
	case *partnerID == "":
		return f.usageError("--partner is required")
	case *out == "":
		return f.usageError("--out is required")
	}
	cfg, code := f.load()
	if code != exitOK {
		return code
	}
	schema, err := transform.LoadSchema(cfg.SchemaData) // f.load has checked that it parses
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: load field list %s: %v\n", cfg.Schema, err)
		return exitUsage
	}
	p, ok := cfg.Partner(*partnerID)
	if !ok {
		fmt.Fprintf(e.stderr, "landingd: prepare: %s\n", unknownPartner(cfg, *partnerID))
		return exitUsage
	}
	var m *prepare.Mapping
	if *mappingPath != "" {
		data, err := os.ReadFile(*mappingPath)
		if err != nil {
			fmt.Fprintf(e.stderr, "landingd: prepare: %v\n", err)
			return exitUsage
		}
		if m, err = prepare.LoadMapping(*mappingPath, data, schema); err != nil {
			fmt.Fprintf(e.stderr, "landingd: %v\n", err)
			return exitUsage
		}
	}
	export := f.Arg(0)
	// An xlsx export, and the prepared file as it is validated, are
	// spooled into a folder of this run's own, removed when it ends, at
	// once on a stop signal, so that no copy of a district's file outlives
	// the command.
	tmp, ok := spoolDir(e, "prepare")
	if !ok {
		return exitFailed
	}
	defer os.RemoveAll(tmp)
	opt := prepareOptions(cfg, p, schema, m, *quarter)
	opt.TempDir = tmp
	code = exitOK
	// On a stop, Prepare returns as its context ends and the half-written
	// output is removed (see prepare.WriteFile): given stopGrace for that,
	// nothing of the run is left.
	if !untilStopped(ctx, e, "prepare", tmp, stopGrace, func() { code = prepareAndValidate(ctx, e, cfg, schema, p, export, *out, tmp, opt) }) {
		return exitFailed
	}
	return code
}

// stopGrace is how long prepare waits, after a stop signal, for the file
// it was writing to be removed.
const stopGrace = 2 * time.Second

// prepareAndValidate prepares export into out, prints the receipt, then
// validates out as validate does, spooling into tmp. It returns the exit
// code.
func prepareAndValidate(ctx context.Context, e *env, cfg *config.Config, schema *transform.Schema, p *config.Partner, export, out, tmp string, opt prepare.Options) int {
	rc, err := prepare.WriteFile(ctx, export, out, opt)
	var pe *prepare.Error
	switch {
	case errors.As(err, &pe):
		fmt.Fprintf(e.stderr, "landingd: %s\n", safetext.Escape(err.Error()))
		return exitFailed
	case errors.Is(err, os.ErrNotExist):
		fmt.Fprintf(e.stderr, "landingd: %s\n", safetext.Escape(err.Error()))
		return exitUsage
	case err != nil:
		fmt.Fprintf(e.stderr, "landingd: %s\n", safetext.Escape(err.Error()))
		return exitFailed
	}
	shown := *rc
	shown.File = safetext.Escape(rc.File)
	if err := shown.WriteText(e.stdout); err != nil {
		return exitFailed
	}
	fmt.Fprintf(e.stdout, "Wrote:    %s\n\n", safetext.Escape(out))

	// The prepared file is validated as validate validates it: same code
	// path, same partner, no key.
	tuneGC(e, judgingGCPercent)
	pseudo, err := transform.NewEphemeralPseudonymiser()
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %s\n", safetext.Escape(err.Error()))
		return exitFailed
	}
	res, err := validateFile(ctx, cfg, schema, pseudo, p, out, tmp)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %s\n", safetext.Escape(err.Error()))
		return exitFailed
	}
	fmt.Fprintf(e.stdout, "Rows in error: %d\n\n", res.Rows.Rejected)
	if err := res.WriteText(e.stdout); err != nil {
		return exitFailed
	}
	if res.Verdict == transform.Rejected {
		return exitFailed
	}
	return exitOK
}

// prepareOptions are the options an export from partner p is prepared
// with under cfg.
func prepareOptions(cfg *config.Config, p *config.Partner, s *transform.Schema, m *prepare.Mapping, quarter string) prepare.Options {
	return prepare.Options{
		Schema:      s,
		Mapping:     m,
		PartnerGSS:  p.GSS,
		Quarter:     quarter,
		FilterField: cfg.Filter.Field,
		Keep:        cfg.Filter.Keep,
		Aliases:     p.Aliases,
		DateOrder:   transform.DateOrder(p.DateOrder),
		Encoding:    p.Encoding,
		Sheet:       p.Sheet,
	}
}
