package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"landingd/config"
	"landingd/ingest"
	"landingd/ingest/state"
	"landingd/internal/safetext"
	"landingd/transform"
)

func init() {
	commands["run"] = command{summary: "run one cycle now over every (or the named) partner's landing zone", run: cmdRun}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func cmdRun(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "run", lock: true, usage: "run --config PROTOCOL [--partner ID]..."})
	var partners stringList
	f.Var(&partners, "partner", "run only this partner (repeatable)")
	var opt cycleOptions
	f.StringVar((*string)(&opt.trigger), "trigger", string(state.TriggerRun), "what started the cycle, as the ledger records it (serve passes schedule, catch-up or retry)")
	f.BoolVar(&opt.summaryJSON, "summary-json", false, "print the cycle's summary as JSON instead of a table (serve reads it)")
	if code := f.parse(args); code != exitOK {
		return code
	}
	cfg, code := f.load()
	if code != exitOK {
		return code
	}
	for _, id := range partners {
		if _, ok := cfg.Partner(id); !ok {
			fmt.Fprintf(e.stderr, "landingd: run: %s\n", unknownPartner(cfg, id))
			return exitUsage
		}
	}
	tuneGC(e, cycleGCPercent)
	defer hardStop(ctx, e, cfg.ShutdownTimeout.Duration)()
	return runCycle(ctx, e, cfg, partners, opt)
}

// hardStop makes a stop signal end the process within budget (the
// protocol's shutdown_timeout) and two seconds more, even when a reader
// does not return: the file being judged keeps its judging mark and
// counts a death (see ingest/quarantine.go). It returns the function that
// disarms it.
func hardStop(ctx context.Context, e *env, budget time.Duration) func() {
	if budget <= 0 {
		budget = 30 * time.Second
	}
	var t *time.Timer
	var mu sync.Mutex
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		t = time.AfterFunc(budget+2*time.Second, func() {
			fmt.Fprintf(e.stderr, "landingd: run: still busy %s after the stop signal (shutdown_timeout): stopping now\n", budget)
			os.Exit(exitFailed)
		})
	})
	return func() {
		stop()
		mu.Lock()
		defer mu.Unlock()
		if t != nil {
			t.Stop()
		}
	}
}

// cycleOptions are run's flags that serve uses when it runs a cycle in a
// child process.
type cycleOptions struct {
	trigger     state.Trigger
	summaryJSON bool
}

// maxCycleDeaths is how many times run starts its cycle's process again
// after it died. A file is quarantined at its second death (see
// ingest/quarantine.go), so this leaves room for two such files.
const maxCycleDeaths = 5

// runCycle opens a runner, runs one cycle and prints its summary. It is
// shared by run and demo.
//
// The cycle runs in a child process, as serve's do, when this process is
// not itself one (serve's child has --summary-json and the inherited
// lock): a file that kills the process judging it then kills only the
// child. The death is recorded (the file counts one; see
// ingest.Runner.RecoverCrash) and the cycle is run again at once, up to
// maxCycleDeaths times, so that the other partners' files are published
// and the file is quarantined in this one run. A run in which a cycle
// process died exits 1.
func runCycle(ctx context.Context, e *env, cfg *config.Config, partners []string, opt cycleOptions) int {
	r, code := openState(ctx, e, cfg)
	if r == nil {
		return code
	}
	defer r.Close()
	r.Trigger = opt.trigger
	var sum *ingest.Summary
	var err error
	deaths := 0
	cycler, cerr := newChildCycler(e, cfg)
	if opt.summaryJSON || cerr != nil {
		// A child of serve or of run, or a test binary: the cycle runs
		// here.
		sum, err = r.Cycle(ctx, partners)
	} else {
		// The child takes the state lock for its cycle, and this process
		// again (RecoverCrash) to record a child's death.
		if err := r.ReleaseLock(); err != nil {
			fmt.Fprintf(e.stderr, "landingd: %v\n", err)
			return exitFailed
		}
		for {
			sum, err = cycler.run(ctx, e, opt.trigger, partners)
			var died *ingest.CycleDied
			if !errors.As(err, &died) {
				break
			}
			deaths++
			crash, rerr := r.RecoverCrash(context.WithoutCancel(ctx), died.Cause)
			if rerr != nil {
				fmt.Fprintf(e.stderr, "landingd: %v\n", rerr)
				return exitFailed
			}
			what := died.Error()
			if crash != nil {
				what = crash.Text(died.Cause)
			}
			if ctx.Err() != nil || deaths >= maxCycleDeaths {
				fmt.Fprintf(e.stdout, "CYCLE FAILED: %s.\n", safetext.Escape(what))
				r.WaitAlerts(ctx)
				return exitFailed
			}
			fmt.Fprintf(e.stdout, "CYCLE FAILED: %s. Running the cycle again.\n", safetext.Escape(what))
		}
		r.WaitAlerts(ctx)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %s\n", safetext.Escape(err.Error()))
		return exitFailed
	}
	if opt.summaryJSON {
		if err := json.NewEncoder(e.stdout).Encode(sum); err != nil {
			return exitFailed
		}
	} else {
		printSummary(e.stdout, sum)
	}
	if sum.Failed() || deaths > 0 {
		return exitFailed
	}
	return exitOK
}

