package ingest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"landingd/config"
	"landingd/ingest/audit"
	"landingd/ingest/state"
	"landingd/storage"
	"landingd/storage/retry"
	"landingd/transform"
)

// Runner runs cycles for one protocol on the state Open opened for
// writing. Its fields are set once before the first Cycle; a Runner is
// not safe for concurrent Cycles (the state lock prevents them anyway).
// The protocol's duties on the same state are Runner.Duties.
type Runner struct {
	*store

	// Trigger names what started a cycle in the ledger; "" means
	// state.TriggerRun.
	Trigger state.Trigger
	// AfterCommit, when set, is called after each file's commit and before
	// its disposition. Tests use it to stop a run at the worst moment.
	AfterCommit func(partner, object string)

	// JudgeTimeLimit is how long judging one file may take before the
	// watchdog stops the process (see quarantine.go); 0 means a minute
	// past the protocol's limits.time_per_file. JudgeMemoryLimit is the Go memory, in bytes,
	// past which it stops the process while a file is judged; 0 means
	// DefaultJudgeMemoryLimit.
	JudgeTimeLimit   time.Duration
	JudgeMemoryLimit uint64
	// stopProcess, when set, replaces the watchdog's exit (tests).
	stopProcess func(msg string)
	// beforeJudge, when set, is called with each file's name just before
	// it is judged (tests inject faults with it).
	beforeJudge func(name string)
	watchOnce   sync.Once
	watchdog    *watchdog

	// erased is the erasure list, loaded at the start of each cycle.
	erased map[string]bool
}

// Summary is what one cycle did.
type Summary struct {
	RunID    string
	Started  time.Time
	Finished time.Time
	Partners []PartnerSummary
	// Quarters lists the quarters whose outputs were regenerated.
	Quarters []string
	// OutputErr is set when an output could not be written.
	OutputErr error
	// Stopped is true when a signal stopped the cycle early.
	Stopped bool
	// Purge is what the retention purge at the end of the cycle deleted
	// (nil when the cycle was stopped); PurgeErr is set when it failed.
	Purge    *PurgeReport
	PurgeErr error
	// Incidents are the breach incidents open when the cycle ended, this
	// cycle's and earlier ones, with their deadlines at Finished.
	Incidents []IncidentStatus
}

// PartnerSummary is one partner's part of a cycle.
type PartnerSummary struct {
	Partner string
	Files   []FileSummary
	// Waiting counts files that were still changing (taken next cycle).
	Waiting int
	// Err is set when the zone could not be reached or a file could not be
	// read after retries. Other partners still complete.
	Err error
	// Withdrawn is true for a partner that left the protocol: its zone was
	// not polled.
	Withdrawn bool

	// deferred are suspects (see quarantine.go): judged alone once every
	// other file is judged and published.
	deferred []storage.Object
}

// FileSummary is the outcome for one source file.
type FileSummary struct {
	Object     string            `json:"object"`
	Verdict    transform.Verdict `json:"verdict"` // transform.Accepted | transform.Rejected | state.VerdictDuplicate
	Rows       transform.Counts  `json:"rows"`
	DisposedTo string            `json:"disposed_to,omitempty"` // processed/NAME, rejected/NAME, or "" when kept
}

// Failed reports whether a zone or the output could not be reached or
// written: the "exit 1" outcome of landingd run.
func (s *Summary) Failed() bool {
	if s.OutputErr != nil || s.PurgeErr != nil {
		return true
	}
	for _, p := range s.Partners {
		if p.Err != nil {
			return true
		}
	}
	return false
}

