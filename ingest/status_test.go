package ingest

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"landingd/config"
	"landingd/ingest/state"
)

var london = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, london)
	if err != nil {
		panic(err)
	}
	return t
}

func defaultSchedule(t *testing.T) *Schedule {
	t.Helper()
	s, err := ParseSchedule(config.Schedule{Cron: "0 6 7 1,4,7,10 *", Timezone: "Europe/London",
		RetryEvery: config.Duration{Duration: 24 * time.Hour}, Deadline: config.Duration{Duration: 42 * 24 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCellState(t *testing.T) {
	t.Parallel()
	due := at("2026-02-12 00:00")
	tests := []struct {
		name     string
		sub      state.Submission
		expected bool
		current  bool
		now      time.Time
		want     string
	}{
		{"accepted", state.Submission{AcceptedFiles: 1, Cases: 3}, true, true, at("2026-01-08 00:00"), StateAccepted},
		{"accepted after a rejection", state.Submission{AcceptedFiles: 1, RejectedFiles: 2}, true, true, at("2026-01-08 00:00"), StateAccepted},
		{"accepted though withdrawn", state.Submission{AcceptedFiles: 1}, false, true, at("2026-01-08 00:00"), StateAccepted},
		{"rejected only, before due", state.Submission{RejectedFiles: 1}, true, true, at("2026-01-08 00:00"), StateRejected},
		{"rejected only, past due", state.Submission{RejectedFiles: 1}, true, true, at("2026-03-01 00:00"), StateRejected},
		{"nothing, before due", state.Submission{}, true, true, at("2026-01-08 00:00"), StateLate},
		{"nothing, a minute before due", state.Submission{}, true, true, due.Add(-time.Minute), StateLate},
		{"nothing, at due", state.Submission{}, true, true, due, StateMissing},
		{"nothing, older quarter", state.Submission{}, true, false, at("2026-01-08 00:00"), StateMissing},
		{"nothing, withdrawn", state.Submission{}, false, true, at("2026-01-08 00:00"), StateWithdrawn},
	}
	for _, tt := range tests {
		if got := CellState(tt.sub, tt.expected, tt.current, tt.now, due); got != tt.want {
			t.Errorf("%s: CellState = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestExpectedAndOutstanding(t *testing.T) {
	t.Parallel()
	date := func(s string) *config.Date {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return &config.Date{Time: d}
	}
	cfg := &config.Config{Partners: []config.Partner{
		{ID: "a"}, {ID: "b"}, {ID: "c", Withdrawn: date("2026-03-31")}, {ID: "d", Withdrawn: date("2026-04-01")}, {ID: "e"},
	}}
	subs := []state.Submission{
		{Partner: "a", Quarter: "2026Q1", AcceptedFiles: 1},
		{Partner: "b", Quarter: "2026Q1", RejectedFiles: 1},
		{Partner: "e", Quarter: "2025Q4", AcceptedFiles: 1},
	}
	tests := []struct {
		q    string
		now  time.Time
		want []string
	}{
		// c withdrew on the quarter's last day, so owes nothing for it;
		// d withdrew the day after, so owes 2026Q1 but is withdrawn by now.
		{"2026Q1", at("2026-04-07 06:00"), []string{"b", "e"}},
		{"2026Q1", at("2026-03-15 06:00"), []string{"b", "d", "e"}},
		{"2025Q4", at("2026-01-07 06:00"), []string{"a", "b", "c", "d"}},
	}
	for _, tt := range tests {
		if got := Outstanding(cfg, subs, tt.q, tt.now); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Outstanding(%s, %s) = %v, want %v", tt.q, tt.now, got, tt.want)
		}
	}
	if Expected(&cfg.Partners[2], "2026Q1") || !Expected(&cfg.Partners[3], "2026Q1") || Expected(&cfg.Partners[3], "2026Q2") {
		t.Error("Expected gets the withdrawal boundary wrong")
	}
}

func TestScheduleDue(t *testing.T) {
	t.Parallel()
	s := defaultSchedule(t)
	for q, want := range map[string]time.Time{
		"2025Q4": at("2026-02-12 00:00"), // 1 January + 42 days, GMT
		"2026Q1": at("2026-05-13 00:00"), // 1 April + 42 days, BST
	} {
		got, err := s.Due(q)
		if err != nil || !got.Equal(want) {
			t.Errorf("Due(%s) = %v, %v; want %v", q, got, err, want)
		}
	}
	if _, err := s.Due("2026Q5"); err == nil {
		t.Error("Due accepted a bad quarter")
	}
	// 00:30 on 1 April BST is still 31 March in UTC: the calendar is London's.
	if got := s.LastCompleted(at("2026-04-01 00:30")); got != "2026Q1" {
		t.Errorf("LastCompleted = %s, want 2026Q1", got)
	}
}

func TestPlanNext(t *testing.T) {
	t.Parallel()
	s := defaultSchedule(t)
	late := []string{"b", "e"}
	tests := []struct {
		name        string
		now         time.Time
		lastStart   string // "" for no cycle yet
		outstanding []string
		q           string
		want        NextCycle
	}{
		{"before the quarter's first cycle", at("2026-01-03 10:00"), "2025-10-07 06:00", late, "2025Q4",
			NextCycle{At: at("2026-01-07 06:00"), Trigger: "schedule"}},
		{"never ran", at("2026-01-03 10:00"), "", late, "2025Q4",
			NextCycle{At: at("2026-01-07 06:00"), Trigger: "schedule"}},
		{"a day after the first cycle", at("2026-01-07 06:05"), "2026-01-07 06:00", late, "2025Q4",
			NextCycle{At: at("2026-01-08 06:00"), Trigger: "retry", Partners: late, Quarter: "2025Q4"}},
		{"nobody late", at("2026-01-07 06:05"), "2026-01-07 06:00", nil, "2025Q4",
			NextCycle{At: at("2026-04-07 06:00"), Trigger: "schedule"}},
		{"overdue retry after downtime", at("2026-01-20 12:00"), "2026-01-08 06:00", late, "2025Q4",
			NextCycle{At: at("2026-01-20 12:00"), Trigger: "retry", Partners: late, Quarter: "2025Q4"}},
		{"last retry at the due time", at("2026-02-11 06:05"), "2026-02-11 06:00", late, "2025Q4",
			NextCycle{At: at("2026-02-12 00:00"), Trigger: "retry", Partners: late, Quarter: "2025Q4"}},
		{"past due", at("2026-02-12 00:01"), "2026-02-12 00:00", late, "2025Q4",
			NextCycle{At: at("2026-04-07 06:00"), Trigger: "schedule"}},
		{"a manual run after the quarter counts as its first cycle", at("2026-01-02 09:05"), "2026-01-02 09:00", late, "2025Q4",
			NextCycle{At: at("2026-01-03 09:00"), Trigger: "retry", Partners: late, Quarter: "2025Q4"}},
	}
	for _, tt := range tests {
		var last time.Time
		if tt.lastStart != "" {
			last = at(tt.lastStart)
		}
		got, ok := s.PlanNext(tt.now, last, tt.outstanding, tt.q)
		if !ok || !got.At.Equal(tt.want.At) || got.Trigger != tt.want.Trigger || !reflect.DeepEqual(got.Partners, tt.want.Partners) || got.Quarter != tt.want.Quarter {
			t.Errorf("%s: PlanNext = %+v, %v; want %+v", tt.name, got, ok, tt.want)
		}
	}
}

func TestParseScheduleErrors(t *testing.T) {
	t.Parallel()
	for _, s := range []config.Schedule{{Cron: "not cron", Timezone: "UTC"}, {Cron: "* * * * *", Timezone: "Mars/Olympus"}} {
		if _, err := ParseSchedule(s); err == nil {
			t.Errorf("ParseSchedule(%+v) succeeded", s)
		}
	}
	s, err := ParseSchedule(config.Schedule{Cron: "*/2 * * * * *", Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Next(time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)); !got.Equal(time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC)) {
		t.Errorf("a per-second schedule's Next = %v", got)
	}
	if !strings.Contains(err2s(ParseSchedule(config.Schedule{Cron: "x", Timezone: "UTC"})), "parse schedule") {
		t.Error("error does not name the schedule")
	}
}

func err2s(_ *Schedule, err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
