package register

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"landingd/config"
	"landingd/ingest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func protocol(id, number, theme string, review time.Time, action config.ReviewAction) *config.Config {
	return &config.Config{
		Protocol: config.Protocol{ID: id, Number: number, Title: "Title " + id, Theme: theme, Purpose: "Purpose of " + id,
			Lead: config.Org{Name: "Essex County Council"}, ReviewDate: config.Date{Time: review}, OnReviewOverdue: action},
		Partners: []config.Partner{{ID: "a", Name: "Basildon Borough Council"}, {ID: "b", Name: "Harlow Council"}},
	}
}

var now = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func TestNewReview(t *testing.T) {
	tests := []struct {
		name       string
		review     time.Time
		action     config.ReviewAction
		wantReview string
		wantPaused bool
	}{
		{"far off", now.AddDate(1, 0, 0), config.ReviewWarn, ReviewOK, false},
		{"within 90 days", now.AddDate(0, 0, 89), config.ReviewWarn, ReviewDue, false},
		{"today is still in date", time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC), config.ReviewPause, ReviewDue, false},
		{"passed, warn", now.AddDate(0, 0, -1), config.ReviewWarn, ReviewOverdue, false},
		{"passed, pause", now.AddDate(-2, 0, 0), config.ReviewPause, ReviewOverdue, true},
	}
	for _, tt := range tests {
		e := New(protocol("p", "0001", "Safer Community", tt.review, tt.action), nil, now)
		if e.Review != tt.wantReview || e.Paused != tt.wantPaused {
			t.Errorf("%s: review %s paused %v, want %s %v", tt.name, e.Review, e.Paused, tt.wantReview, tt.wantPaused)
		}
		if e.Live != nil {
			t.Errorf("%s: Live set without a status", tt.name)
		}
		if got := strings.Join(e.Others, "|"); got != "Basildon Borough Council|Harlow Council" {
			t.Errorf("%s: others = %q", tt.name, got)
		}
	}
}

func status() *ingest.Status {
	return &ingest.Status{
		Partners: []ingest.StatusPartner{{ID: "a", Name: "Basildon Borough Council"}, {ID: "b", Name: "Harlow Council"}},
		Matrix: []ingest.StatusQuarter{
			{Quarter: "2026Q3", Cells: []ingest.StatusCell{{Partner: "a", State: ingest.StateLate}, {Partner: "b", State: ingest.StateAccepted}}},
			{Quarter: "2026Q2", Cells: []ingest.StatusCell{{Partner: "a", State: ingest.StateAccepted}, {Partner: "b", State: ingest.StateAccepted}}},
			{Quarter: "2026Q1", Cells: []ingest.StatusCell{{Partner: "a", State: ingest.StateMissing}, {Partner: "b", State: ingest.StateMissing}}},
		},
		LastRun:   &ingest.StatusRun{ID: "r1", Started: now.Add(-time.Hour), Outcome: "ok"},
		Incidents: []ingest.IncidentStatus{{ID: "i1", Overdue: true}, {ID: "i2"}},
	}
}

func TestNewLive(t *testing.T) {
	e := New(protocol("p", "", "", now.AddDate(1, 0, 0), config.ReviewWarn), status(), now)
	if e.Live == nil {
		t.Fatal("no Live")
	}
	if got, want := OutstandingText(e.Live.Outstanding), "2026Q3: late Basildon Borough Council; 2026Q1: missing Basildon Borough Council, Harlow Council"; got != want {
		t.Errorf("outstanding = %q, want %q", got, want)
	}
	if e.Live.OpenIncidents != 2 || e.Live.IncidentsOverdue != 1 {
		t.Errorf("incidents = %d (%d overdue), want 2 (1)", e.Live.OpenIncidents, e.Live.IncidentsOverdue)
	}
}

func TestByTheme(t *testing.T) {
	var es []Entry
	for _, p := range []struct{ number, theme string }{{"0075", "Safer Community"}, {"0012", ""}, {"0003", "Safer Community"}, {"0040", "Health and Wellbeing"}} {
		es = append(es, New(protocol("p"+p.number, p.number, p.theme, now, config.ReviewWarn), nil, now))
	}
	var got []string
	for _, th := range ByTheme(es) {
		for _, e := range th.Entries {
			got = append(got, th.Name+"/"+e.Number)
		}
	}
	want := "Health and Wellbeing/0040 Safer Community/0003 Safer Community/0075 " + NoTheme + "/0012"
	if strings.Join(got, " ") != want {
		t.Errorf("ByTheme = %q, want %q", strings.Join(got, " "), want)
	}
}

func entries() []Entry {
	return []Entry{
		New(protocol("da", "0075", "Safer Community", now.AddDate(0, 0, 30), config.ReviewWarn), status(), now),
		New(protocol("hw", "0101", "Health and Wellbeing", now.AddDate(-1, 0, 0), config.ReviewPause), nil, now),
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, entries()); err != nil {
		t.Fatal(err)
	}
	out := bytes.Clone(b.Bytes())
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d lines, want a header and one per protocol", len(recs))
	}
	golden(t, "register.csv", out)
	row := recs[1]
	for i, want := range map[int]string{0: "0075", 5: "Basildon Borough Council; Harlow Council", 7: ReviewDue, 9: "ok", 11: "2"} {
		if row[i] != want {
			t.Errorf("%s = %q, want %q", CSVHeader[i], row[i], want)
		}
	}
	if recs[2][7] != ReviewOverdue || recs[2][11] != "" {
		t.Errorf("second line = %q, want overdue and no live columns", recs[2])
	}
}

func TestWriteHTML(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, "Forum", entries(), now, func(id string) string { return "/p/" + id + "/" }); err != nil {
		t.Fatal(err)
	}
	golden(t, "register.html", b.Bytes())
	for _, want := range []string{`<a href="/p/da/">0075 Title da</a>`, `data-review="overdue"`, "Cycles paused", "Not run here", "<h2 id=\"theme-safer-community\">Safer Community</h2>"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update and review the diff):\n%s", name, got)
	}
}

func TestOutstandingBrief(t *testing.T) {
	t.Parallel()
	q := func(id string) Outstanding { return Outstanding{Quarter: id, Missing: []string{"Harlow Council"}} }
	tests := []struct {
		name string
		in   []Outstanding
		want string
	}{
		{"none", nil, ""},
		{"all named", []Outstanding{q("2026Q3"), q("2026Q2")}, "2026Q3: missing Harlow Council; 2026Q2: missing Harlow Council"},
		{"one more is named", []Outstanding{q("2026Q3"), q("2026Q2"), q("2026Q1")},
			"2026Q3: missing Harlow Council; 2026Q2: missing Harlow Council; 2026Q1: missing Harlow Council"},
		{"the rest counted", []Outstanding{q("2026Q3"), q("2026Q2"), q("2026Q1"), q("2025Q4"), q("2021Q2")},
			"2026Q3: missing Harlow Council; 2026Q2: missing Harlow Council; and 3 earlier quarters, the oldest 2021Q2"},
	}
	for _, tt := range tests {
		if got := OutstandingBrief(tt.in, 2); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