// NewRunID returns a fresh, sortable run id such as 20260107T060000Z-3f9a.
func NewRunID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Cycle runs one cycle over the named partners (all when none are named).
//
// Cancelling ctx stops the cycle from taking new files; the file being
// committed is finished, within the protocol's shutdown_timeout, or rolled
// back. An error is returned only when the cycle could not start or record
// itself; zone and output faults are reported in the Summary.
func (r *Runner) Cycle(ctx context.Context, partners []string) (*Summary, error) {
	start := r.now()
	sum := &Summary{RunID: NewRunID(start), Started: start}
	log := r.Logger.With("run_id", sum.RunID)

	selected, err := r.selectPartners(partners)
	if err != nil {
		return nil, err
	}
	if err := r.loadErasures(ctx); err != nil {
		return nil, err
	}
	// A process that died in an earlier cycle left its run unfinished and
	// its judging marks held: count the deaths before anything is judged.
	// (serve and run record it as soon as their child dies; this covers a
	// process with no parent watching.)
	if _, err := r.RecoverCrash(ctx, ""); err != nil {
		return nil, err
	}
	trigger := r.Trigger
	if trigger == "" {
		trigger = state.TriggerRun
	}
	if err := r.DB.BeginRun(context.WithoutCancel(ctx), sum.RunID, start, trigger); err != nil {
		return nil, fmt.Errorf("record run %s: %w", sum.RunID, err)
	}
	log.Info("cycle started", "partners", len(selected))
	review := ReviewState(r.Config, start)
	if review != "ok" {
		log.Warn("the protocol's review is "+review, "review_date", r.Config.Protocol.ReviewDate.String())
	}
	// on_review_overdue: pause stops the cycle taking files until the
	// review date is moved; publishing, retention and duties go on.
	paused := PauseReason(r.Config, start) != ""
	if paused {
		log.Warn("the protocol's review is overdue and on_review_overdue is pause: no files are taken until the review date is moved")
	}
	if err := r.record(ctx, audit.Entry{Event: audit.EventCycleStart, RunID: sum.RunID,
		Data: map[string]any{"trigger": string(trigger), "partners": partnerIDs(selected)}}); err != nil {
		return nil, err
	}
	if err := r.noteProtocolChanges(ctx, sum.RunID); err != nil {
		return nil, err
	}

	sum.Partners = make([]PartnerSummary, len(selected))
	var g errgroup.Group
	g.SetLimit(max(1, r.Config.Concurrency))
	for i, p := range selected {
		if paused {
			sum.Partners[i] = PartnerSummary{Partner: p.ID}
			continue
		}
		if withdrawn(log, p, start) {
			sum.Partners[i] = PartnerSummary{Partner: p.ID, Withdrawn: true}
			continue
		}
		g.Go(func() error {
			sum.Partners[i] = r.partner(ctx, log.With("partner", p.ID), sum.RunID, p)
			return nil
		})
	}
	_ = g.Wait()
	sum.Stopped = ctx.Err() != nil
	r.recordPartners(ctx, log, sum)

	// Outputs are regenerated even after a stop signal, within the
	// shutdown budget, so that what was committed is published; whatever
	// is not finished stays dirty for the next cycle.
	octx, cancel := r.shutdownContext(ctx)
	sum.Quarters, sum.OutputErr = r.publishDirty(octx, log, sum.RunID)
	// Suspects are judged alone, after everything else is published, so
	// that a file that kills the process again costs no other partner
	// anything (see quarantine.go).
	if !sum.Stopped && r.takeDeferred(ctx, log, sum, selected) {
		r.recordPartners(ctx, log, sum)
		quarters, err := r.publishDirty(octx, log, sum.RunID)
		sum.Quarters = mergeQuarters(sum.Quarters, quarters)
		sum.OutputErr = errors.Join(sum.OutputErr, err)
	}
	if !sum.Stopped {
		sum.Purge, sum.PurgeErr = r.Duties().Purge(octx, sum.RunID)
		if sum.PurgeErr == nil && len(sum.Purge.Problems) > 0 {
			sum.PurgeErr = fmt.Errorf("retention: %s", strings.Join(sum.Purge.Problems, "; "))
		}
		if sum.PurgeErr != nil {
			log.Error("retention purge", "err", sum.PurgeErr)
		}
	}
	r.waitAlerts(octx)
	if err := r.copyAudit(octx); err != nil && sum.OutputErr == nil {
		sum.OutputErr = fmt.Errorf("copy audit log: %w", err)
	}
	cancel()
	sum.OutputErr, sum.PurgeErr = RedactErr(sum.OutputErr), RedactErr(sum.PurgeErr)

	sum.Finished = r.now()
	if sum.Incidents, err = OpenIncidents(context.WithoutCancel(ctx), r.DB, sum.Finished); err != nil {
		log.Error("read open incidents", "err", err)
	}
	outcome, errText := state.RunOK, ""
	var errs []string
	for _, p := range sum.Partners {
		if p.Err != nil {
			errs = append(errs, p.Partner+": "+p.Err.Error())
		}
	}
	if sum.OutputErr != nil {
		errs = append(errs, "output: "+sum.OutputErr.Error())
	}
	if sum.PurgeErr != nil {
		errs = append(errs, "purge: "+sum.PurgeErr.Error())
	}
	if len(errs) > 0 {
		outcome = state.RunFailed
		errText = fmt.Sprint(errs)
	}
	// A stopped cycle is never ok: it left files untaken, and the next
	// start must catch up rather than wait for the next scheduled time.
	if sum.Stopped {
		outcome = state.RunStopped
	}
	if err := r.record(ctx, audit.Entry{Event: audit.EventCycleEnd, RunID: sum.RunID,
		Data: map[string]any{"outcome": string(outcome), "quarters": sum.Quarters, "duration_ms": sum.Finished.Sub(start).Milliseconds()}}); err != nil {
		return sum, err
	}
	if err := r.DB.FinishRun(context.WithoutCancel(ctx), sum.RunID, sum.Finished, outcome, errText); err != nil {
		return sum, fmt.Errorf("record run %s: %w", sum.RunID, err)
	}
	log.Info("cycle finished", "outcome", outcome, "quarters", len(sum.Quarters),
		"duration_ms", sum.Finished.Sub(start).Milliseconds())
	return sum, nil
}

