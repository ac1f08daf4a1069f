package ingest

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

// TestPauseReason says why cycles are paused only when the review has
// passed and the protocol says pause, and status text prints it.
func TestPauseReason(t *testing.T) {
	t.Parallel()
	review := config.Date{Time: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name   string
		now    time.Time
		action config.ReviewAction
		want   string // in the reason; "" for none
	}{
		{"on the review date", time.Date(2026, 3, 31, 23, 59, 0, 0, time.UTC), config.ReviewPause, ""},
		{"passed, pause", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), config.ReviewPause,
			"cycles are paused: the review date, 2026-03-31, has passed and the protocol says on_review_overdue: pause, so no files are taken until"},
		{"passed, warn", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), config.ReviewWarn, ""},
	}
	for _, tt := range tests {
		cfg := &config.Config{Protocol: config.Protocol{ID: "p", Title: "P", ReviewDate: review, OnReviewOverdue: tt.action}}
		got := PauseReason(cfg, tt.now)
		if (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s: PauseReason = %q, want %q...", tt.name, got, tt.want)
		}
		st := &Status{Protocol: StatusProtocol{ID: "p", Title: "P", Review: ReviewState(cfg, tt.now), Paused: got != "", PauseReason: got}}
		var b strings.Builder
		if err := st.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "PAUSED: "+got) != (got != "") {
			t.Errorf("%s: status text:\n%s", tt.name, b.String())
		}
	}
}
