package ingest

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"landingd/ingest/state"
	"landingd/internal/safetext"
)

// Duty names one deadline an open breach incident runs, as status and the
// metrics label it.
type Duty string

// The two duties of every incident.
const (
	// DutyNotifyPartners is telling the partners' DPOs (48 h by default).
	DutyNotifyPartners Duty = "notify_partners"
	// DutyNotifyICO is deciding whether to tell the ICO, and telling it
	// (72 h at most).
	DutyNotifyICO Duty = "notify_ico"
)

// IncidentStatus is one open incident as status, the status page, the
// metrics and the cycle summary show it: identifiers, counts, column names
// and deadlines, never a cell value.
type IncidentStatus struct {
	ID           string `json:"id"`
	Partner      string `json:"partner"`
	Rule         string `json:"rule"`
	Object       string `json:"object"`
	RowsAffected int    `json:"rows_affected"`
	// Columns are the headings of the columns off the agreed list, each
	// with the kind of personal data it looks like; Personal is true when
	// any looks like personal data.
	Columns    []state.IncidentColumn `json:"columns,omitempty"`
	Personal   bool                   `json:"personal"`
	DetectedAt time.Time              `json:"detected_at"`
	// Duties are DutyNotifyPartners then DutyNotifyICO.
	Duties []IncidentDuty `json:"duties"`
	// Overdue is true when any duty is past its deadline and not met.
	Overdue bool `json:"overdue"`
}

// IncidentDuty is one deadline of an incident, as it stands at the time
// the status was built.
type IncidentDuty struct {
	Duty Duty      `json:"duty"`
	Due  time.Time `json:"due"`
	// Met is when an operator recorded the duty done (incidents ack); nil
	// while it is not.
	Met *time.Time `json:"met,omitempty"`
	// LeftSeconds is the time from the status to Due: negative once Due
	// has passed. Left says the same in words ("5h20m left", "OVERDUE by
	// 2h00m", "met 2026-01-08 09:00Z").
	LeftSeconds int64  `json:"left_seconds"`
	Left        string `json:"left"`
	// Overdue is true when Due has passed and the duty is not met.
	Overdue bool `json:"overdue"`
}

// NewIncidentStatus returns in as it stands at now. The file's name and
// the column headings come from the district: they are escaped
// (safetext.Escape), as every place that shows the status needs.
func NewIncidentStatus(in state.Incident, now time.Time) IncidentStatus {
	s := IncidentStatus{ID: in.ID, Partner: in.Partner, Rule: in.Rule, Object: safetext.Escape(in.Object),
		RowsAffected: in.RowsAffected, DetectedAt: in.DetectedAt.UTC()}
	for _, c := range in.Columns {
		s.Personal = s.Personal || c.Personal != ""
		c.Name = safetext.Escape(c.Name)
		s.Columns = append(s.Columns, c)
	}
	for _, d := range []struct {
		duty      Duty
		due, done time.Time
	}{{DutyNotifyPartners, in.NotifyPartnersDue, in.PartnersNotified}, {DutyNotifyICO, in.ICODue, in.ICOAt}} {
		dd := IncidentDuty{Duty: d.duty, Due: d.due.UTC(), LeftSeconds: int64(d.due.Sub(now) / time.Second),
			Left: TimeLeft(d.due, d.done, now)}
		if !d.done.IsZero() {
			t := d.done.UTC()
			dd.Met = &t
		} else if now.After(d.due) {
			dd.Overdue = true
			s.Overdue = true
		}
		s.Duties = append(s.Duties, dd)
	}
	return s
}

// OpenIncidents reads the open incidents from db, as they stand at now,
// in the order detected. It fails on a database error.
func OpenIncidents(ctx context.Context, db *state.DB, now time.Time) ([]IncidentStatus, error) {
	ins, err := db.Incidents(ctx, false)
	if err != nil {
		return nil, err
	}
	out := make([]IncidentStatus, 0, len(ins))
	for _, in := range ins {
		out = append(out, NewIncidentStatus(in, now))
	}
	return out, nil
}

// TimeLeft says how a deadline due stands at now: met (when done is set,
// late or not), the time left, or overdue.
func TimeLeft(due, done, now time.Time) string {
	switch {
	case !done.IsZero() && !done.After(due):
		return "met " + done.UTC().Format("2006-01-02 15:04Z")
	case !done.IsZero():
		return "met late " + done.UTC().Format("2006-01-02 15:04Z")
	case now.After(due):
		return "OVERDUE by " + hoursMinutes(now.Sub(due))
	}
	return hoursMinutes(due.Sub(now)) + " left"
}

func hoursMinutes(d time.Duration) string {
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// WriteIncidents prints the open incidents for a terminal, with a blank
// line after them; nothing when there are none.
func WriteIncidents(w io.Writer, ins []IncidentStatus) error {
	if len(ins) == 0 {
		return nil
	}
	fmt.Fprintf(w, "OPEN BREACH INCIDENTS: %d (see landingd incidents)\n", len(ins))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INCIDENT\tPARTNER\tRULE\tROWS\tNOTIFY PARTNERS BY\tNOTIFY ICO BY\tCOLUMNS")
	for _, in := range ins {
		cells := []string{in.ID, in.Partner, in.Rule, strconv.Itoa(in.RowsAffected)}
		for _, d := range in.Duties {
			cells = append(cells, d.Due.Format("2006-01-02 15:04Z")+" ("+d.Left+")")
		}
		cells = append(cells, ColumnsText(in.Columns))
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

// ColumnsText lists an incident's columns for a terminal, each marked
// with the personal data it looks like: `nino (NI number), notes`.
func ColumnsText(cols []state.IncidentColumn) string {
	parts := make([]string, 0, len(cols))
	for _, c := range cols {
		p := strconv.Quote(c.Name)
		if c.Personal != "" {
			p += " (" + c.Personal + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}
