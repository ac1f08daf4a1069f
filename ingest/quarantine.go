package ingest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/metrics"
	"sort"
	"strings"
	"sync"
	"time"

	"landingd/config"
	"landingd/ingest/alert"
	"landingd/ingest/audit"
	"landingd/ingest/state"
	"landingd/internal/safetext"
	"landingd/storage"
	"landingd/transform"
)

// Quarantine: one partner's file can never stop another's.
//
// A file can kill the process that judges it: a reader that runs out of
// memory ("fatal error: out of memory" cannot be recovered), a library
// call that never returns, or a panic in a goroutine of a library. Such a
// file would be judged again by every later cycle and kill each one, and
// nothing would be published for any partner. So:
//
//   - Before a file version is judged, a durable mark is written to the
//     state database (state.BeginJudging); it is removed once the judge
//     returns. A process that takes the state lock and finds a mark still
//     held knows the process before it died judging that file, and counts
//     one death against the version (RecoverCrash, state.RecordDeaths).
//     serve, which runs each cycle as a child, does this as soon as the
//     child dies, names the file in its alert, status and /readyz, and
//     runs the cycle again at once, with backoff; run does the same for
//     its own child (cmd/landingd).
//   - A version with one death is a suspect. The next cycle judges every
//     other file first, concurrently as usual, and publishes the quarters
//     they touch; only then does it judge the suspects, one at a time, so
//     that a second death can only be the suspect's own, and the other
//     partners' quarter is already out. A file judged with the bomb by
//     chance is cleared by this solo attempt.
//   - A version with two deaths is not judged again: it goes to
//     rejected/ with a report ("could not be read safely", rule
//     unsafe-file), and the operator gets a file_quarantined alert naming
//     the partner and the file. A new version (new size, time or ETag) is
//     judged afresh.
//   - A panic in the judge's own goroutine is recovered and quarantines
//     the file at once, without a death.
//   - A watchdog turns slow deaths into quick ones: a file whose judging
//     runs past JudgeTimeLimit, or a process whose Go memory passes
//     JudgeMemoryLimit while judging, stops the process at once with a
//     line naming the limit. The marks then count the death as above.
//
// Marks were chosen over a child process per file because the cost is
// one small database write per file, the crash is recorded whatever
// killed the process (the kernel's OOM killer, a memory cap, SIGKILL),
// and serve already isolates each cycle in a child of its own.

// RuleUnsafeFile is the file-level rule of a file that could not be read
// safely: judging it stopped landingd twice, or the reader failed inside.
const RuleUnsafeFile = "unsafe-file"

// KindFileQuarantined is the alert kind sent when a file is quarantined.
const KindFileQuarantined = "file_quarantined"

// quarantineDeaths is how many deaths of the judging process a file
// version may cause before it is quarantined.
const quarantineDeaths = 2

// Defaults of the watchdog's limits.
const (
	DefaultJudgeTimeLimit   = config.DefaultTimePerFile + time.Minute
	DefaultJudgeMemoryLimit = 1 << 30
)

// CycleDied is the error of a cycle whose process died before it
// reported: Cause is how it showed (an exit status or signal, and the
// runtime's or the watchdog's last words), never a cell value.
type CycleDied struct{ Cause string }

func (e *CycleDied) Error() string { return "the cycle process died: " + e.Cause }

// RecoverCrash records a cycle whose process died: each file it was
// judging gets one death, its run is finished as failed with an error
// naming the cause and the files (state.Crash.Text), the temporary files
// it left in the state folder are removed, and a cycle_failed alert
// naming the partner and file is sent in the background (see WaitAlerts).
// cause is how the death showed ("exit status 2: fatal error: out of
// memory"), or "" when it is not known. A Runner that does not hold the
// state lock (serve's, and run's when it runs its cycle in a child) takes
// it for this, waiting up to a minute: a mark is a dead process's only
// while no live cycle holds the lock. It returns nil when no process
// died.
func (r *Runner) RecoverCrash(ctx context.Context, cause string) (*state.Crash, error) {
	if r.unlock == nil {
		unlock, err := state.Lock(ctx, r.Config.State, "recover", time.Minute)
		if err != nil {
			return nil, fmt.Errorf("record a dead cycle: %w", err)
		}
		defer unlock()
	}
	c, err := r.DB.RecordDeaths(ctx, cause, r.now())
	if err != nil || c == nil {
		return nil, err
	}
	removeStaleSpools(r.Config.State, r.Logger)
	r.sendAlert(ctx, r.Logger, CrashEvent(r.Config.Protocol.ID, c, cause))
	for _, f := range c.Files {
		r.Logger.Error("a cycle process died while judging a file", "partner", f.Partner, "object", f.Name,
			"deaths", f.Deaths, "cause", cause)
	}
	if len(c.Files) == 0 {
		r.Logger.Error("a cycle process died", "runs", c.Runs, "cause", cause)
	}
	return c, nil
}

