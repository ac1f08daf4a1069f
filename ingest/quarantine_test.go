package ingest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"landingd/ingest/alert"
	"landingd/ingest/audit"
	"landingd/ingest/state"
	"landingd/storage"
	"landingd/transform"
	"landingd/transform/synth"
)

// dieJudging leaves the state as a process leaves it when it dies while
// judging partner's file name: its run unfinished and the file's judging
// mark held.
func (l *dutyLab) dieJudging(t *testing.T, r *Runner, runID, partner, name string) {
	t.Helper()
	ctx := context.Background()
	p, _ := l.cfg.Partner(partner)
	z, err := r.openZone(ctx, p)
	must(t, err)
	defer z.Close()
	var obj storage.Object
	must(t, z.List(ctx, storage.Top, func(o storage.Object) error {
		if o.Name == name {
			obj = o
		}
		return nil
	}))
	if obj.Name == "" {
		t.Fatalf("no %s in %s's zone", name, partner)
	}
	must(t, r.DB.BeginRun(ctx, runID, l.clock(), "run"))
	must(t, r.DB.BeginJudging(ctx, runID, versionOf(partner, obj)))
}

// alertSink is a webhook that keeps what it receives.
type alertSink struct {
	mu  sync.Mutex
	got []alert.Event
	srv *httptest.Server
}

func newAlertSink(t *testing.T, r *Runner) *alertSink {
	s := &alertSink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		var ev alert.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Errorf("alert body: %v", err)
		}
		s.mu.Lock()
		s.got = append(s.got, ev)
		s.mu.Unlock()
	}))
	t.Cleanup(s.srv.Close)
	r.Config.Alerts.WebhookURLEnv = "TEST_WEBHOOK"
	r.Getenv = func(k string) string {
		if k == "TEST_WEBHOOK" {
			return s.srv.URL
		}
		return ""
	}
	return s
}

func (s *alertSink) kinds() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ev := range s.got {
		out = append(out, ev.Kind+" "+ev.Partner+" "+ev.Object)
	}
	slices.Sort(out)
	return out
}

// A process that died judging a file leaves a crash the next cycle
// records (the run failed, naming the partner and the file), and the
// file is judged alone after every other partner's quarter is published.
func TestDeadCycleIsRecordedAndTheSuspectJudgedAlone(t *testing.T) {
	ctx := context.Background()
	l := newDutyLab(t, "basildon", "braintree")
	l.set(utc("2026-01-08 06:00"))
	l.drop(t, "basildon", "suspect.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, DAShare: 1})
	l.drop(t, "braintree", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, DAShare: 1})
	r := l.open(t)
	sink := newAlertSink(t, r)
	l.dieJudging(t, r, "dead-1", "basildon", "suspect.csv")
	// A spool the dead process left behind.
	must(t, os.WriteFile(filepath.Join(l.cfg.State, "landingd-xlsx-123"), []byte("raw district data"), 0o600))

	sum := cycle(t, r)
	if sum.Failed() {
		t.Fatalf("cycle failed: %+v", sum)
	}
	runs, err := r.DB.RecentRuns(ctx, 10)
	must(t, err)
	var dead state.Run
	for _, run := range runs {
		if run.ID == "dead-1" {
			dead = run
		}
	}
	if dead.Outcome != state.RunFailed || !strings.Contains(dead.Error, "basildon: suspect.csv") {
		t.Errorf("dead run = %q %q, want failed naming basildon: suspect.csv", dead.Outcome, dead.Error)
	}
	if _, err := os.Stat(filepath.Join(l.cfg.State, "landingd-xlsx-123")); !os.IsNotExist(err) {
		t.Errorf("the dead cycle's spool is still there: %v", err)
	}
	for _, pid := range []string{"basildon", "braintree"} {
		if got := l.zoneFiles(t, pid, "processed"); len(got) != 1 {
			t.Errorf("%s processed/ = %v, want its file accepted", pid, got)
		}
	}
	// The suspect was judged after the other partner's quarter was
	// published: its verdict comes after the first output write.
	var order []string
	must(t, audit.Show(ctx, l.cfg.State, time.Time{}, func(e audit.Entry) error {
		switch {
		case e.RunID != sum.RunID:
		case e.Event == audit.EventOutputWrite:
			order = append(order, "publish")
		case e.Event == audit.EventFileVerdict:
			order = append(order, e.Partner)
		}
		return nil
	}))
	if !slices.Equal(order, []string{"braintree", "publish", "basildon", "publish"}) {
		t.Errorf("order = %v, want braintree judged and published before the suspect", order)
	}
	sus, err := r.DB.Suspects(ctx, "basildon")
	must(t, err)
	if len(sus) != 0 {
		t.Errorf("suspects after a clean solo judging = %+v, want none", sus)
	}
	r.WaitAlerts(ctx)
	if got := sink.kinds(); !slices.Equal(got, []string{"cycle_failed basildon suspect.csv"}) {
		t.Errorf("alerts = %v", got)
	}
}