// recordPartners keeps each partner's outcome in the ledger, so that the
// last success per partner survives a restart of the service.
func (r *Runner) recordPartners(ctx context.Context, log *slog.Logger, sum *Summary) {
	for _, p := range sum.Partners {
		o := state.PartnerOutcome{Partner: p.Partner, Outcome: state.PartnerOK}
		for _, f := range p.Files {
			switch f.Verdict {
			case transform.Accepted:
				o.Accepted++
			case transform.Rejected:
				o.Rejected++
			}
		}
		switch {
		case p.Withdrawn:
			o.Outcome = state.PartnerWithdrawn
		case p.Err != nil:
			o.Outcome, o.Error = state.PartnerFailed, p.Err.Error()
		case len(p.Files) == 0:
			o.Outcome = state.PartnerNothingNew
		}
		if err := r.DB.RecordPartner(context.WithoutCancel(ctx), sum.RunID, o); err != nil {
			log.Error("record partner outcome", "partner", p.Partner, "err", err)
		}
	}
}

func partnerIDs(ps []*config.Partner) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func (r *Runner) selectPartners(ids []string) ([]*config.Partner, error) {
	if len(ids) == 0 {
		out := make([]*config.Partner, 0, len(r.Config.Partners))
		for i := range r.Config.Partners {
			out = append(out, &r.Config.Partners[i])
		}
		return out, nil
	}
	var out []*config.Partner
	for _, id := range ids {
		p, ok := r.Config.Partner(id)
		if !ok {
			return nil, fmt.Errorf("select partner %q: not in the protocol", id)
		}
		out = append(out, p)
	}
	return out, nil
}

// shutdownContext returns a context for work that must finish once begun:
// it outlives ctx by the protocol's shutdown_timeout.
func (r *Runner) shutdownContext(ctx context.Context) (context.Context, context.CancelFunc) {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	budget := r.Config.ShutdownTimeout.Duration
	if budget <= 0 {
		budget = 30 * time.Second
	}
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(budget, cancel)
		context.AfterFunc(wctx, func() { t.Stop() })
	})
	return wctx, func() { stop(); cancel() }
}

