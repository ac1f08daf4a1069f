package ingest

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"landingd/config"
	"landingd/ingest/schedule"
	"landingd/ingest/state"
	"landingd/internal/safetext"
	"landingd/transform"
)

// Submission states shown by status.
const (
	StateAccepted = "accepted"
	StateRejected = "rejected"
	StateLate     = "late"    // still being polled before the deadline
	StateMissing  = "missing" // nothing accepted
	// StateWithdrawn is a quarter that ended after the partner withdrew
	// from the agreement: nothing is expected.
	StateWithdrawn = "withdrawn"
)

// Status is what "landingd status --json" prints and /api/status serves.
// It holds counts and file names only, never a cell value.
type Status struct {
	Protocol    StatusProtocol  `json:"protocol"`
	GeneratedAt time.Time       `json:"generated_at"`
	Quarters    []string        `json:"quarters"` // oldest first
	Partners    []StatusPartner `json:"partners"`
	// Matrix has one row per quarter, newest first, and one cell per
	// partner in the order of Partners.
	Matrix    []StatusQuarter `json:"matrix"`
	LastRun   *StatusRun      `json:"last_run"`
	LastError string          `json:"last_error"`
	// NextCycle is the cycle serve runs next (the schedule's or a retry
	// of late partners); nil when the schedule never fires again.
	NextCycle *schedule.NextCycle `json:"next_cycle,omitempty"`
	// Incidents are the open breach incidents, in the order detected,
	// with their deadlines as they stand at GeneratedAt.
	Incidents []IncidentStatus `json:"incidents"`
}

// StatusProtocol identifies the protocol and its review.
type StatusProtocol struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	ReviewDate string `json:"review_date"`
	// Review is "ok", "due" (within 90 days) or "overdue".
	Review string `json:"review"`
	// Paused is true when the review is overdue and the protocol says
	// on_review_overdue: pause, so its cycles take no files; PauseReason
	// then says why (see PauseReason).
	Paused      bool   `json:"paused"`
	PauseReason string `json:"pause_reason,omitempty"`
}

// StatusPartner is one partner.
type StatusPartner struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	GSS  string `json:"gss"`
}

// StatusQuarter is one row of the matrix.
type StatusQuarter struct {
	Quarter string       `json:"quarter"`
	Label   string       `json:"label"`
	Cells   []StatusCell `json:"cells"`
	// Due is when files for the quarter are due: the schedule's deadline
	// after the quarter's end.
	Due time.Time `json:"due"`
}

// StatusCell is what one partner sent for one quarter.
type StatusCell struct {
	Partner       string     `json:"partner"`
	State         string     `json:"state"`
	Cases         int        `json:"cases"`
	AcceptedFiles int        `json:"accepted_files"`
	RejectedFiles int        `json:"rejected_files"`
	LastReceived  *time.Time `json:"last_received,omitempty"`
}

// StatusRun is the latest cycle.
type StatusRun struct {
	ID       string        `json:"id"`
	Trigger  state.Trigger `json:"trigger"`
	Started  time.Time     `json:"started"`
	Finished *time.Time    `json:"finished,omitempty"`
	Outcome  state.Outcome `json:"outcome"`
	Error    string        `json:"error,omitempty"`
}

// reviewWindow is how long before the review date warnings start.
const reviewWindow = 90 * 24 * time.Hour

// ReviewState says whether the protocol's review is "ok", "due" (within 90
// days) or "overdue" at now.
func ReviewState(cfg *config.Config, now time.Time) string {
	rd := cfg.Protocol.ReviewDate.Time
	switch {
	case rd.IsZero():
		return "ok"
	case !now.Before(ReviewOverdueAt(cfg)):
		return "overdue"
	case now.After(rd.Add(-reviewWindow)):
		return "due"
	}
	return "ok"
}

// ReviewOverdueAt is when the protocol's review becomes overdue: the end
// of its review date. It is the zero time when the protocol has none.
func ReviewOverdueAt(cfg *config.Config) time.Time {
	rd := cfg.Protocol.ReviewDate.Time
	if rd.IsZero() {
		return time.Time{}
	}
	return rd.AddDate(0, 0, 1)
}

