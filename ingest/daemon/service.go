package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"landingd/config"
	"landingd/ingest"
	"landingd/ingest/alert"
	"landingd/ingest/schedule"
	"landingd/ingest/state"
	"landingd/internal/safetext"
)

// Service runs cycles on the protocol's schedule and serves the operators'
// endpoints. Create it with New; set the optional fields before Run.
type Service struct {
	Runner   *ingest.Runner
	Config   *config.Config
	Logger   *slog.Logger
	Schedule *schedule.Schedule
	// Registry holds the metrics; New makes a private one.
	Registry *prometheus.Registry
	// Alert sends alerts; nil sends none.
	Alert *alert.Client
	// Token, when set, is the bearer token every path but /healthz needs.
	Token string
	// Now is the clock; nil means time.Now. It is also the Runner's clock.
	Now func() time.Time
	// Wait blocks until the clock reaches until or ctx ends (returning its
	// error). nil means real timers against Now.
	Wait func(ctx context.Context, until time.Time) error
	// AfterCycle, when set, is called after every cycle Run starts.
	AfterCycle func(trigger state.Trigger, sum *ingest.Summary, err error)
	// RunCycle, when set, runs one cycle in place of Runner.Cycle: serve
	// runs each cycle in a child process, so that the memory a cycle
	// needs is handed back whole when it ends and the idle service stays
	// small. nil runs cycles in this process (tests do).
	RunCycle func(ctx context.Context, trigger state.Trigger, partners []string) (*ingest.Summary, error)

	// Release, when set, is called in place of handing memory back to the
	// system each time the service goes idle (see release).
	Release func()
	// IdleAfter is how long after its last request (but /healthz) the
	// service goes idle again and releases memory; 0 means 10 seconds.
	IdleAfter time.Duration

	metrics *metrics
	sent    *sentLog

	// crashes counts cycles in a row whose process died; retryAt is when
	// the next of them is retried (zero when the last cycle did not die).
	crashes int
	retryAt time.Time

	mu        sync.Mutex
	next      *schedule.NextCycle // nil until planned, or when nothing is due
	idleTimer *time.Timer         // runs release after the last request
}

