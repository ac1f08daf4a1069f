package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"landingd/ingest"
	"landingd/ingest/alert"
	"landingd/internal/atomicfile"
	"landingd/transform"
)

// missingGrace is how long after a quarter is due a "missing" alert may
// still go out (for a service that was down at the due time). Older
// quarters are not alerted, so a new installation does not page for
// years of history.
const missingGrace = 7 * 24 * time.Hour

// cycleAlerts sends the alerts one cycle calls for: the cycle failed,
// each file it rejected, and partners late for the quarter. Without a
// webhook it does nothing, not even the state reads.
func (s *Service) cycleAlerts(ctx context.Context, sum *ingest.Summary, err error) {
	if s.Alert == nil {
		return
	}
	proto := s.Config.Protocol.ID
	var died *ingest.CycleDied
	if errors.As(err, &died) {
		return // RecoverCrash sent the alert, naming the file
	}
	if err != nil {
		s.send(ctx, alert.Event{Kind: alert.KindCycleFailed, Protocol: proto,
			Summary: "a cycle could not run: " + ingest.Redact(err.Error())})
		return
	}
	if sum == nil {
		return
	}
	if sum.Failed() {
		failed := map[string]any{}
		var ids []string
		for _, p := range sum.Partners {
			if p.Err != nil {
				failed[p.Partner] = ingest.Redact(p.Err.Error())
				ids = append(ids, p.Partner)
			}
		}
		text := "cycle " + sum.RunID + " failed"
		if len(ids) > 0 {
			text += " for " + strings.Join(ids, ", ")
		}
		if sum.OutputErr != nil {
			failed["output"] = ingest.Redact(sum.OutputErr.Error())
			text += "; the output could not be written"
		}
		s.send(ctx, alert.Event{Kind: alert.KindCycleFailed, Protocol: proto, RunID: sum.RunID,
			Summary: text, Details: map[string]any{"errors": failed}})
	}
	rejected, rerr := s.Runner.DB.RejectedInRun(ctx, sum.RunID)
	if rerr != nil {
		s.Logger.Error("list rejected files for alerts", "run_id", sum.RunID, "err", rerr)
	}
	for _, o := range rejected {
		if o.RuleCounts[ingest.RuleUnsafeFile] > 0 {
			continue // the cycle sent its file_quarantined alert
		}
		ev := alert.Event{Kind: alert.KindFileRejected, Protocol: proto, Partner: o.Partner, Quarter: o.QuarterHint,
			Object: o.Name, RunID: sum.RunID,
			Summary: fmt.Sprintf("%s: file %s was rejected (%s)", o.Partner, o.Name, Reasons(o.RuleCounts)),
			Details: map[string]any{"rows_read": o.Rows.Read, "rows_rejected": o.Rows.Rejected,
				"errors_total": o.ErrorsTotal, "rules": o.RuleCounts},
			DPOEmails: s.dpo(o.Partner)}
		s.send(ctx, ev)
	}
	s.lateAlerts(ctx, sum)
}

// lateAlerts names, once per quarter, each partner with nothing accepted
// after the first cycle since the quarter ended.
func (s *Service) lateAlerts(ctx context.Context, sum *ingest.Summary) {
	now := s.now()
	q := s.Schedule.LastCompleted(now)
	end, err := s.Schedule.QuarterEnd(q)
	if err != nil || sum.Started.Before(end) {
		return
	}
	due := end.Add(s.Schedule.Deadline)
	if !now.Before(due) {
		return
	}
	s.partnerAlerts(ctx, alert.KindPartnerLate, q, due, now,
		func(p string) string {
			return fmt.Sprintf("%s has sent nothing accepted for %s yet: polled every %s until %s", p, q,
				s.Schedule.RetryEvery, due.Format("2 January 2006 15:04 MST"))
		})
}

// deadlineAlerts names, once, each partner still without an accepted
// file when a quarter became due.
func (s *Service) deadlineAlerts(ctx context.Context) {
	now := s.now()
	last := s.Schedule.LastCompleted(now)
	for _, q := range []string{transform.PrevQuarter(last), last} {
		due, err := s.Schedule.Due(q)
		if err != nil || now.Before(due) || now.Sub(due) > missingGrace {
			continue
		}
		s.partnerAlerts(ctx, alert.KindPartnerMissing, q, due, now,
			func(p string) string {
				return fmt.Sprintf("%s sent nothing accepted for %s by the deadline, %s", p, q, due.Format("2 January 2006 15:04 MST"))
			})
	}
}

