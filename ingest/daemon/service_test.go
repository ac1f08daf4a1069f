package daemon

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"landingd/ingest"
	"landingd/ingest/alert"
	"landingd/ingest/state"
)

func TestServeRunsScheduledCycles(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{"basildon", "braintree"})
	f.cfg.Schedule.Cron = "* * * * * *" // every second, for the test only
	f.drop(t, "basildon", "2025Q4", 20)
	s := f.open(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var triggers []state.Trigger
	s.AfterCycle = func(trigger state.Trigger, sum *ingest.Summary, err error) {
		if err != nil {
			t.Errorf("cycle: %v", err)
		}
		mu.Lock()
		triggers = append(triggers, trigger)
		if len(triggers) >= 3 {
			cancel()
		}
		mu.Unlock()
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("three cycles did not run within a minute; ran %v\n%s", triggers, f.logs.String())
	}
	// A new state has never completed a cycle: the first is a catch-up.
	want := []state.Trigger{state.TriggerCatchUp, state.TriggerSchedule, state.TriggerSchedule}
	if !reflect.DeepEqual(triggers, want) {
		t.Errorf("triggers = %v, want %v", triggers, want)
	}
	runs, err := s.Runner.DB.RecentRuns(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || runs[0].Trigger != state.TriggerSchedule || runs[2].Trigger != state.TriggerCatchUp {
		t.Errorf("ledger runs = %+v", runs)
	}
	for _, r := range runs {
		if r.Outcome != "ok" {
			t.Errorf("run %s outcome %q: %s", r.ID, r.Outcome, r.Error)
		}
	}
	if _, err := os.Stat(filepath.Join(f.cfg.Partners[0].Landing.Local.Path, "processed", "basildon_2025Q4.csv")); err != nil {
		t.Errorf("the file was not taken: %v", err)
	}
}

func TestNeedsCatchUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{"basildon"})
	s := f.open(t, nil)
	tests := []struct {
		name      string
		lastStart string // "" for never completed
		now       string
		want      bool
	}{
		{"never completed", "", "2026-01-03 10:00", true},
		{"last cycle on schedule, next not yet due", "2025-10-07 06:00", "2026-01-07 05:59", false},
		{"down over the scheduled time", "2025-10-07 06:00", "2026-01-07 06:00", true},
		{"down for a year", "2024-10-07 06:00", "2026-01-03 10:00", true},
		{"a manual run after the scheduled time", "2026-01-08 09:00", "2026-02-01 10:00", false},
		{"a catch-up a minute late", "2026-01-07 06:01", "2026-03-01 10:00", false},
	}
	for _, tt := range tests {
		var last time.Time
		if tt.lastStart != "" {
			last = at(tt.lastStart)
		}
		if got := NeedsCatchUp(s.Schedule, last, tt.lastStart != "", at(tt.now)); got != tt.want {
			t.Errorf("%s: NeedsCatchUp = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestCatchUpAfterDowntime starts the service with an injected clock over
// a ledger left by earlier cycles, and checks which cycle runs at start.
func TestCatchUpAfterDowntime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		earlier []struct {
			at      string
			trigger state.Trigger
		}
		start  string
		want   []state.Trigger // triggers run before the first wait
		wantAt string          // the first planned wait
	}{
		{"fresh state", nil, "2026-01-03 10:00", []state.Trigger{state.TriggerCatchUp}, "2026-01-07 06:00"},
		{"no downtime", []struct {
			at      string
			trigger state.Trigger
		}{{"2025-10-07 06:00", state.TriggerSchedule}}, "2026-01-03 10:00",
			nil, "2026-01-07 06:00"},
		{"down on 7 January", []struct {
			at      string
			trigger state.Trigger
		}{{"2025-10-07 06:00", state.TriggerSchedule}}, "2026-01-09 10:00",
			[]state.Trigger{state.TriggerCatchUp}, "2026-04-07 06:00"},
		{"a manual run covered the missed time", []struct {
			at      string
			trigger state.Trigger
		}{{"2025-10-07 06:00", state.TriggerSchedule}, {"2026-01-08 09:00", state.TriggerRun}},
			"2026-01-09 10:00", nil, "2026-04-07 06:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, []string{"basildon"})
			clock := &fakeClock{now: at(tt.start)}
			s := f.open(t, clock)
			for i, e := range tt.earlier {
				if i == len(tt.earlier)-1 && e.trigger == state.TriggerRun {
					// basildon sent its quarter before the manual run.
					f.drop(t, "basildon", "2025Q4", 10)
				}
				cycleAt(t, s, at(e.at), e.trigger)
			}
			if _, err := os.Stat(filepath.Join(f.cfg.Partners[0].Landing.Local.Path, "processed")); err != nil {
				// basildon sends its quarter now, so a catch-up takes it and
				// no retry is planned.
				f.drop(t, "basildon", "2025Q4", 10)
			}
			var ran []state.Trigger
			var firstWait time.Time
			s.AfterCycle = func(trigger state.Trigger, _ *ingest.Summary, err error) {
				if err != nil {
					t.Error(err)
				}
				ran = append(ran, trigger)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			clock.cancel = cancel
			clock.onWait = func(until time.Time) bool { firstWait = until; return false }
			s.Wait = clock.Wait
			if err := s.Run(ctx); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ran, tt.want) {
				t.Errorf("cycles at start = %v, want %v", ran, tt.want)
			}
			if !firstWait.Equal(at(tt.wantAt)) {
				t.Errorf("first wait until %v, want %v", firstWait.In(london), tt.wantAt)
			}
			if tt.want != nil {
				last, ok, err := s.Runner.DB.LastRun(context.Background())
				if err != nil || !ok || last.Trigger != state.TriggerCatchUp || !last.Started.Equal(at(tt.start)) {
					t.Errorf("ledger's last run = %+v, %v, %v", last, ok, err)
				}
			}
		})
	}
}