// CrashEvent is the cycle_failed alert for crash c: it names the cause,
// and the partner and file when one file was being judged.
func CrashEvent(protocol string, c *state.Crash, cause string) alert.Event {
	ev := alert.Event{Kind: alert.KindCycleFailed, Protocol: protocol, Summary: Redact(c.Text(cause))}
	if len(c.Runs) > 0 {
		ev.RunID = c.Runs[len(c.Runs)-1]
	}
	files := make([]map[string]any, 0, len(c.Files))
	for _, f := range c.Files {
		files = append(files, map[string]any{"partner": f.Partner, "object": f.Name, "deaths": f.Deaths})
	}
	if len(c.Files) == 1 {
		ev.Partner, ev.Object = c.Files[0].Partner, c.Files[0].Name
	}
	ev.Details = map[string]any{"cause": Redact(cause), "files": files}
	return ev
}

func versionOf(p string, o storage.Object) state.Version {
	return state.Version{Partner: p, Name: o.Name, Size: o.Size, ModTime: o.ModTime, ETag: o.ETag}
}

func sameVersion(a state.Version, b state.Version) bool {
	return a.Partner == b.Partner && a.Name == b.Name && a.Size == b.Size && a.ModTime.Equal(b.ModTime) && a.ETag == b.ETag
}