// reviewAlert says, once per review date, that the protocol's review
// date has passed, and whether its cycles are paused for it. Moving the
// date and letting it pass again alerts again: the sent log's key is the
// date.
func (s *Service) reviewAlert(ctx context.Context) {
	if s.Alert == nil {
		return
	}
	now := s.now()
	if ingest.ReviewState(s.Config, now) != "overdue" {
		return
	}
	date := s.Config.Protocol.ReviewDate.Format(time.DateOnly)
	key := reviewKeyPrefix + date
	if s.sent.has(key) {
		return
	}
	text := "the protocol's review date, " + date + ", has passed: the partners must review the agreement and move protocol.review_date"
	if why := ingest.PauseReason(s.Config, now); why != "" {
		text += "; " + why
	}
	ev := alert.Event{Kind: alert.KindReviewOverdue, Protocol: s.Config.Protocol.ID, Summary: text,
		Deadlines: map[string]time.Time{"review": s.Config.Protocol.ReviewDate.UTC()}}
	if s.send(ctx, ev) {
		s.sent.mark(key, now, s.Logger)
	}
}

// reviewKeyPrefix begins the sent log's keys of review alerts.
const reviewKeyPrefix = "review_overdue/"

func (s *Service) partnerAlerts(ctx context.Context, kind, q string, due, now time.Time, text func(string) string) {
	if s.Alert == nil {
		return
	}
	subs, err := s.Runner.DB.Submissions(ctx)
	if err != nil {
		s.Logger.Error("read submissions for alerts", "err", err)
		return
	}
	for _, p := range ingest.Outstanding(s.Config, subs, q, now) {
		key := kind + "/" + q + "/" + p
		if s.sent.has(key) {
			continue
		}
		ev := alert.Event{Kind: kind, Protocol: s.Config.Protocol.ID, Partner: p, Quarter: q,
			Summary: text(p), DPOEmails: s.dpo(p), Deadlines: map[string]time.Time{"due": due.UTC()}}
		if s.send(ctx, ev) {
			s.sent.mark(key, now, s.Logger)
		}
	}
}

// send posts ev and reports whether it went; failures are logged by the
// client.
func (s *Service) send(ctx context.Context, ev alert.Event) bool {
	if s.Alert == nil {
		return false
	}
	if ev.Time.IsZero() {
		ev.Time = s.now().UTC()
	}
	if err := s.Alert.Send(ctx, ev); err != nil {
		s.Logger.Error("alert not sent", "kind", ev.Kind, "partner", ev.Partner, "err", err)
		return false
	}
	s.Logger.Info("alert sent", "kind", ev.Kind, "partner", ev.Partner)
	return true
}

func (s *Service) dpo(partner string) []string {
	if p, ok := s.Config.Partner(partner); ok && p.DPOEmail != "" {
		return []string{p.DPOEmail}
	}
	return nil
}

// Reasons lists rule counts as "missing-label (1), type-error (12)",
// rules in name order; "no rule recorded" when there are none.
func Reasons(rules map[string]int) string {
	if len(rules) == 0 {
		return "no rule recorded"
	}
	names := make([]string, 0, len(rules))
	for r := range rules {
		names = append(names, r)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, r := range names {
		parts[i] = fmt.Sprintf("%s (%d)", r, rules[r])
	}
	return strings.Join(parts, ", ")
}

// sentLog remembers which once-only alerts (late, missing, review overdue)
// went out, in alerts-sent.json in the state folder, so a restart does not
// repeat them.
type sentLog struct {
	path string
	mu   sync.Mutex
	m    map[string]time.Time
}

func newSentLog(stateDir string) *sentLog {
	return &sentLog{path: filepath.Join(stateDir, "alerts-sent.json"), m: map[string]time.Time{}}
}

func (l *sentLog) load(log *slog.Logger) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, err := os.ReadFile(l.path)
	if err != nil {
		if !os.IsNotExist(err) {
			log.Warn("read sent alerts", "err", err)
		}
		return
	}
	if err := json.Unmarshal(b, &l.m); err != nil {
		log.Warn("read sent alerts", "err", fmt.Errorf("decode %s: %w", l.path, err))
		l.m = map[string]time.Time{}
	}
}

func (l *sentLog) has(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.m[key]
	return ok
}

// mark records key and rewrites the file atomically, dropping entries
// older than two years but those of review dates: a review can stay
// overdue for years, and must not be alerted again.
func (l *sentLog) mark(key string, now time.Time, log *slog.Logger) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[key] = now.UTC()
	for k, t := range l.m {
		if now.Sub(t) > 2*365*24*time.Hour && !strings.HasPrefix(k, reviewKeyPrefix) {
			delete(l.m, k)
		}
	}
	if err := writeAtomic(l.path, l.m); err != nil {
		log.Warn("record sent alert", "err", err)
	}
}

func writeAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	err = atomicfile.Write(path, ".alerts-sent-*", 0o600, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// checkWritable creates and removes a file in dir.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".readyz-*")
	if err != nil {
		return fmt.Errorf("state folder is not writable: %w", err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