// New prepares a Service for r's protocol. It fails when the protocol's
// schedule does not parse or the metrics cannot be registered.
func New(r *ingest.Runner, logger *slog.Logger) (*Service, error) {
	sched, err := schedule.Parse(r.Config.Schedule)
	if err != nil {
		return nil, err
	}
	s := &Service{Runner: r, Config: r.Config, Logger: logger, Schedule: sched, Registry: prometheus.NewRegistry()}
	if s.metrics, err = newMetrics(s); err != nil {
		return nil, err
	}
	s.sent = newSentLog(r.Config.State)
	return s, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Run runs cycles until ctx is cancelled, and then returns nil once the
// cycle in progress has stopped (see ingest.Runner.Cycle: the file being
// committed finishes within shutdown_timeout or rolls back).
//
// At start it catches up: when a scheduled time has passed since the
// last completed cycle (of any trigger, "landingd run" included), or no
// cycle ever completed, it runs one cycle at once. Then it runs each
// scheduled cycle, and in between polls the partners that are late for
// the last completed quarter every retry_every until it is due. It also
// wakes when the protocol's review date passes, to alert it. Errors
// reading the ledger are logged and retried a minute later.
func (s *Service) Run(ctx context.Context) error {
	if s.Now != nil {
		s.Runner.Now = s.Now
	}
	s.sent.load(s.Logger)
	if err := s.metrics.load(ctx, s); err != nil {
		s.Logger.Error("load partner metrics", "err", err)
	}
	catchUp, err := s.needsCatchUp(ctx)
	if err != nil {
		s.Logger.Error("read the last cycle", "err", err)
	}
	// Starting faulted in much of the binary that serving never runs:
	// hand it back before the first cycle, whose work happens in a child
	// process when RunCycle is set.
	s.release()
	if catchUp {
		s.Logger.Info("catching up: a scheduled cycle was missed or none has completed")
		s.cycle(ctx, state.TriggerCatchUp, nil)
	}
	for ctx.Err() == nil {
		s.deadlineAlerts(ctx)
		s.reviewAlert(ctx)
		next, ok, err := s.plan(ctx)
		if err != nil {
			s.Logger.Error("plan the next cycle", "err", err)
			if s.wait(ctx, s.now().Add(time.Minute)) != nil {
				break
			}
			continue
		}
		if !ok {
			s.Logger.Warn("the schedule never fires again: waiting for a stop signal")
			<-ctx.Done()
			break
		}
		if at := ingest.ReviewOverdueAt(s.Config); s.Alert != nil && at.After(s.now()) && at.Before(next.At) {
			// The review date passes before the next cycle: wake then to
			// alert it, and plan again.
			s.release()
			if s.wait(ctx, at) != nil {
				break
			}
			continue
		}
		s.Logger.Info("next cycle planned", "at", next.At, "trigger", next.Trigger, "partners", len(next.Partners))
		s.release()
		if s.wait(ctx, next.At) != nil {
			break
		}
		s.cycle(ctx, next.Trigger, next.Partners)
	}
	s.mu.Lock()
	if s.idleTimer != nil {
		s.idleTimer.Stop()
	}
	s.mu.Unlock()
	s.Logger.Info("service stopped")
	return nil
}

// needsCatchUp reports whether a cycle must run at start: NeedsCatchUp,
// or the last cycle was cut short (stopped by a signal, or its process
// died), so that files it left untaken are not left until the next
// planned cycle.
func (s *Service) needsCatchUp(ctx context.Context) (bool, error) {
	prev, ok, err := s.Runner.DB.LastRun(ctx)
	if err != nil {
		return false, err
	}
	if ok && (prev.Outcome == state.RunStopped || prev.Outcome == state.RunInterrupted || prev.Outcome == "") {
		return true, nil
	}
	last, ok, err := s.Runner.DB.LastCompletedRun(ctx)
	if err != nil {
		return false, err
	}
	return NeedsCatchUp(s.Schedule, last.Started, ok, s.now()), nil
}

// NeedsCatchUp reports whether a service starting at now must run a cycle
// at once: when no cycle ever completed (completed is false), or when a
// scheduled time has come since lastStart, the start of the last
// completed cycle.
func NeedsCatchUp(sched *schedule.Schedule, lastStart time.Time, completed bool, now time.Time) bool {
	if !completed {
		return true
	}
	next := sched.Next(lastStart)
	return !next.IsZero() && !next.After(now)
}

// plan decides the next cycle from the ledger and records it for the
// status page and the metrics.
func (s *Service) plan(ctx context.Context) (schedule.NextCycle, bool, error) {
	now := s.now()
	last, _, err := s.Runner.DB.LastRun(ctx)
	if err != nil {
		return schedule.NextCycle{}, false, err
	}
	subs, err := s.Runner.DB.Submissions(ctx)
	if err != nil {
		return schedule.NextCycle{}, false, err
	}
	q := s.Schedule.LastCompleted(now)
	next, ok := s.Schedule.PlanNext(now, last.Started, ingest.Outstanding(s.Config, subs, q, now), q)
	if !s.retryAt.IsZero() && (!ok || s.retryAt.Before(next.At)) {
		// A cycle died: every partner is retried soon, without waiting for
		// the schedule (see crashBackoff).
		next, ok = schedule.NextCycle{At: s.retryAt, Trigger: state.TriggerRetry}, true
	}
	s.mu.Lock()
	if ok {
		s.next = &next
		s.metrics.next.Set(float64(next.At.UnixMilli()) / 1000)
	} else {
		s.next = nil
		s.metrics.next.Set(0)
	}
	s.mu.Unlock()
	return next, ok, nil
}

// NextCycle returns the cycle the service has planned, or nil.
func (s *Service) NextCycle() *schedule.NextCycle {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next == nil {
		return nil
	}
	n := *s.next
	return &n
}

func (s *Service) wait(ctx context.Context, until time.Time) error {
	if s.Wait != nil {
		return s.Wait(ctx, until)
	}
	// Sleep in slices of at most ten minutes, so that a clock step (a
	// suspended machine, a corrected clock) delays a cycle by no more.
	for {
		d := until.Sub(s.now())
		if d <= 0 {
			return ctx.Err()
		}
		t := time.NewTimer(min(d, 10*time.Minute))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// cycle runs one cycle and records it in the metrics, then sends its
// alerts.
func (s *Service) cycle(ctx context.Context, trigger state.Trigger, partners []string) {
	start := s.now()
	var sum *ingest.Summary
	var err error
	if s.RunCycle != nil {
		sum, err = s.RunCycle(ctx, trigger, partners)
	} else {
		s.Runner.Trigger = trigger
		sum, err = s.Runner.Cycle(ctx, partners)
	}
	s.metrics.observe(sum, err, s.now().Sub(start))
	if err != nil {
		s.Logger.Error("cycle", "trigger", trigger, "err", err)
	}
	var died *ingest.CycleDied
	if errors.As(err, &died) {
		// The ledger, status, /readyz and the alert name the cause and
		// the file being judged; the file counts one death (see
		// ingest/quarantine.go), and the cycle is retried at once.
		if _, rerr := s.Runner.RecoverCrash(context.WithoutCancel(ctx), died.Cause); rerr != nil {
			s.Logger.Error("record the dead cycle", "err", rerr)
		}
		s.crashes++
		s.retryAt = s.now().Add(crashBackoff(s.crashes))
	} else {
		s.crashes, s.retryAt = 0, time.Time{}
	}
	// Alerts go out even when a stop signal ended the cycle, but no
	// longer than a short while after it.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), alertBudget(ctx))
	s.cycleAlerts(actx, sum, err)
	cancel()
	if s.AfterCycle != nil {
		s.AfterCycle(trigger, sum, err)
	}
}

// release hands back what the service holds but does not need while it
// waits: the database's idle connections with their page caches, the Go
// heap's free pages, and the binary's pages that starting and serving
// faulted in (ReleaseFilePages). The service idles for weeks between
// cycles; without this the memory would go back over minutes, or the
// binary's pages never.
func (s *Service) release() {
	if s.Release != nil {
		s.Release()
		return
	}
	if s.Runner != nil && s.Runner.DB != nil {
		s.Runner.DB.ReleaseIdle()
	}
	debug.FreeOSMemory()
	n, err := ReleaseFilePages()
	if err != nil {
		s.Logger.Debug("release file pages", "err", err)
		return
	}
	s.Logger.Debug("released memory", "file_pages_bytes", n)
}

// releaseSoon calls release once no request has come for IdleAfter: a
// scrape or a look at the status page faults in code and builds garbage
// that an idle service need not keep.
func (s *Service) releaseSoon() {
	d := s.IdleAfter
	if d <= 0 {
		d = 10 * time.Second
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idleTimer == nil {
		s.idleTimer = time.AfterFunc(d, s.release)
		return
	}
	s.idleTimer.Reset(d)
}

// crashBackoff is how long after the n-th cycle in a row whose process
// died the cycle is retried: 30 s, doubled each time, at most an hour. A
// file that kills the process is quarantined at its second death, so a
// retry soon after is what publishes the other partners' quarter.
func crashBackoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// alertBudget is how long alerts may take after a cycle: long enough for
// the client's retries normally, a few seconds once stopping.
func alertBudget(ctx context.Context) time.Duration {
	if ctx.Err() != nil {
		return 5 * time.Second
	}
	return 2 * time.Minute
}

// errNoRunner is returned by checks that need the state.
var errNoRunner = errors.New("no state")

// ready reports why the service is not ready, or nil: the state must be
// writable and the last cycle must not have failed.
func (s *Service) ready(ctx context.Context) error {
	if s.Runner == nil || s.Runner.DB == nil {
		return errNoRunner
	}
	if err := checkWritable(s.Config.State); err != nil {
		return err
	}
	last, ok, err := s.Runner.DB.LastRun(ctx)
	if err != nil {
		return err
	}
	if ok && last.Outcome == state.RunFailed {
		if last.Error != "" {
			// The error may name a district's file: escaped, for /readyz
			// and every other place that shows it.
			return fmt.Errorf("the last cycle %s failed: %s", last.ID, safetext.Escape(last.Error))
		}
		return fmt.Errorf("the last cycle %s failed", last.ID)
	}
	return nil
}
