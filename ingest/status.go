package ingest

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"landingd/config"
	"landingd/ingest/state"
	"landingd/transform"
)

// Submission states shown by status.
const (
	StateAccepted = "accepted"
	StateRejected = "rejected"
	StateLate     = "late"    // still being polled before the deadline
	StateMissing  = "missing" // nothing accepted
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
}

// StatusProtocol identifies the protocol and its review.
type StatusProtocol struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	ReviewDate string `json:"review_date"`
	// Review is "ok", "due" (within 90 days) or "overdue".
	Review string `json:"review"`
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
	ID       string     `json:"id"`
	Trigger  string     `json:"trigger"`
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished,omitempty"`
	Outcome  string     `json:"outcome"`
	Error    string     `json:"error,omitempty"`
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
	case !now.Before(rd.AddDate(0, 0, 1)):
		return "overdue"
	case now.After(rd.Add(-reviewWindow)):
		return "due"
	}
	return "ok"
}

// BuildStatus reads the ledger into the quarters-by-partners matrix, from
// the protocol's first quarter to the last completed quarter at now.
func BuildStatus(ctx context.Context, cfg *config.Config, db *state.DB, now time.Time) (*Status, error) {
	st := &Status{
		Protocol: StatusProtocol{
			ID: cfg.Protocol.ID, Title: cfg.Protocol.Title,
			ReviewDate: cfg.Protocol.ReviewDate.Time.Format(time.DateOnly),
			Review:     ReviewState(cfg, now),
		},
		GeneratedAt: now.UTC(),
	}
	for _, p := range cfg.Partners {
		st.Partners = append(st.Partners, StatusPartner{ID: p.ID, Name: p.Name, GSS: p.GSS})
	}
	first := cfg.Collection.FirstQuarter
	if first == "" {
		first = "2021Q2"
	}
	last := transform.LastCompletedQuarter(now)
	for q := first; q <= last; q = transform.NextQuarter(q) {
		st.Quarters = append(st.Quarters, q)
	}
	subs, err := db.Submissions(ctx)
	if err != nil {
		return nil, err
	}
	type key struct{ partner, quarter string }
	byKey := map[key]state.Submission{}
	for _, s := range subs {
		byKey[key{s.Partner, s.Quarter}] = s
	}
	for i := len(st.Quarters) - 1; i >= 0; i-- {
		q := st.Quarters[i]
		row := StatusQuarter{Quarter: q, Label: transform.QuarterLabel(q)}
		for _, p := range st.Partners {
			c := StatusCell{Partner: p.ID, State: StateMissing}
			if s, ok := byKey[key{p.ID, q}]; ok {
				c.Cases, c.AcceptedFiles, c.RejectedFiles = s.Cases, s.AcceptedFiles, s.RejectedFiles
				if !s.LastReceived.IsZero() {
					t := s.LastReceived.UTC()
					c.LastReceived = &t
				}
				switch {
				case s.AcceptedFiles > 0:
					c.State = StateAccepted
				case s.RejectedFiles > 0:
					c.State = StateRejected
				}
			}
			row.Cells = append(row.Cells, c)
		}
		st.Matrix = append(st.Matrix, row)
	}
	run, ok, err := db.LastRun(ctx)
	if err != nil {
		return nil, err
	}
	if ok {
		sr := &StatusRun{ID: run.ID, Trigger: run.Trigger, Started: run.Started.UTC(), Outcome: run.Outcome, Error: run.Error}
		if !run.Finished.IsZero() {
			f := run.Finished.UTC()
			sr.Finished = &f
		}
		st.LastRun = sr
		st.LastError = run.Error
	}
	return st, nil
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
	if st.LastRun != nil {
		fmt.Fprintf(w, "Last cycle: %s, started %s, %s\n", st.LastRun.ID, st.LastRun.Started.Format(time.RFC3339), orWord(st.LastRun.Outcome, "running"))
	} else {
		fmt.Fprintln(w, "Last cycle: none yet")
	}
	if st.LastError != "" {
		fmt.Fprintf(w, "Last error: %s\n", st.LastError)
	}
	fmt.Fprintln(w)
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
