package schedule

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"landingd/config"
	"landingd/ingest/state"
	"landingd/internal/testclock"
)

var at = testclock.At

func defaultSchedule(t *testing.T) *Schedule {
	t.Helper()
	s, err := Parse(config.Schedule{Cron: "0 6 7 1,4,7,10 *", Timezone: "Europe/London",
		RetryEvery: config.Duration{Duration: 24 * time.Hour}, Deadline: config.Duration{Duration: 42 * 24 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	return s
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
			NextCycle{At: at("2026-01-07 06:00"), Trigger: state.TriggerSchedule}},
		{"never ran", at("2026-01-03 10:00"), "", late, "2025Q4",
			NextCycle{At: at("2026-01-07 06:00"), Trigger: state.TriggerSchedule}},
		{"a day after the first cycle", at("2026-01-07 06:05"), "2026-01-07 06:00", late, "2025Q4",
			NextCycle{At: at("2026-01-08 06:00"), Trigger: state.TriggerRetry, Partners: late, Quarter: "2025Q4"}},
		{"nobody late", at("2026-01-07 06:05"), "2026-01-07 06:00", nil, "2025Q4",
			NextCycle{At: at("2026-04-07 06:00"), Trigger: state.TriggerSchedule}},
		{"overdue retry after downtime", at("2026-01-20 12:00"), "2026-01-08 06:00", late, "2025Q4",
			NextCycle{At: at("2026-01-20 12:00"), Trigger: state.TriggerRetry, Partners: late, Quarter: "2025Q4"}},
		{"last retry at the due time", at("2026-02-11 06:05"), "2026-02-11 06:00", late, "2025Q4",
			NextCycle{At: at("2026-02-12 00:00"), Trigger: state.TriggerRetry, Partners: late, Quarter: "2025Q4"}},
		{"past due", at("2026-02-12 00:01"), "2026-02-12 00:00", late, "2025Q4",
			NextCycle{At: at("2026-04-07 06:00"), Trigger: state.TriggerSchedule}},
		{"a manual run after the quarter counts as its first cycle", at("2026-01-02 09:05"), "2026-01-02 09:00", late, "2025Q4",
			NextCycle{At: at("2026-01-03 09:00"), Trigger: state.TriggerRetry, Partners: late, Quarter: "2025Q4"}},
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

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, s := range []config.Schedule{{Cron: "not cron", Timezone: "UTC"}, {Cron: "* * * * *", Timezone: "Mars/Olympus"}} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%+v) succeeded", s)
		}
	}
	s, err := Parse(config.Schedule{Cron: "*/2 * * * * *", Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Next(time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)); !got.Equal(time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC)) {
		t.Errorf("a per-second schedule's Next = %v", got)
	}
	if !strings.Contains(err2s(Parse(config.Schedule{Cron: "x", Timezone: "UTC"})), "parse schedule") {
		t.Error("error does not name the schedule")
	}
}

func err2s(_ *Schedule, err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
