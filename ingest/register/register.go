// Package register builds a forum's register of information sharing
// protocols from the protocol files a landingd service enforces, so the
// register can never say something the service does not do.
//
// Each Entry carries what a register shows (number and title, purpose,
// lead organisation, the other organisations involved, review date), the
// review's standing, and, when the protocol's state can be read, its last
// cycle, the quarters with files late or missing, and its open incidents.
// Entries are grouped by theme for the page. Nothing in an Entry is a cell
// value: it is all protocol text, partner names, counts and dates.
package register

import (
	"cmp"
	"slices"
	"time"

	"landingd/config"
	"landingd/ingest"
)

// Review standings, as ingest.ReviewState gives them.
const (
	ReviewOK      = "ok"
	ReviewDue     = "due"     // within 90 days
	ReviewOverdue = "overdue" // the date has passed
)

// Entry is one protocol in the register.
type Entry struct {
	ID         string   `json:"id"`
	Number     string   `json:"number"`
	Title      string   `json:"title"`
	Theme      string   `json:"theme"`
	Purpose    string   `json:"purpose"`
	Lead       string   `json:"lead"`
	Others     []string `json:"others"`      // the partners' names, in the protocol's order
	ReviewDate string   `json:"review_date"` // YYYY-MM-DD
	Review     string   `json:"review"`      // ReviewOK, ReviewDue or ReviewOverdue
	// Paused is true when the review is overdue and the protocol says
	// on_review_overdue: pause, so its cycles take no files.
	Paused bool `json:"paused"`
	// Live is nil when the protocol's state could not be read (a register
	// printed on a machine that does not run the protocol).
	Live *Live `json:"live,omitempty"`
}

// Live is what the protocol's state says now.
type Live struct {
	LastCycle *ingest.StatusRun `json:"last_cycle"`
	// Outstanding lists, newest quarter first, the quarters for which some
	// partner's file is late or missing.
	Outstanding   []Outstanding `json:"outstanding"`
	OpenIncidents int           `json:"open_incidents"`
	// IncidentsOverdue counts open incidents with a deadline passed.
	IncidentsOverdue int `json:"incidents_overdue"`
}

// Outstanding is one quarter's late and missing partners (names).
type Outstanding struct {
	Quarter string   `json:"quarter"`
	Late    []string `json:"late,omitempty"`
	Missing []string `json:"missing,omitempty"`
}

// NumberedTitle is "0075 Title", or the title alone without a number.
func (e Entry) NumberedTitle() string {
	if e.Number == "" {
		return e.Title
	}
	return e.Number + " " + e.Title
}

// New returns cfg's entry at now. st is the protocol's status, or nil
// when its state could not be read.
func New(cfg *config.Config, st *ingest.Status, now time.Time) Entry {
	p := cfg.Protocol
	e := Entry{
		ID: p.ID, Number: p.Number, Title: p.Title, Theme: p.Theme, Purpose: p.Purpose,
		Lead: p.Lead.Name, Review: ingest.ReviewState(cfg, now),
	}
	if !p.ReviewDate.IsZero() {
		e.ReviewDate = p.ReviewDate.Format(time.DateOnly)
	}
	e.Paused = e.Review == ReviewOverdue && p.OnReviewOverdue == config.ReviewPause
	for _, pt := range cfg.Partners {
		e.Others = append(e.Others, pt.Name)
	}
	if st != nil {
		e.Live = live(st)
	}
	return e
}

func live(st *ingest.Status) *Live {
	l := &Live{LastCycle: st.LastRun, OpenIncidents: len(st.Incidents), Outstanding: []Outstanding{}}
	for _, in := range st.Incidents {
		if in.Overdue {
			l.IncidentsOverdue++
		}
	}
	names := map[string]string{}
	for _, p := range st.Partners {
		names[p.ID] = p.Name
	}
	for _, row := range st.Matrix {
		o := Outstanding{Quarter: row.Quarter}
		for _, c := range row.Cells {
			switch c.State {
			case ingest.StateLate:
				o.Late = append(o.Late, cmp.Or(names[c.Partner], c.Partner))
			case ingest.StateMissing:
				o.Missing = append(o.Missing, cmp.Or(names[c.Partner], c.Partner))
			}
		}
		if len(o.Late)+len(o.Missing) > 0 {
			l.Outstanding = append(l.Outstanding, o)
		}
	}
	return l
}

// Theme is one theme's entries, ordered by number then title.
type Theme struct {
	Name    string
	Entries []Entry
}

// NoTheme names the group of protocols that set no theme.
const NoTheme = "Other protocols"

// ByTheme groups entries by theme, themes in name order with NoTheme
// last.
func ByTheme(entries []Entry) []Theme {
	groups := map[string][]Entry{}
	for _, e := range entries {
		t := e.Theme
		if t == "" {
			t = NoTheme
		}
		groups[t] = append(groups[t], e)
	}
	var themes []Theme
	for name, es := range groups {
		slices.SortStableFunc(es, func(a, b Entry) int {
			return cmp.Or(cmp.Compare(a.Number, b.Number), cmp.Compare(a.Title, b.Title))
		})
		themes = append(themes, Theme{name, es})
	}
	slices.SortFunc(themes, func(a, b Theme) int {
		switch {
		case a.Name == NoTheme:
			return 1
		case b.Name == NoTheme:
			return -1
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return themes
}