// newLogger returns the JSON logger every command writes to stderr. Every
// text in a record is escaped first (safetext.Handler): file names and
// headers come from districts, and a control character or bidirectional
// override in one must not reach an operator's terminal or log viewer.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(safetext.NewHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})))
}

func printSummary(w io.Writer, sum *ingest.Summary) {
	fmt.Fprintf(w, "Cycle %s (%s)\n\n", sum.RunID, sum.Finished.Sub(sum.Started).Round(1e6))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTNER\tFILES\tACCEPTED\tREJECTED\tDUPLICATE\tROWS READ\tCASES KEPT\tOUT OF SCOPE\tROWS REJECTED\tNOTE")
	var total ingest.PartnerSummary
	newFiles := 0
	for _, p := range sum.Partners {
		var acc, rej, dup, read, kept, oos, rrej int
		for _, f := range p.Files {
			switch f.Verdict {
			case transform.Accepted:
				acc++
			case transform.Rejected:
				rej++
			case state.VerdictDuplicate:
				dup++
			}
			read += f.Rows.Read
			if f.Verdict == transform.Accepted {
				// A rejected file keeps nothing, however many of its
				// rows were good.
				kept += f.Rows.Accepted
			}
			oos += f.Rows.OutOfScope
			rrej += f.Rows.Rejected
		}
		newFiles += acc + rej
		note := ""
		switch {
		case p.Withdrawn:
			note = "withdrawn: not polled"
		case p.Err != nil:
			note = "FAILED: " + safetext.Escape(p.Err.Error())
		case p.Waiting > 0:
			note = fmt.Sprintf("%d file(s) still changing: next cycle", p.Waiting)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", p.Partner, len(p.Files), acc, rej, dup, read, kept, oos, rrej, note)
		total.Files = append(total.Files, p.Files...)
	}
	tw.Flush()
	fmt.Fprintln(w)
	_ = ingest.WriteIncidents(w, sum.Incidents)
	if newFiles == 0 {
		fmt.Fprintln(w, "Nothing new was ingested: no new files in any landing zone.")
	}
	if len(sum.Quarters) > 0 {
		fmt.Fprintf(w, "Outputs regenerated for %s.\n", strings.Join(sum.Quarters, ", "))
	}
	if sum.OutputErr != nil {
		fmt.Fprintf(w, "OUTPUT FAILED: %s\n", safetext.Escape(sum.OutputErr.Error()))
	}
	if p := sum.Purge; p != nil && !p.Empty() {
		rows := 0
		for _, n := range p.Cases {
			rows += n
		}
		fmt.Fprintf(w, "Retention purge: %d expired case rows, %d district files, %d audit segments deleted.\n",
			rows, len(p.Files), len(p.AuditSegments))
	}
	if sum.PurgeErr != nil {
		fmt.Fprintf(w, "RETENTION PURGE FAILED: %s\n", safetext.Escape(sum.PurgeErr.Error()))
	}
	if sum.Stopped {
		fmt.Fprintln(w, "Stopped by a signal: files not yet taken wait for the next cycle.")
	}
}