// After two deaths on the same version, the file is not judged again: it
// goes to rejected/ with a report saying it could not be read safely,
// and the operator gets an alert naming the partner and the file. The
// other partner's file is taken as usual.
func TestFileThatKilledTwoCyclesIsQuarantined(t *testing.T) {
	ctx := context.Background()
	l := newDutyLab(t, "basildon", "braintree")
	l.set(utc("2026-01-08 06:00"))
	l.drop(t, "basildon", "bomb.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, DAShare: 1})
	l.drop(t, "braintree", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, DAShare: 1})
	r := l.open(t)
	sink := newAlertSink(t, r)
	l.dieJudging(t, r, "dead-1", "basildon", "bomb.csv")
	_, err := r.RecoverCrash(ctx, "exit status 2: fatal error: out of memory")
	must(t, err)
	l.dieJudging(t, r, "dead-2", "basildon", "bomb.csv")

	sum := cycle(t, r)
	if got := l.zoneFiles(t, "basildon", "rejected"); !slices.Equal(got, []string{"bomb.csv", "bomb.csv.report.txt"}) {
		t.Fatalf("basildon rejected/ = %v", got)
	}
	report, err := os.ReadFile(filepath.Join(l.cfg.Partners[0].Landing.Local.Path, "rejected", "bomb.csv.report.txt"))
	must(t, err)
	if !strings.Contains(string(report), "could not be read safely") || !strings.Contains(string(report), RuleUnsafeFile) {
		t.Errorf("report:\n%s", report)
	}
	if got := l.zoneFiles(t, "braintree", "processed"); len(got) != 1 {
		t.Errorf("braintree processed/ = %v", got)
	}
	var verdicts []string
	for _, p := range sum.Partners {
		for _, f := range p.Files {
			verdicts = append(verdicts, p.Partner+" "+f.Object+" "+string(f.Verdict))
		}
	}
	slices.Sort(verdicts)
	if !slices.Equal(verdicts, []string{"basildon bomb.csv rejected", "braintree q4.csv accepted"}) {
		t.Errorf("verdicts = %v", verdicts)
	}
	// The two partners are taken concurrently: find the bomb's entry
	// rather than trusting the ledger's order.
	obj, err := r.DB.GetObject(ctx, 1)
	must(t, err)
	if obj.Partner != "basildon" {
		obj, err = r.DB.GetObject(ctx, 2)
		must(t, err)
	}
	if obj.Partner != "basildon" || obj.Verdict != transform.Rejected || obj.RuleCounts[RuleUnsafeFile] != 1 || len(obj.SHA256) != 64 {
		t.Errorf("ledger = %+v", obj)
	}
	sus, err := r.DB.Suspects(ctx, "basildon")
	must(t, err)
	if len(sus) != 0 {
		t.Errorf("suspects after quarantine = %+v", sus)
	}
	r.WaitAlerts(ctx)
	if got := sink.kinds(); !slices.Equal(got, []string{"cycle_failed basildon bomb.csv", "cycle_failed basildon bomb.csv", "file_quarantined basildon bomb.csv"}) {
		t.Errorf("alerts = %v", got)
	}
}