func (r *Runner) partner(ctx context.Context, log *slog.Logger, runID string, p *config.Partner) PartnerSummary {
	ps := PartnerSummary{Partner: p.ID}
	// fail records a fault: after a stop signal, what failed is only what
	// the signal cut short, so nothing is reported. The error is redacted
	// here, once, before the log, the ledger, status and alerts see it.
	fail := func(op string, err error) PartnerSummary {
		if ctx.Err() == nil {
			ps.Err = RedactErr(err)
			log.Error(op, "err", ps.Err)
		}
		return ps
	}
	if ctx.Err() != nil {
		return ps // stopped before this partner began: nothing taken, nothing failed
	}
	z, err := r.openZone(ctx, p)
	if err != nil {
		return fail("zone unreachable", err)
	}
	defer z.Close()

	// A file committed by an earlier, interrupted cycle but never moved is
	// moved first.
	if err := r.finishDispositions(ctx, log, p, z); err != nil {
		return fail("finish earlier dispositions", err)
	}

	stable, waiting, err := stableObjects(ctx, z, r.Config.StableAfterFor(p))
	ps.Waiting = waiting
	if err != nil {
		return fail("list zone", err)
	}
	suspects, err := r.suspectsOf(ctx, p.ID, stable)
	if err != nil {
		return fail("read suspect files", err)
	}
	for _, obj := range stable {
		if ctx.Err() != nil {
			break // a stop signal: take no new file
		}
		if p.Disposition == "keep" {
			known, err := r.DB.Seen(ctx, p.ID, obj.Name, obj.Size, obj.ModTime, obj.ETag)
			if err != nil {
				return fail("look up kept file", err)
			}
			if known {
				continue
			}
		}
		if storage.CheckName(obj.Name) != nil {
			// A name no zone may use is refused on its own: the partner's
			// other files are still taken.
			known, err := r.DB.Seen(ctx, p.ID, obj.Name, obj.Size, obj.ModTime, obj.ETag)
			if err != nil {
				return fail("look up refused file", err)
			}
			if !known {
				fs, err := r.refuseName(ctx, log, runID, p, z, obj)
				if err != nil {
					return fail("refuse file "+obj.Name, err)
				}
				ps.Files = append(ps.Files, fs)
			}
			continue
		}
		var forced *transform.Result
		if s, ok := suspects[obj.Name]; ok {
			if s.Deaths < quarantineDeaths {
				log.Warn("a process died judging this file: it is judged alone after the others", "object", obj.Name, "deaths", s.Deaths)
				ps.deferred = append(ps.deferred, obj)
				continue
			}
			why := fmt.Sprintf("judging it stopped landingd %d times", s.Deaths)
			forced = unsafeResult(obj.Name, p.ID, why)
			r.alertQuarantine(ctx, log, runID, p.ID, obj.Name, why)
		}
		olog := log.With("object", obj.Name)
		fs, err := r.takeFile(ctx, olog, runID, p, z, obj, forced)
		if err != nil {
			return fail("take file "+obj.Name, err)
		}
		ps.Files = append(ps.Files, fs)
	}
	return ps
}

// hashingReader hashes and counts what is read through it.
type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if n > 0 {
		h.h.Write(p[:n])
		h.n += int64(n)
	}
	return n, err
}

