package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"landingd/config"
	"landingd/ingest"
	"landingd/internal/safetext"
	"landingd/transform"
)

func init() {
	commands["validate"] = command{summary: "check district files against the agreed field list; writes nothing", run: cmdValidate}
}

// errNoPartner marks a file whose district cannot be told.
var errNoPartner = errors.New("no partner")

// cmdValidate judges files exactly as a run would, and writes nothing.
// It exits 0 when every file is accepted, 1 when any is rejected, and 2
// for a usage or protocol error or a file whose district cannot be told.
func cmdValidate(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "validate", usage: "validate [--config PROTOCOL] [--partner ID] [--json] FILE...", builtin: true, args: true})
	partnerID := f.String("partner", "", "partner id the files come from (default: the partner whose GSS code most la_code values carry)")
	asJSON := f.Bool("json", false, "print JSON")
	if code := f.parse(args); code != exitOK {
		return code
	}
	if f.NArg() == 0 {
		return f.usageError("no file to validate")
	}
	cfg, code := f.load()
	if code != exitOK {
		return code
	}
	tuneGC(e, judgingGCPercent)
	schema, err := transform.LoadSchema(cfg.SchemaData) // f.load has checked that it parses
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: load field list %s: %v\n", cfg.Schema, err)
		return exitUsage
	}
	// Pseudonyms are made with a throwaway key held only in memory, with
	// or without --config: the judge is the county's, but a district never
	// holds the county's key, and the pseudonyms are never shown. No key
	// file and no zone credential is read.
	pseudo, err := transform.NewEphemeralPseudonymiser()
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitFailed
	}
	var fixed *config.Partner
	if *partnerID != "" {
		p, ok := cfg.Partner(*partnerID)
		if !ok {
			fmt.Fprintf(e.stderr, "landingd: validate: %s\n", unknownPartner(cfg, *partnerID))
			return exitUsage
		}
		fixed = p
	}

	// An xlsx is spooled to disk while it is judged: into a folder of
	// this run's own, removed when it ends, and at once on a stop signal,
	// so that no copy of a district's file outlives the command.
	tmp, ok := spoolDir(e, "validate")
	if !ok {
		return exitFailed
	}
	defer os.RemoveAll(tmp)

	code = exitOK
	var results []*transform.Result
	fatal := false
	judged := untilStopped(ctx, e, "validate", tmp, 0, func() {
		for _, path := range f.Args() {
			res, err := validateFile(ctx, cfg, schema, pseudo, fixed, path, tmp)
			switch {
			case errors.Is(err, errNoPartner):
				fmt.Fprintf(e.stderr, "landingd: %s: no la_code value is a partner's GSS code, so the district cannot be told; use --partner\n", safetext.Escape(path))
				code = exitUsage
				continue
			case err != nil:
				fmt.Fprintf(e.stderr, "landingd: %s\n", safetext.Escape(err.Error()))
				fatal = true
				return
			}
			results = append(results, res)
			if res.Verdict == transform.Rejected && code == exitOK {
				code = exitFailed
			}
		}
	})
	if !judged {
		return exitFailed
	}
	if fatal {
		return exitUsage
	}
	if *asJSON {
		enc := json.NewEncoder(safetext.NewJSONWriter(e.stdout))
		enc.SetIndent("", "  ")
		if results == nil {
			results = []*transform.Result{}
		}
		if err := enc.Encode(struct {
			Files []*transform.Result `json:"files"`
		}{results}); err != nil {
			return exitFailed
		}
		return code
	}
	for i, res := range results {
		if i > 0 {
			fmt.Fprintln(e.stdout, "\n----------------------------------------------------------------")
		}
		if err := res.WriteText(e.stdout); err != nil {
			return exitFailed
		}
	}
	return code
}

// validateFile judges one file. Without a fixed partner it first reads
// the file to find whose la_code it carries; when none is a partner's it
// still judges the file, so that a file unreadable or with the wrong
// columns gets its verdict, and otherwise returns errNoPartner.
func validateFile(ctx context.Context, cfg *config.Config, s *transform.Schema, pseudo *transform.Pseudonymiser, fixed *config.Partner, path, tmp string) (*transform.Result, error) {
	p := fixed
	if p == nil {
		var gss string
		err := withFile(path, func(r *os.File) (err error) {
			gss, err = transform.GuessPartnerGSS(ctx, s, path, r, transform.Options{TempDir: tmp})
			return err
		})
		if err != nil {
			return nil, err
		}
		for i := range cfg.Partners {
			if gss != "" && cfg.Partners[i].GSS == gss {
				p = &cfg.Partners[i]
				break
			}
		}
	}
	opt := ingest.JudgeOptions(cfg, p, time.Now())
	opt.TempDir = tmp
	var res *transform.Result
	err := withFile(path, func(r *os.File) (err error) {
		if st, err := r.Stat(); err == nil {
			opt.SizeHint = st.Size()
		}
		res, err = transform.Judge(ctx, s, pseudo, path, r, opt, func(transform.Row) error { return nil })
		return err
	})
	if err != nil {
		return nil, err
	}
	if p == nil {
		for _, is := range res.FileErrors {
			if is.Rule != transform.RuleErrorRate {
				return res, nil // the file itself is bad: say so
			}
		}
		return nil, errNoPartner
	}
	return res, nil
}

// withFile opens path and calls f with it. Only a regular file is read:
// a FIFO, a device or a folder is refused without blocking (the open does
// not wait for a FIFO's writer; see openNoWait).
func withFile(path string, f func(*os.File) error) error {
	fh, err := os.OpenFile(path, os.O_RDONLY|openNoWait, 0)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("validate: %s is not a regular file (%s)", path, st.Mode().Type())
	}
	return f(fh)
}

// spoolDir makes the folder in the system's temporary folder where the
// command (validate or prepare) spools an xlsx while it reads it. It says
// why when it cannot.
func spoolDir(e *env, command string) (string, bool) {
	tmp, err := os.MkdirTemp("", "landingd-"+command+"-")
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %s: %v\n", command, err)
		return "", false
	}
	return tmp, true
}

// untilStopped runs work and reports true once it returns. A stop signal
// (ctx) ends the wait at once, whatever a reader is doing: the spool
// folder tmp is removed, the command says it was stopped, and, after at
// most grace for work to return (so that what it cleans up as it returns,
// such as a half-written output, is cleaned), untilStopped reports false.
func untilStopped(ctx context.Context, e *env, command, tmp string, grace time.Duration, work func()) bool {
	done := make(chan struct{})
	go func() {
		defer close(done)
		work()
	}()
	select {
	case <-done:
		return true
	case <-ctx.Done():
	}
	_ = os.RemoveAll(tmp)
	fmt.Fprintf(e.stderr, "landingd: %s: stopped by a signal\n", command)
	if grace > 0 {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
		}
	}
	return false
}