// A new version of a quarantined name is judged afresh: the deaths
// belong to the version.
func TestSuspectReplacedByANewVersionIsJudgedAsUsual(t *testing.T) {
	ctx := context.Background()
	l := newDutyLab(t, "basildon")
	l.set(utc("2026-01-08 06:00"))
	l.drop(t, "basildon", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, DAShare: 1})
	r := l.open(t)
	l.dieJudging(t, r, "dead-1", "basildon", "q4.csv")
	_, err := r.RecoverCrash(ctx, "")
	must(t, err)
	l.dieJudging(t, r, "dead-2", "basildon", "q4.csv")
	l.drop(t, "basildon", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 12, DAShare: 1})

	sum := cycle(t, r)
	if f := sum.Partners[0].Files; len(f) != 1 || f[0].Verdict != transform.Accepted || f[0].Rows.Read != 12 {
		t.Errorf("files = %+v, want the new version accepted", f)
	}
	sus, err := r.DB.Suspects(ctx, "basildon")
	must(t, err)
	if len(sus) != 0 {
		t.Errorf("suspects = %+v, want the old version's marks gone", sus)
	}
}

// A panic in the judge is recovered: the file is quarantined at once and
// the cycle goes on.
func TestPanicInTheJudgeQuarantinesTheFile(t *testing.T) {
	l := newDutyLab(t, "basildon", "braintree")
	l.set(utc("2026-01-08 06:00"))
	l.drop(t, "basildon", "panics.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, DAShare: 1})
	l.drop(t, "braintree", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, DAShare: 1})
	r := l.open(t)
	r.beforeJudge = func(name string) {
		if name == "panics.csv" {
			panic("reader bug quoting a cell: SYN-000123")
		}
	}
	sum := cycle(t, r)
	if sum.Failed() {
		t.Fatalf("cycle failed: %+v", sum)
	}
	if got := l.zoneFiles(t, "basildon", "rejected"); !slices.Equal(got, []string{"panics.csv", "panics.csv.report.txt"}) {
		t.Errorf("basildon rejected/ = %v", got)
	}
	if got := l.zoneFiles(t, "braintree", "processed"); len(got) != 1 {
		t.Errorf("braintree processed/ = %v", got)
	}
	if strings.Contains(l.logs.String(), "SYN-000123") {
		t.Errorf("the panic's text reached the log")
	}
}

func TestWatchdog(t *testing.T) {
	t.Parallel()
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	tests := []struct {
		name    string
		time    time.Duration
		mem     uint64
		judging bool
		want    string
	}{
		{name: "idle", time: time.Nanosecond, mem: 1, want: ""},
		{name: "within limits", time: time.Hour, mem: 1 << 40, judging: true, want: ""},
		{name: "too long", time: time.Nanosecond, mem: 1 << 40, judging: true,
			want: "judging basildon: slow.xlsx took longer than 1ns: stopping the process so that the file is quarantined"},
		{name: "too much memory", time: time.Hour, mem: 1 << 20, judging: true,
			want: "judging basildon: slow.xlsx used more than 1 MiB: stopping the process so that the file is quarantined"},
	}
	for _, tt := range tests {
		w := &watchdog{timeLimit: tt.time, memLimit: tt.mem, judging: map[string]time.Time{}}
		if tt.judging {
			w.judging["basildon: slow.xlsx"] = time.Now().Add(-time.Millisecond)
		}
		if got := w.check(sample); got != tt.want {
			t.Errorf("%s: check = %q, want %q", tt.name, got, tt.want)
		}
	}
}