// PauseReason says why the protocol's cycles take no files at now, or is
// "" when they take them: its review date has passed and it says
// on_review_overdue: pause. Every page that shows the protocol prints it.
func PauseReason(cfg *config.Config, now time.Time) string {
	if ReviewState(cfg, now) != "overdue" || cfg.Protocol.OnReviewOverdue != config.ReviewPause {
		return ""
	}
	return fmt.Sprintf("cycles are paused: the review date, %s, has passed and the protocol says on_review_overdue: pause, "+
		"so no files are taken until the partners review the agreement and the review date is moved",
		cfg.Protocol.ReviewDate.Format(time.DateOnly))
}

// BuildStatus reads the ledger into the quarters-by-partners matrix, from
// the protocol's first quarter to the last completed quarter at now, and
// plans the next cycle. It fails on a database error.
func BuildStatus(ctx context.Context, cfg *config.Config, db *state.DB, now time.Time) (*Status, error) {
	st := &Status{
		Protocol: StatusProtocol{
			ID: cfg.Protocol.ID, Title: cfg.Protocol.Title,
			ReviewDate: cfg.Protocol.ReviewDate.Time.Format(time.DateOnly),
			Review:     ReviewState(cfg, now),
		},
		GeneratedAt: now.UTC(),
	}
	st.Protocol.PauseReason = PauseReason(cfg, now)
	st.Protocol.Paused = st.Protocol.PauseReason != ""
	for _, p := range cfg.Partners {
		st.Partners = append(st.Partners, StatusPartner{ID: p.ID, Name: p.Name, GSS: p.GSS})
	}
	// A protocol that loaded has a schedule that parses; should it not,
	// quarters fall back to UTC and no cycle is planned.
	sched, schedErr := schedule.Parse(cfg.Schedule)
	if schedErr != nil {
		sched = &schedule.Schedule{Location: time.UTC}
	}
	first := cfg.Collection.FirstQuarter
	if first == "" {
		first = "2021Q2"
	}
	last := sched.LastCompleted(now)
	for q := first; q <= last; q = transform.NextQuarter(q) {
		st.Quarters = append(st.Quarters, q)
	}
	subs, err := db.Submissions(ctx)
	if err != nil {
		return nil, err
	}
	byKey := submissionIndex(subs)
	for i := len(st.Quarters) - 1; i >= 0; i-- {
		q := st.Quarters[i]
		row := StatusQuarter{Quarter: q, Label: transform.QuarterLabel(q)}
		due, _ := sched.Due(q)
		row.Due = due.UTC()
		for pi := range cfg.Partners {
			p := &cfg.Partners[pi]
			c := StatusCell{Partner: p.ID}
			s := byKey[submissionKey{p.ID, q}]
			c.Cases, c.AcceptedFiles, c.RejectedFiles = s.Cases, s.AcceptedFiles, s.RejectedFiles
			if !s.LastReceived.IsZero() {
				t := s.LastReceived.UTC()
				c.LastReceived = &t
			}
			c.State = CellState(s, Expected(p, q), q == last, now, due)
			row.Cells = append(row.Cells, c)
		}
		st.Matrix = append(st.Matrix, row)
	}
	if st.Incidents, err = OpenIncidents(ctx, db, now); err != nil {
		return nil, err
	}
	run, ok, err := db.LastRun(ctx)
	if err != nil {
		return nil, err
	}
	if ok {
		// A cycle's error may name a district's file: escaped, for the
		// terminal, the page and the JSON alike.
		sr := &StatusRun{ID: run.ID, Trigger: run.Trigger, Started: run.Started.UTC(), Outcome: run.Outcome, Error: safetext.Escape(run.Error)}
		if !run.Finished.IsZero() {
			f := run.Finished.UTC()
			sr.Finished = &f
		}
		st.LastRun = sr
		st.LastError = sr.Error
	}
	if schedErr == nil {
		if next, ok := sched.PlanNext(now, run.Started, Outstanding(cfg, subs, last, now), last); ok {
			next.At = next.At.UTC()
			st.NextCycle = &next
		}
	}
	return st, nil
}

type submissionKey struct{ partner, quarter string }

func submissionIndex(subs []state.Submission) map[submissionKey]state.Submission {
	m := make(map[submissionKey]state.Submission, len(subs))
	for _, s := range subs {
		m[submissionKey{s.Partner, s.Quarter}] = s
	}
	return m
}

