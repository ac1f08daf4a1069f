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
	Runs      []pageRun
	Rejected  []pageRejected
	Now       time.Time
	ReviewDue bool
	Overdue   bool
	Current   string // the last completed quarter
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
	}
	if len(st.Matrix) > 0 {
		d.Current = st.Matrix[0].Quarter
	}
	runs, err := s.Runner.DB.RecentRuns(ctx, latest)
	if err != nil {
		s.serverError(w, "list recent runs", err)
		return
	}
	for _, run := range runs {
		pr := pageRun{Run: run, Error: ingest.Redact(run.Error)}
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
		d.Rejected = append(d.Rejected, pageRejected{Partner: o.Partner, District: district, Name: o.Name, Reasons: Reasons(o.RuleCounts),
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