// takeFile judges one stable object, commits it, and disposes of it.
// When forced is set, the file is not judged: forced is its verdict (a
// quarantined file), and the file is only read to hash it.
func (r *Runner) takeFile(ctx context.Context, log *slog.Logger, runID string, p *config.Partner, z storage.Zone, obj storage.Object, forced *transform.Result) (FileSummary, error) {
	fs := FileSummary{Object: obj.Name}
	// Once a file is begun it is finished within the shutdown budget, so a
	// stop signal never leaves it half-done.
	wctx, cancel := r.shutdownContext(ctx)
	defer cancel()

	received := r.now()
	var (
		res   *transform.Result
		hr    *hashingReader
		spool *rowSpool
	)
	defer func() {
		if spool != nil {
			spool.Close()
		}
	}()
	// Nothing is written before the whole file is read, so a read that
	// fails (transiently) is made again from the start, with a new hash
	// and a new spool: the zone's retry policy decides (retry.Load).
	attempt := 0
	err := retry.Load(wctx, z, storage.Top, obj.Name, func(rc io.Reader) error {
		if attempt++; attempt > 1 && ctx.Err() != nil {
			// A stop signal: an attempt begun is finished, but none is
			// begun again; the file waits for the next cycle.
			return ctx.Err()
		}
		if spool != nil {
			spool.Close()
		}
		var err error
		if spool, err = newRowSpool(r.Config.State); err != nil {
			return err
		}
		hr = &hashingReader{r: rc, h: sha256.New()}
		res = forced
		if res == nil {
			// spool.Put writes each row out before it returns, as Judge
			// requires of a caller that keeps rows.
			res, err = r.judgeGuarded(wctx, log, runID, p, obj, hr, spool.Put)
		}
		if err == nil {
			// The hash covers the whole file even when judging stopped early.
			_, err = io.Copy(io.Discard, hr)
		}
		if err != nil {
			return fmt.Errorf("judge %s: %w", obj.Name, err)
		}
		if hr.n != obj.Size {
			return storage.Transient(fmt.Errorf("read %s: got %d bytes, listed %d: %w", obj.Name, hr.n, obj.Size, io.ErrUnexpectedEOF))
		}
		return nil
	})
	if err != nil {
		return fs, err
	}
	rec := state.FileRecord{
		RunID:         runID,
		Partner:       p.ID,
		Name:          obj.Name,
		Size:          obj.Size,
		ModTime:       obj.ModTime,
		ETag:          obj.ETag,
		SHA256:        hex.EncodeToString(hr.h.Sum(nil)),
		ReceivedAt:    received,
		SchemaVersion: r.Schema.Version,
		QuarterHint:   transform.LastCompletedQuarter(received),
	}
	fs.Rows = res.Rows

	dup, err := r.DB.AcceptedSHA(wctx, p.ID, rec.SHA256)
	if err != nil {
		return fs, err
	}
	var report bytes.Buffer
	var folder storage.Folder
	var id int64
	switch {
	case dup:
		fs.Verdict = state.VerdictDuplicate
		fs.Rows = transform.Counts{}
		folder = storage.Processed
		if id, err = r.DB.RecordDuplicate(wctx, rec, r.now()); err != nil {
			return fs, err
		}
		fmt.Fprintf(&report, "File: %s\nVerdict: already received\n\nThis file has the same content as a file you sent before, which was accepted.\nNothing new was taken from it, and there is nothing you need to do.\n", obj.Name)
	case res.Verdict == transform.Accepted:
		fs.Verdict = transform.Accepted
		folder = storage.Processed
		if id, err = r.commit(wctx, rec, res, spool); err != nil {
			return fs, err
		}
		if res.Rows.Rejected > 0 || res.Rows.OutOfScope > 0 || res.Erased > 0 {
			if err := res.WriteText(&report); err != nil {
				return fs, err
			}
		}
	default:
		fs.Verdict = transform.Rejected
		folder = storage.Rejected
		if id, err = r.DB.RecordRejected(wctx, rec, *res, r.now()); err != nil {
			return fs, err
		}
		if err := res.WriteText(&report); err != nil {
			return fs, err
		}
	}
	if forced != nil {
		// The verdict is in the ledger: the marks have done their work.
		if err := r.DB.EndJudging(wctx, versionOf(p.ID, obj)); err != nil {
			return fs, err
		}
	}
	log.Info("file judged", "verdict", fs.Verdict, "rows", res.Rows.Read,
		"accepted", res.Rows.Accepted, "out_of_scope", res.Rows.OutOfScope, "rejected", res.Rows.Rejected)
	if err := r.record(wctx, audit.Entry{Event: audit.EventFileVerdict, RunID: runID, Partner: p.ID, Object: obj.Name,
		Data: map[string]any{"verdict": string(fs.Verdict), "sha256": rec.SHA256, "size": obj.Size, "format": res.Format,
			"rows_read": res.Rows.Read, "rows_accepted": res.Rows.Accepted, "rows_out_of_scope": res.Rows.OutOfScope,
			"rows_rejected": res.Rows.Rejected, "rules": ruleNames(res), "schema_version": r.Schema.Version}}); err != nil {
		return fs, err
	}
	if err := r.openIncidents(wctx, log, runID, p, obj.Name, rec.SHA256, res); err != nil {
		return fs, err
	}
	if r.AfterCommit != nil {
		r.AfterCommit(p.ID, obj.Name)
	}

	if p.Disposition == "keep" {
		if err := r.DB.MarkDisposed(wctx, id, state.DisposedKept, "", r.now()); err != nil {
			return fs, err
		}
		return fs, r.record(wctx, audit.Entry{Event: audit.EventFileDisposition, RunID: runID, Partner: p.ID, Object: obj.Name,
			Data: map[string]any{"to": state.DisposedKept}})
	}
	// The zone retries a transient fault from here on (storage/retry).
	// Should it still fail, the verdict stands and the next cycle
	// finishes the disposition (finishDispositions), with the report kept
	// in the ledger until it is written, and never judges the file again.
	if report.Len() > 0 {
		if err := r.DB.SaveReport(wctx, id, report.Bytes()); err != nil {
			return fs, err
		}
	}
	newName, err := z.Move(wctx, obj, folder)
	if errors.Is(err, storage.ErrChanged) {
		// The district replaced the file after it was read: what was read
		// is recorded above, and the new version is judged next cycle.
		log.Warn("file replaced after it was read: left at the top level for the next cycle")
		if err := r.DB.MarkDisposed(wctx, id, state.DisposedReplaced, "", r.now()); err != nil {
			return fs, err
		}
		if err := r.DB.ReportWritten(wctx, id); err != nil {
			return fs, err
		}
		return fs, r.record(wctx, audit.Entry{Event: audit.EventFileDisposition, RunID: runID, Partner: p.ID, Object: obj.Name,
			Data: map[string]any{"to": state.DisposedReplaced}})
	}
	if err != nil {
		return fs, fmt.Errorf("move %s to %s: %w", obj.Name, folder, err)
	}
	fs.DisposedTo = string(folder) + "/" + newName
	// Where the file went is recorded before its report is written, so
	// that the next cycle can write the report there if this one cannot.
	if err := r.DB.MarkDisposed(wctx, id, string(folder), newName, r.now()); err != nil {
		return fs, err
	}
	log.Info("file disposed", "to", fs.DisposedTo)
	if err := r.record(wctx, audit.Entry{Event: audit.EventFileDisposition, RunID: runID, Partner: p.ID, Object: obj.Name,
		Data: map[string]any{"to": fs.DisposedTo, "report": report.Len() > 0}}); err != nil {
		return fs, err
	}
	if report.Len() > 0 {
		if err := r.writeReport(wctx, z, id, folder, newName, report.Bytes()); err != nil {
			return fs, fmt.Errorf("write report for %s: %w", obj.Name, err)
		}
	}
	return fs, nil
}