// suspectsOf returns partner p's suspects among the listed objects, by
// name, and clears the marks of versions no longer listed (the district
// replaced or removed the file).
func (r *Runner) suspectsOf(ctx context.Context, p string, listed []storage.Object) (map[string]state.Suspect, error) {
	list, err := r.DB.Suspects(ctx, p)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	byName := make(map[string]storage.Object, len(listed))
	for _, o := range listed {
		byName[o.Name] = o
	}
	out := map[string]state.Suspect{}
	for _, s := range list {
		if o, ok := byName[s.Name]; ok && sameVersion(versionOf(p, o), s.Version) {
			out[s.Name] = s
			continue
		}
		if err := r.DB.EndJudging(ctx, s.Version); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// unsafeResult is the verdict on a file that could not be read safely.
func unsafeResult(name, partner, why string) *transform.Result {
	return &transform.Result{File: name, Partner: partner, Verdict: transform.Rejected,
		FileErrors: []transform.Issue{{Rule: RuleUnsafeFile, Message: "the file could not be read safely: " + why +
			". Nothing from it was kept. Check that it is the plain CSV or xlsx export your system makes, and send it again; " +
			"if it is, tell the county, which has been alerted."}}}
}

// judgeGuarded judges one file under a judging mark and the watchdog. A
// panic in the judge is recovered into an unsafe-file verdict.
func (r *Runner) judgeGuarded(ctx context.Context, log *slog.Logger, runID string, p *config.Partner, obj storage.Object,
	src io.Reader, put func(transform.Row) error) (res *transform.Result, err error) {
	v := versionOf(p.ID, obj)
	if err := r.DB.BeginJudging(context.WithoutCancel(ctx), runID, v); err != nil {
		return nil, err
	}
	done := r.watch().begin(p.ID + ": " + obj.Name)
	defer func() {
		done()
		if x := recover(); x != nil {
			log.Error("the reader failed inside while judging a file: quarantined", "panic", panicKind(x))
			res, err = unsafeResult(obj.Name, p.ID, "the reader failed inside while reading it"), nil
			r.alertQuarantine(ctx, log, runID, p.ID, obj.Name, "the reader failed inside")
		}
		if eerr := r.DB.EndJudging(context.WithoutCancel(ctx), v); eerr != nil && err == nil {
			err = eerr
		}
	}()
	injectFault(ctx, obj.Name)
	if r.beforeJudge != nil {
		r.beforeJudge(obj.Name)
	}
	opt := r.options(p)
	opt.SizeHint = obj.Size
	return transform.Judge(ctx, r.Schema, r.Pseudo, obj.Name, src, opt, put)
}

// panicKind describes a recovered panic without its message, which
// could quote a cell: the runtime's own errors are kept, anything else is
// named by its type.
func panicKind(x any) string {
	if e, ok := x.(interface{ RuntimeError() }); ok {
		return fmt.Sprint(e)
	}
	return fmt.Sprintf("%T", x)
}

// alertQuarantine sends the file_quarantined alert in the background.
func (r *Runner) alertQuarantine(ctx context.Context, log *slog.Logger, runID, partner, object, why string) {
	var dpo []string
	if p, ok := r.Config.Partner(partner); ok && p.DPOEmail != "" {
		dpo = []string{p.DPOEmail}
	}
	r.sendAlert(ctx, log, alert.Event{Kind: KindFileQuarantined, Protocol: r.Config.Protocol.ID, Partner: partner, Object: object, RunID: runID,
		Summary:   fmt.Sprintf("%s: file %s could not be read safely (%s): moved to rejected/ with a report", partner, object, why),
		DPOEmails: dpo})
}

// watchdog stops the process when judging a file takes longer than the
// time limit, or the process's Go memory passes the memory limit while
// a file is judged. Stopping is the point: the file's judging mark stays,
// and the next process counts the death and, at the second, quarantines
// the file. Without it a file that makes a library call run for hours, or
// that grows memory until the machine swaps, would hold the cycle, and
// every partner's quarter, for as long.
type watchdog struct {
	timeLimit time.Duration
	memLimit  uint64
	exit      func(msg string)

	mu      sync.Mutex
	judging map[string]time.Time
	ticker  *time.Ticker
	stop    chan struct{}
}

func (r *Runner) watch() *watchdog {
	r.watchOnce.Do(func() {
		w := &watchdog{timeLimit: r.JudgeTimeLimit, memLimit: r.JudgeMemoryLimit, exit: r.stopProcess, judging: map[string]time.Time{}}
		if w.timeLimit <= 0 {
			// A minute past the reading deadline (limits.time_per_file),
			// which a reader that honours its context meets first.
			w.timeLimit = DefaultJudgeTimeLimit
			if d := r.Config.Limits.TimePerFile.Duration; d > 0 {
				w.timeLimit = d + time.Minute
			}
		}
		if w.memLimit == 0 {
			w.memLimit = DefaultJudgeMemoryLimit
		}
		if w.exit == nil {
			w.exit = func(msg string) {
				// The message names the file: escaped, as on every
				// operator's screen.
				fmt.Fprintln(os.Stderr, "landingd: "+safetext.Escape(msg))
				os.Exit(1)
			}
		}
		r.watchdog = w
	})
	return r.watchdog
}

// begin starts watching the judging of what (partner: name) and returns
// the function that ends it.
func (w *watchdog) begin(what string) func() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.judging[what] = time.Now()
	if w.ticker == nil {
		// Sampling costs a few microseconds; four times a second keeps a
		// runaway allocation from getting far past the limit.
		w.ticker = time.NewTicker(250 * time.Millisecond)
		w.stop = make(chan struct{})
		go w.loop(w.ticker, w.stop)
	}
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.judging, what)
		if len(w.judging) == 0 && w.ticker != nil {
			w.ticker.Stop()
			close(w.stop)
			w.ticker = nil
		}
	}
}

func (w *watchdog) loop(t *time.Ticker, stop chan struct{}) {
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if msg := w.check(sample); msg != "" {
			w.exit(msg)
			return
		}
	}
}

// check returns why the process must stop, or "".
func (w *watchdog) check(sample []metrics.Sample) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.judging) == 0 {
		return ""
	}
	names := make([]string, 0, len(w.judging))
	var late []string
	for what, since := range w.judging {
		names = append(names, what)
		if time.Since(since) > w.timeLimit {
			late = append(late, what)
		}
	}
	sort.Strings(names)
	sort.Strings(late)
	if len(late) > 0 {
		return fmt.Sprintf("judging %s took longer than %s: stopping the process so that the file is quarantined",
			strings.Join(late, ", "), w.timeLimit)
	}
	metrics.Read(sample)
	if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > w.memLimit {
		return fmt.Sprintf("judging %s used more than %d MiB: stopping the process so that the file is quarantined",
			strings.Join(names, ", "), w.memLimit>>20)
	}
	return ""
}