// CellState decides what one partner's cell for one quarter shows, from
// what the partner sent for it (s), whether the quarter is expected from
// the partner (see Expected), whether it is the last completed quarter
// (current), now and the quarter's due time:
//   - accepted when any file was accepted for it;
//   - rejected when files came but every one was rejected;
//   - withdrawn when nothing came and nothing was expected;
//   - late when nothing came for the current quarter before it is due;
//   - missing otherwise: past due, or an older quarter.
func CellState(s state.Submission, expected, current bool, now, due time.Time) string {
	switch {
	case s.AcceptedFiles > 0:
		return StateAccepted
	case s.RejectedFiles > 0:
		return StateRejected
	case !expected:
		return StateWithdrawn
	case current && now.Before(due):
		return StateLate
	}
	return StateMissing
}

// Expected reports whether partner p owes files for quarter q: false for
// a quarter that ended on or after the day p withdrew (or that is not a
// quarter id).
func Expected(p *config.Partner, q string) bool {
	if p.Withdrawn == nil {
		return true
	}
	_, end, err := transform.ParseQuarter(q)
	if err != nil {
		return false
	}
	return p.Withdrawn.Time.After(end)
}

// WithdrawnAt reports whether partner p has withdrawn at now (its
// withdrawn date is on or before now's date).
func WithdrawnAt(p *config.Partner, now time.Time) bool {
	if p.Withdrawn == nil {
		return false
	}
	return !p.Withdrawn.Time.After(now)
}

// Outstanding returns, in protocol order, the partners that owe quarter q
// and have had nothing accepted for it: the ones a retry polls and an
// alert names. Partners withdrawn at now are left out.
func Outstanding(cfg *config.Config, subs []state.Submission, q string, now time.Time) []string {
	byKey := submissionIndex(subs)
	var out []string
	for i := range cfg.Partners {
		p := &cfg.Partners[i]
		if WithdrawnAt(p, now) || !Expected(p, q) {
			continue
		}
		if byKey[submissionKey{p.ID, q}].AcceptedFiles == 0 {
			out = append(out, p.ID)
		}
	}
	return out
}

// WriteText prints the status for a terminal.
func (st *Status) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "%s (%s)\n", st.Protocol.Title, st.Protocol.ID)
	switch st.Protocol.Review {
	case "due":
		fmt.Fprintf(w, "Review due by %s.\n", st.Protocol.ReviewDate)
	case "overdue":
		fmt.Fprintf(w, "REVIEW OVERDUE: the protocol was due for review on %s.\n", st.Protocol.ReviewDate)
	}
	if st.Protocol.Paused {
		fmt.Fprintf(w, "PAUSED: %s.\n", st.Protocol.PauseReason)
	}
	if st.LastRun != nil {
		fmt.Fprintf(w, "Last cycle: %s, started %s, %s\n", st.LastRun.ID, st.LastRun.Started.Format(time.RFC3339), orWord(string(st.LastRun.Outcome), "running"))
	} else {
		fmt.Fprintln(w, "Last cycle: none yet")
	}
	if st.LastError != "" {
		fmt.Fprintf(w, "Last error: %s\n", st.LastError)
	}
	if n := st.NextCycle; n != nil {
		fmt.Fprintf(w, "Next cycle: %s (%s", n.At.Format(time.RFC3339), n.Trigger)
		if len(n.Partners) > 0 {
			fmt.Fprintf(w, " of %s for %s", strings.Join(n.Partners, ", "), n.Quarter)
		}
		fmt.Fprintln(w, ")")
	}
	fmt.Fprintln(w)
	if err := WriteIncidents(w, st.Incidents); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := []string{"QUARTER"}
	for _, p := range st.Partners {
		head = append(head, strings.ToUpper(p.ID))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, row := range st.Matrix {
		cells := []string{row.Quarter}
		for _, c := range row.Cells {
			s := c.State
			if c.State == StateAccepted {
				s = fmt.Sprintf("accepted (%d)", c.Cases)
			}
			cells = append(cells, s)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

func orWord(s, w string) string {
	if s == "" {
		return w
	}
	return s
}