// writeReport writes the report of object id beside it, as name's report
// in folder, and forgets the copy the ledger kept.
func (r *Runner) writeReport(ctx context.Context, z storage.Zone, id int64, folder storage.Folder, name string, report []byte) error {
	// A reader that can be rewound, so that the zone may retry the Put.
	if err := z.Put(ctx, folder, storage.ReportName(name), bytes.NewReader(report)); err != nil {
		return err
	}
	return r.DB.ReportWritten(ctx, id)
}

// commit stores an accepted file's spooled rows in one transaction.
func (r *Runner) commit(ctx context.Context, rec state.FileRecord, res *transform.Result, spool *rowSpool) (int64, error) {
	tx, err := r.DB.BeginFile(ctx, rec)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if err := spool.Replay(func(row transform.Row) error { return tx.Put(ctx, row) }); err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx, *res, r.now()); err != nil {
		return 0, err
	}
	return tx.ObjectID(), nil
}

func (r *Runner) options(p *config.Partner) transform.Options {
	opt := JudgeOptions(r.Config, p, r.now())
	opt.Erased = r.erasedFunc()
	// An xlsx is spooled to disk while judged: into the state folder,
	// which the county controls, never the machine's shared temp folder.
	opt.TempDir = r.Config.State
	return opt
}