// takeDeferred judges the suspects the partners deferred, one at a time,
// and adds them to the partners' summaries. It reports whether it took
// any.
func (r *Runner) takeDeferred(ctx context.Context, log *slog.Logger, sum *Summary, selected []*config.Partner) bool {
	took := false
	for i := range sum.Partners {
		ps := &sum.Partners[i]
		if len(ps.deferred) == 0 || ps.Err != nil {
			continue
		}
		var p *config.Partner
		for _, c := range selected {
			if c.ID == ps.Partner {
				p = c
			}
		}
		plog := log.With("partner", p.ID)
		z, err := r.openZone(ctx, p)
		if err != nil {
			if ctx.Err() == nil {
				ps.Err = RedactErr(err)
				plog.Error("zone unreachable", "err", ps.Err)
			}
			continue
		}
		for _, obj := range ps.deferred {
			if ctx.Err() != nil {
				break
			}
			olog := plog.With("object", obj.Name)
			olog.Info("judging a suspect file alone")
			fs, err := r.takeFile(ctx, olog, sum.RunID, p, z, obj, nil)
			if err != nil {
				if ctx.Err() == nil {
					ps.Err = RedactErr(fmt.Errorf("take file %s: %w", obj.Name, err))
					olog.Error("take file", "err", ps.Err)
				}
				break
			}
			took = true
			ps.Files = append(ps.Files, fs)
		}
		ps.deferred = nil
		z.Close()
	}
	return took
}

func mergeQuarters(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, q := range append(a, b...) {
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	sort.Strings(out)
	return out
}

// sendAlert sends ev in the background, when alerts are configured.
func (r *store) sendAlert(ctx context.Context, log *slog.Logger, ev alert.Event) {
	c := r.alerter(log)
	if c == nil {
		return
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	r.alerts.Add(1)
	go func() {
		defer r.alerts.Done()
		defer cancel()
		if err := c.Send(actx, ev); err != nil {
			log.Error("alert not delivered", "kind", ev.Kind, "err", err)
		}
	}()
}

// RuleUnsafeName is the file-level rule of a file whose name no zone may
// use (storage.CheckName refuses it).
const RuleUnsafeName = "unsafe-name"

// refuseName records a file whose name cannot be used, writes its report
// into rejected/ under storage.RefusedReportName, and leaves the file
// where it is: it can be neither read nor moved under that name. The
// ledger marks it kept, so later cycles do not report it again; once the
// district renames it, it is taken as usual.
func (r *Runner) refuseName(ctx context.Context, log *slog.Logger, runID string, p *config.Partner, z storage.Zone, obj storage.Object) (FileSummary, error) {
	// The report writer and the log handler escape the name.
	log = log.With("object", obj.Name)
	now := r.now()
	res := transform.Result{File: obj.Name, Partner: p.ID, Verdict: transform.Rejected,
		FileErrors: []transform.Issue{{Rule: RuleUnsafeName, Message: "the file's name holds a character (\\) that no landing zone " +
			"may use in a name, so the file cannot be read or moved. It has been left where it is. Rename it without that character " +
			"and it will be taken as usual."}}}
	rec := state.FileRecord{RunID: runID, Partner: p.ID, Name: obj.Name, Size: obj.Size, ModTime: obj.ModTime, ETag: obj.ETag,
		ReceivedAt: now, SchemaVersion: r.Schema.Version, QuarterHint: transform.LastCompletedQuarter(now)}
	fs := FileSummary{Object: obj.Name, Verdict: transform.Rejected}
	id, err := r.DB.RecordRejected(ctx, rec, res, now)
	if err != nil {
		return fs, err
	}
	if err := r.record(ctx, audit.Entry{Event: audit.EventFileVerdict, RunID: runID, Partner: p.ID, Object: obj.Name,
		Data: map[string]any{"verdict": string(fs.Verdict), "size": obj.Size, "rules": []string{RuleUnsafeName}}}); err != nil {
		return fs, err
	}
	var report strings.Builder
	if err := res.WriteText(&report); err != nil {
		return fs, err
	}
	reportName := storage.RefusedReportName(obj.Name)
	if err := z.Put(ctx, storage.Rejected, reportName, strings.NewReader(report.String())); err != nil {
		return fs, fmt.Errorf("write report for %s: %w", obj.Name, err)
	}
	if err := r.DB.MarkDisposed(ctx, id, state.DisposedKept, "", now); err != nil {
		return fs, err
	}
	log.Warn("file refused: its name cannot be used", "report", string(storage.Rejected)+"/"+reportName)
	return fs, nil
}
