// Package schedule plans when "landingd serve" runs cycles: the
// protocol's cron schedule in its time zone, the quarters it has
// completed, when files for a quarter are due, and the next cycle (the
// schedule's, or a retry of late partners before the due time). Its
// functions are pure: the clock and what the ledger holds are passed in,
// so status and the daemon plan alike and tests need no waiting.
package schedule

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"landingd/config"
	"landingd/ingest/state"
	"landingd/transform"
)

// Schedule is the protocol's schedule, parsed. Times it returns are in
// its Location.
type Schedule struct {
	Spec       cron.Schedule
	Location   *time.Location
	RetryEvery time.Duration
	Deadline   time.Duration
}

// Parse parses the protocol's schedule. It fails when the cron
// expression or the time zone does not parse.
func Parse(s config.Schedule) (*Schedule, error) {
	spec, err := config.CronParser.Parse(s.Cron)
	if err != nil {
		return nil, fmt.Errorf("parse schedule %q: %w", s.Cron, err)
	}
	tz := s.Timezone
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("parse schedule time zone %q: %w", s.Timezone, err)
	}
	return &Schedule{Spec: spec, Location: loc, RetryEvery: s.RetryEvery.Duration, Deadline: s.Deadline.Duration}, nil
}

// Next returns the first scheduled time after t, or the zero time when
// the schedule never fires again.
func (s *Schedule) Next(t time.Time) time.Time {
	if s.Spec == nil {
		return time.Time{}
	}
	return s.Spec.Next(t.In(s.Location))
}

// LastCompleted returns the latest quarter that ended before now, by the
// calendar of the schedule's time zone.
func (s *Schedule) LastCompleted(now time.Time) string {
	return transform.LastCompletedQuarter(now.In(s.Location))
}

// QuarterEnd returns the instant quarter q ends: midnight at the start of
// the next quarter, in the schedule's time zone. It fails when q is not a
// quarter id.
func (s *Schedule) QuarterEnd(q string) (time.Time, error) {
	_, end, err := transform.ParseQuarter(q)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(end.Year(), end.Month(), end.Day()+1, 0, 0, 0, 0, s.Location), nil
}

// Due returns when files for quarter q are due: the deadline after the
// quarter's end. It fails when q is not a quarter id.
func (s *Schedule) Due(q string) (time.Time, error) {
	end, err := s.QuarterEnd(q)
	if err != nil {
		return time.Time{}, err
	}
	return end.Add(s.Deadline), nil
}

// NextCycle is the cycle that serve runs next.
type NextCycle struct {
	At time.Time `json:"at"`
	// Trigger is state.TriggerSchedule (every partner) or
	// state.TriggerRetry (Partners only).
	Trigger state.Trigger `json:"trigger"`
	// Partners are the late partners a retry polls.
	Partners []string `json:"partners,omitempty"`
	// Quarter is the quarter a retry is for.
	Quarter string `json:"quarter,omitempty"`
}

// PlanNext returns the next cycle after now. It is the schedule's next
// time, unless a retry comes first: once a cycle has started since
// quarter q ended (lastStart is the latest cycle's start, zero for none),
// the outstanding partners of q are polled every RetryEvery after
// lastStart until q is due, the last retry running at the due time
// itself. A retry already overdue (after downtime) is planned at now. ok
// is false when neither the schedule nor a retry ever fires again.
func (s *Schedule) PlanNext(now, lastStart time.Time, outstanding []string, q string) (next NextCycle, ok bool) {
	if c := s.Next(now); !c.IsZero() {
		next, ok = NextCycle{At: c, Trigger: state.TriggerSchedule}, true
	}
	end, err := s.QuarterEnd(q)
	if err != nil || len(outstanding) == 0 || s.RetryEvery <= 0 || lastStart.Before(end) {
		return next, ok
	}
	due := end.Add(s.Deadline)
	if !now.Before(due) {
		return next, ok
	}
	r := lastStart.Add(s.RetryEvery)
	if r.After(due) {
		r = due
	}
	if r.Before(now) {
		r = now
	}
	if !ok || r.Before(next.At) {
		return NextCycle{At: r.In(s.Location), Trigger: state.TriggerRetry, Partners: outstanding, Quarter: q}, true
	}
	return next, ok
}
