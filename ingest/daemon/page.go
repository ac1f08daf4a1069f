package daemon

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strings"
	"time"

	"landingd/ingest"
	"landingd/ingest/state"
	"landingd/internal/safetext"
)

//go:embed page.html
var pageSource string

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2 Jan 2006 15:04 UTC")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"title": func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
}).Parse(pageSource))

// pageData is what the status page shows.
type pageData struct {
	Status    *ingest.Status
	Names     map[string]string // partner id to name
	Partners  []pagePartner
	Rows      []pageRow
	Runs      []pageRun
	Rejected  []pageRejected
	Now       time.Time
	ReviewDue bool
	Overdue   bool
	Current   string // the last completed quarter
}

// pagePartner is a column of the matrix: a short heading, the full name
// in its title.
type pagePartner struct {
	ID, Name, Short string
}

// pageRow is a row of the matrix: a quarter, or a run of older quarters
// folded into one line (Fold says why, From and To bound it).
type pageRow struct {
	ingest.StatusQuarter
	Fold     string
	From, To string
	Count    int
}

// Folds of older quarters.
const (
	foldNothing  = "nothing received"
	foldComplete = "complete"
)

// matrixRows picks the rows the page shows, newest first: the current
// quarter, the previous one, and every older quarter with something
// outstanding. Runs of older quarters in which nothing was received, and
// runs of older quarters every partner completed, fold into one line, so
// that years of history do not push the rest of the page down.
func matrixRows(m []ingest.StatusQuarter) []pageRow {
	var out []pageRow
	for i, q := range m {
		fold := ""
		if i >= 2 {
			fold = foldOf(q)
		}
		if fold == "" {
			out = append(out, pageRow{StatusQuarter: q})
			continue
		}
		if n := len(out); n > 0 && out[n-1].Fold == fold {
			out[n-1].From = q.Quarter
			out[n-1].Count++
			continue
		}
		out = append(out, pageRow{StatusQuarter: q, Fold: fold, From: q.Quarter, To: q.Quarter, Count: 1})
	}
	return out
}

// foldOf says how an older quarter folds, or "" when it has something
// outstanding among what was received.
func foldOf(q ingest.StatusQuarter) string {
	received, complete := false, true
	for _, c := range q.Cells {
		if c.AcceptedFiles > 0 || c.RejectedFiles > 0 {
			received = true
		}
		if c.State != ingest.StateAccepted && c.State != ingest.StateWithdrawn {
			complete = false
		}
	}
	switch {
	case !received:
		return foldNothing
	case complete:
		return foldComplete
	}
	return ""
}

// shortName is a partner's name without the words every council's name
// shares, for a column heading: "Epping Forest District Council" is
// "Epping Forest".
func shortName(name string) string {
	for _, tail := range []string{" Borough Council", " District Council", " City Council", " County Council", " Council"} {
		if s, ok := strings.CutSuffix(name, tail); ok {
			return s
		}
	}
	return name
}

type pageRun struct {
	state.Run
	Duration string
	Error    string
}

type pageRejected struct {
	Partner, District, Name, Reasons string
	Received                         time.Time
	RowsRead, RowsRejected           int
}

// latest is how many cycles and rejected files the page lists.
const latest = 10

func (s *Service) page(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, err := s.status(ctx)
	if err != nil {
		s.serverError(w, "build status", err)
		return
	}
	d := pageData{Status: st, Now: s.now(), Names: map[string]string{},
		ReviewDue: st.Protocol.Review == "due", Overdue: st.Protocol.Review == "overdue"}
	for _, p := range st.Partners {
		d.Names[p.ID] = p.Name
		d.Partners = append(d.Partners, pagePartner{ID: p.ID, Name: p.Name, Short: shortName(p.Name)})
	}
	d.Rows = matrixRows(st.Matrix)
	if len(st.Matrix) > 0 {
		d.Current = st.Matrix[0].Quarter
	}
	runs, err := s.Runner.DB.RecentRuns(ctx, latest)
	if err != nil {
		s.serverError(w, "list recent runs", err)
		return
	}
	for _, run := range runs {
		// html/template escapes markup, not control characters or
		// bidirectional overrides: names in errors are escaped here.
		pr := pageRun{Run: run, Error: safetext.Escape(ingest.Redact(run.Error))}
		if !run.Finished.IsZero() {
			pr.Duration = run.Finished.Sub(run.Started).Round(time.Millisecond).String()
		}
		d.Runs = append(d.Runs, pr)
	}
	rejected, err := s.Runner.DB.RecentRejected(ctx, latest)
	if err != nil {
		s.serverError(w, "list rejected files", err)
		return
	}
	for _, o := range rejected {
		district := d.Names[o.Partner]
		if district == "" {
			district = o.Partner // no longer in the protocol
		}
		d.Rejected = append(d.Rejected, pageRejected{Partner: o.Partner, District: district, Name: safetext.Escape(o.Name), Reasons: Reasons(o.RuleCounts),
			Received: o.ReceivedAt, RowsRead: o.Rows.Read, RowsRejected: o.Rows.Rejected})
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		s.serverError(w, "render status page", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}