// webhook is a local alert receiver.
type webhook struct {
	mu     sync.Mutex
	events []alert.Event
}

func newWebhook(t *testing.T) (*webhook, *alert.Client) {
	t.Helper()
	w := &webhook{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev alert.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Errorf("alert body: %v", err)
		}
		w.mu.Lock()
		w.events = append(w.events, ev)
		w.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return w, &alert.Client{URL: srv.URL + "/hook", Backoff: time.Millisecond}
}

func (w *webhook) kinds() map[string][]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := map[string][]string{}
	for _, e := range w.events {
		m[e.Kind] = append(m[e.Kind], e.Partner)
	}
	for _, v := range m {
		sort.Strings(v)
	}
	return m
}

// TestLateAndMissingAcrossDeadline runs a quarter from its first cycle to
// past its due date with an injected clock: late partners are polled
// daily and reported late, one delivers, the other is missing at the
// deadline, and a withdrawn partner is left alone.
func TestLateAndMissingAcrossDeadline(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{"basildon", "braintree", "brentwood", "chelmsford"})
	f.cfg.Partners[3].Withdrawn = dateOf(t, "2025-12-01") // chelmsford left before 2025Q4 ended
	hook, client := newWebhook(t)
	clock := &fakeClock{now: at("2026-01-06 12:00")}
	s := f.open(t, clock)
	s.Alert = client
	s.Alert.Now = clock.Now
	cycleAt(t, s, at("2025-10-07 06:00"), "schedule") // the previous quarter's cycle
	f.drop(t, "basildon", "2025Q4", 10)

	type cyc struct {
		at       time.Time
		trigger  state.Trigger
		partners []string
	}
	var cycles []cyc
	s.AfterCycle = func(trigger state.Trigger, sum *ingest.Summary, err error) {
		if err != nil {
			t.Error(err)
			return
		}
		var ps []string
		for _, p := range sum.Partners {
			ps = append(ps, p.Partner)
		}
		cycles = append(cycles, cyc{sum.Started, trigger, ps})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock.cancel = cancel
	var midStatus, lateStatus *ingest.Status
	clock.onWait = func(until time.Time) bool {
		switch {
		case until.Equal(at("2026-01-10 06:00")):
			// braintree delivers on the third day of retries.
			f.drop(t, "braintree", "2025Q4", 10)
		case until.Equal(at("2026-01-20 06:00")):
			midStatus = statusAt(t, s, at("2026-01-20 05:00"))
		case until.After(at("2026-03-01 00:00")):
			lateStatus = statusAt(t, s, clock.Now())
			return false
		}
		return true
	}
	s.Wait = clock.Wait
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}

	if len(cycles) < 3 {
		t.Fatalf("cycles = %+v", cycles)
	}
	if c := cycles[0]; c.trigger != state.TriggerSchedule || !c.at.Equal(at("2026-01-07 06:00")) || len(c.partners) != 4 {
		t.Errorf("first cycle = %+v, want the scheduled one of every partner", c)
	}
	// Retries daily from 8 January: braintree and brentwood until
	// braintree's file is taken on the 10th, then brentwood alone, the
	// last retry at the due time, 12 February 00:00.
	retries := cycles[1:]
	if len(retries) != 36 {
		t.Errorf("retries = %d, want 36 (8 Jan to 11 Feb, and the due time)", len(retries))
	}
	for i, c := range retries {
		want := []string{"braintree", "brentwood"}
		if c.at.After(at("2026-01-10 06:00")) {
			want = []string{"brentwood"}
		}
		if c.trigger != state.TriggerRetry || !reflect.DeepEqual(c.partners, want) {
			t.Errorf("retry %d at %v = %s %v, want retry %v", i, c.at.In(london), c.trigger, c.partners, want)
		}
	}
	if last := retries[len(retries)-1]; !last.at.Equal(at("2026-02-12 00:00")) {
		t.Errorf("last retry at %v, want the due time", last.at.In(london))
	}

	got := hook.kinds()
	want := map[string][]string{
		alert.KindPartnerLate:    {"braintree", "brentwood"},
		alert.KindPartnerMissing: {"brentwood"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("alerts = %v, want %v", got, want)
	}

	states := func(st *ingest.Status) map[string]string {
		m := map[string]string{}
		for _, row := range st.Matrix {
			if row.Quarter == "2025Q4" {
				for _, c := range row.Cells {
					m[c.Partner] = c.State
				}
			}
		}
		return m
	}
	if midStatus == nil || lateStatus == nil {
		t.Fatal("status not taken")
	}
	if got, want := states(midStatus), map[string]string{"basildon": "accepted", "braintree": "accepted", "brentwood": "late", "chelmsford": "withdrawn"}; !reflect.DeepEqual(got, want) {
		t.Errorf("2025Q4 on 20 January = %v, want %v", got, want)
	}
	if got, want := states(lateStatus), map[string]string{"basildon": "accepted", "braintree": "accepted", "brentwood": "missing", "chelmsford": "withdrawn"}; !reflect.DeepEqual(got, want) {
		t.Errorf("2025Q4 in March = %v, want %v", got, want)
	}

	// A restart does not repeat the once-only alerts.
	s2 := &Service{Runner: s.Runner, Config: s.Config, Logger: s.Logger, Schedule: s.Schedule, Registry: s.Registry,
		metrics: s.metrics, sent: newSentLog(f.cfg.State), Alert: client, Now: clock.Now}
	clock.Set(at("2026-02-13 09:00"))
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	clock.cancel = cancel2
	clock.onWait = func(time.Time) bool { return false }
	s2.Wait = clock.Wait
	if err := s2.Run(ctx2); err != nil {
		t.Fatal(err)
	}
	if got := hook.kinds(); !reflect.DeepEqual(got, want) {
		t.Errorf("after a restart alerts = %v, want still %v", got, want)
	}
}

func statusAt(t *testing.T, s *Service, now time.Time) *ingest.Status {
	t.Helper()
	st, err := ingest.BuildStatus(context.Background(), s.Config, s.Runner.DB, now)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
