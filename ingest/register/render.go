package register

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"landingd/ingest/publish"
)

// CSVHeader is the register's columns, as WriteCSV writes them.
var CSVHeader = []string{"number", "title", "theme", "purpose", "lead", "other_organisations",
	"review_date", "review", "last_cycle", "last_cycle_outcome", "outstanding", "open_incidents"}

// WriteCSV writes one line per entry under CSVHeader. Lists are joined
// with "; ". Live columns are empty for an entry without Live. Cells that
// a spreadsheet would run as a formula are neutralised as in the combined
// CSV.
func WriteCSV(w io.Writer, entries []Entry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, e := range entries {
		last, outcome, outstanding, incidents := "", "", "", ""
		if e.Live != nil {
			if r := e.Live.LastCycle; r != nil {
				last, outcome = r.Started.UTC().Format(time.RFC3339), string(r.Outcome)
				if outcome == "" {
					outcome = "running"
				}
			}
			outstanding = OutstandingText(e.Live.Outstanding)
			incidents = strconv.Itoa(e.Live.OpenIncidents)
		}
		rec := []string{e.Number, e.Title, e.Theme, e.Purpose, e.Lead, strings.Join(e.Others, "; "),
			e.ReviewDate, e.Review, last, outcome, outstanding, incidents}
		for i := range rec {
			rec[i] = publish.Neutralise(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// OutstandingText is "2025Q4: late Basildon, Harlow; missing Rochford",
// quarters newest first, or "" when nothing is outstanding.
func OutstandingText(os []Outstanding) string {
	var parts []string
	for _, o := range os {
		var s []string
		if len(o.Late) > 0 {
			s = append(s, "late "+strings.Join(o.Late, ", "))
		}
		if len(o.Missing) > 0 {
			s = append(s, "missing "+strings.Join(o.Missing, ", "))
		}
		parts = append(parts, o.Quarter+": "+strings.Join(s, ", "))
	}
	return strings.Join(parts, "; ")
}

// pageQuarters is how many outstanding quarters the page names in full: a
// protocol that has run for years can have dozens, and the register's row
// must stay one screen tall.
const pageQuarters = 2

// OutstandingBrief is OutstandingText for the newest n quarters, then
// "and 22 earlier quarters, the oldest 2021Q2" for the rest (two or
// more; one more is named in full).
func OutstandingBrief(os []Outstanding, n int) string {
	if len(os) <= n+1 {
		return OutstandingText(os)
	}
	return fmt.Sprintf("%s; and %d earlier quarters, the oldest %s", OutstandingText(os[:n]), len(os)-n, os[len(os)-1].Quarter)
}

// WriteJSON writes the entries as an indented JSON array.
func WriteJSON(w io.Writer, entries []Entry) error {
	if entries == nil {
		entries = []Entry{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(entries)
}

// WriteText writes the register for a terminal: one block per entry,
// grouped by theme.
func WriteText(w io.Writer, entries []Entry) error {
	var b bytes.Buffer
	for _, t := range ByTheme(entries) {
		fmt.Fprintf(&b, "%s\n", t.Name)
		for _, e := range t.Entries {
			fmt.Fprintf(&b, "  %s\n", e.NumberedTitle())
			fmt.Fprintf(&b, "    Lead: %s\n", e.Lead)
			fmt.Fprintf(&b, "    Others: %s\n", strings.Join(e.Others, ", "))
			review := e.ReviewDate
			if e.Review != ReviewOK {
				review += " (" + e.Review + ")"
			}
			if e.Paused {
				review += ", cycles paused until the date is moved"
			}
			fmt.Fprintf(&b, "    Review: %s\n", review)
			if e.Live != nil {
				if r := e.Live.LastCycle; r != nil {
					fmt.Fprintf(&b, "    Last cycle: %s, %s\n", r.Started.UTC().Format(time.RFC3339), orWord(string(r.Outcome), "running"))
				} else {
					fmt.Fprintf(&b, "    Last cycle: none yet\n")
				}
				if s := OutstandingText(e.Live.Outstanding); s != "" {
					fmt.Fprintf(&b, "    Outstanding: %s\n", s)
				}
				fmt.Fprintf(&b, "    Open incidents: %d\n", e.Live.OpenIncidents)
			}
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func orWord(s, w string) string {
	if s == "" {
		return w
	}
	return s
}

//go:embed register.html
var pageSource string

var pageTemplate = template.Must(template.New("register").Funcs(template.FuncMap{
	"when":        func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
	"join":        strings.Join,
	"outstanding": func(os []Outstanding) string { return OutstandingBrief(os, pageQuarters) },
	"slug": func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			if r >= 'A' && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return '-'
		}, s)
	},
}).Parse(pageSource))

// Page is what the register page shows.
type Page struct {
	Forum  string // the page's heading, such as the forum's name
	Themes []Theme
	Now    time.Time
	// Link returns the status page of a protocol, or "" for none (a
	// register printed from files links nowhere).
	Link func(id string) string
}

// WriteHTML renders the register page: plain server-rendered HTML with no
// script, like the status page.
func WriteHTML(w io.Writer, forum string, entries []Entry, now time.Time, link func(id string) string) error {
	if link == nil {
		link = func(string) string { return "" }
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, Page{Forum: forum, Themes: ByTheme(entries), Now: now, Link: link}); err != nil {
		return fmt.Errorf("render register: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}