// ruleNames lists the rules a file broke, without positions or values.
func ruleNames(res *transform.Result) []string {
	seen := map[string]bool{}
	var out []string
	for _, list := range [][]transform.Issue{res.FileErrors, res.Errors} {
		for _, is := range list {
			if !seen[is.Rule] {
				seen[is.Rule] = true
				out = append(out, is.Rule)
			}
		}
	}
	sort.Strings(out)
	return out
}

// finishDispositions moves files that an interrupted or failed cycle
// committed but did not move, and writes the reports it did not write,
// from the ledger: the files are not judged again.
func (r *Runner) finishDispositions(ctx context.Context, log *slog.Logger, p *config.Partner, z storage.Zone) error {
	pending, err := r.DB.Undisposed(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, o := range pending {
		if p.Disposition == "keep" {
			if err := r.DB.MarkDisposed(ctx, o.ID, state.DisposedKept, "", r.now()); err != nil {
				return err
			}
			continue
		}
		folder := storage.Processed
		if o.Verdict == transform.Rejected {
			folder = storage.Rejected
		}
		newName, err := z.Move(ctx, storage.Object{Name: o.Name, Size: o.Size, ModTime: o.ModTime, ETag: o.ETag}, folder)
		switch {
		case errors.Is(err, storage.ErrNotExist):
			// Someone took it away, or an earlier move landed though its
			// answer was lost: then it is in folder already.
			newName, err = r.findMoved(ctx, z, o, folder)
		case errors.Is(err, storage.ErrChanged):
			// A new version took its place: it is judged as a new file.
			folder, newName, err = state.DisposedReplaced, "", nil
		}
		if err != nil {
			return fmt.Errorf("move %s to %s: %w", o.Name, folder, err)
		}
		if err := r.DB.MarkDisposed(ctx, o.ID, string(folder), newName, r.now()); err != nil {
			return err
		}
		if newName == "" {
			// Nowhere to write its report, if it had one.
			if err := r.DB.ReportWritten(ctx, o.ID); err != nil {
				return err
			}
		}
		log.Info("finished an interrupted disposition", "object", o.Name, "to", folder)
	}
	unwritten, err := r.DB.UnwrittenReports(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, o := range unwritten {
		report, ok, err := r.DB.PendingReport(ctx, o.ID)
		if err != nil || !ok {
			return err
		}
		if err := r.writeReport(ctx, z, o.ID, storage.Folder(o.DisposedTo), o.DisposedName, report); err != nil {
			return fmt.Errorf("write report for %s: %w", o.Name, err)
		}
		log.Info("wrote the report an earlier cycle could not", "object", o.Name, "to", o.DisposedTo)
	}
	return nil
}

// publishDirty regenerates the outputs of every dirty quarter. It is the
// one way outputs are written (a run, an erasure, a restriction and a
// purge all come here), so it first restricts the rows a district sent
// for a restricted case: whichever command publishes next, and however
// the last one ended, a restricted case never reaches an output.
func (r *store) publishDirty(ctx context.Context, log *slog.Logger, runID string) ([]string, error) {
	if _, err := r.DB.ApplyRestrictions(ctx); err != nil {
		return nil, err
	}
	quarters, err := r.DB.DirtyQuarters(ctx)
	if err != nil {
		return nil, err
	}
	var done []string
	var errs []error
	for _, q := range quarters {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		gen, err := r.DB.Generation(ctx, q)
		if err == nil {
			err = r.PublishQuarter(ctx, q)
		}
		if err == nil {
			err = r.record(ctx, audit.Entry{Event: audit.EventOutputWrite, RunID: runID, Object: q,
				Data: map[string]any{"output": r.Output.String()}})
		}
		if err == nil {
			_, err = r.DB.CleanQuarter(ctx, q, gen)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("publish %s: %w", q, err))
			log.Error("publish quarter", "quarter", q, "err", err)
		} else {
			done = append(done, q)
			log.Info("quarter published", "quarter", q)
		}
	}
	sort.Strings(done)
	return done, errors.Join(errs...)
}
