package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"landingd/config"
	"landingd/deploy"
	"landingd/ingest/alert"
	"landingd/ingest/audit"
	"landingd/ingest/state"
	"landingd/transform"
	"landingd/transform/synth"
)

// dutyLab is the default protocol in a temporary folder, with local zones
// for a few districts, real files and real SQLite, and a clock the test
// moves.
type dutyLab struct {
	dir    string
	cfg    *config.Config
	schema *transform.Schema
	logs   *lockedBuffer
	now    time.Time
	mu     sync.Mutex
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newDutyLab(t *testing.T, ids ...string) *dutyLab {
	t.Helper()
	dir := t.TempDir()
	raw, err := deploy.Protocols.ReadFile(deploy.DefaultProtocol)
	must(t, err)
	schemaRaw, err := deploy.Protocols.ReadFile(filepath.Join(filepath.Dir(deploy.DefaultProtocol), "hclic-da.schema.json"))
	must(t, err)
	text := strings.Replace(string(raw), "stable_after: 60s", "stable_after: 0s", 1)
	must(t, os.WriteFile(filepath.Join(dir, "protocol.yaml"), []byte(text), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "hclic-da.schema.json"), schemaRaw, 0o600))
	must(t, os.MkdirAll(filepath.Join(dir, "keys"), 0o700))
	must(t, transform.WriteKeyFile(filepath.Join(dir, "keys", "pseudonym.key")))
	cfg, err := config.Load(filepath.Join(dir, "protocol.yaml"))
	must(t, err)
	var ps []config.Partner
	for _, id := range ids {
		p, ok := cfg.Partner(id)
		if !ok {
			t.Fatalf("no partner %s", id)
		}
		ps = append(ps, *p)
	}
	cfg.Partners = ps
	for _, p := range cfg.Partners {
		must(t, os.MkdirAll(p.Landing.Local.Path, 0o700))
	}
	s, err := transform.LoadSchema(schemaRaw)
	must(t, err)
	return &dutyLab{dir: dir, cfg: cfg, schema: s, logs: &lockedBuffer{}}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (l *dutyLab) set(t time.Time) { l.mu.Lock(); l.now = t; l.mu.Unlock() }
func (l *dutyLab) clock() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.now
}

// open opens a Runner on the lab's clock, with the audit log on it too.
func (l *dutyLab) open(t *testing.T) *Runner {
	t.Helper()
	logger := slog.New(slog.NewJSONHandler(l.logs, nil))
	r, err := Open(context.Background(), l.cfg, logger, "test")
	must(t, err)
	t.Cleanup(func() { r.Close() })
	r.Now = l.clock
	r.Audit.Now = l.clock
	r.Backoff = time.Millisecond
	return r
}

// drop writes a synthetic file into a partner's zone.
func (l *dutyLab) drop(t *testing.T, partner, name string, spec synth.Spec) {
	t.Helper()
	p, _ := l.cfg.Partner(partner)
	if spec.District.ID == "" {
		spec.District, _ = synth.DistrictByID(partner)
	}
	if spec.Seed == 0 {
		spec.Seed = 7
	}
	must(t, synth.WriteFile(filepath.Join(p.Landing.Local.Path, name), l.schema, spec))
}

// zoneFiles lists the files in a partner's zone folder ("" for the top).
func (l *dutyLab) zoneFiles(t *testing.T, partner, folder string) []string {
	t.Helper()
	p, _ := l.cfg.Partner(partner)
	ents, err := os.ReadDir(filepath.Join(p.Landing.Local.Path, folder))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	must(t, err)
	var out []string
	for _, e := range ents {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

func (l *dutyLab) outputQuarters(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir(l.cfg.Output.Local.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	must(t, err)
	var out []string
	for _, e := range ents {
		if e.IsDir() && e.Name() != "audit" {
			if _, err := os.Stat(filepath.Join(l.cfg.Output.Local.Path, e.Name(), "combined.csv")); err == nil {
				out = append(out, e.Name())
			}
		}
	}
	sort.Strings(out)
	return out
}

func cycle(t *testing.T, r *Runner) *Summary {
	t.Helper()
	sum, err := r.Cycle(context.Background(), nil)
	must(t, err)
	return sum
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// verifyAudit checks the audit chain against the head in the database.
func verifyAudit(t *testing.T, r *Runner) {
	t.Helper()
	head, _, err := r.DB.Meta(context.Background(), state.MetaAuditHead)
	must(t, err)
	p, err := audit.Verify(context.Background(), r.Config.State, head)
	must(t, err)
	if p != nil {
		t.Fatalf("audit chain: %s", p)
	}
}

func countEvents(t *testing.T, dir, event, kind string) int {
	t.Helper()
	n := 0
	must(t, audit.Show(context.Background(), dir, time.Time{}, func(e audit.Entry) error {
		if e.Event == event && (kind == "" || e.Data["kind"] == kind) {
			n++
		}
		return nil
	}))
	return n
}

func TestPurgeRemovesExactlyWhatExpired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDutyLab(t, "braintree", "basildon")
	l.set(utc("2025-07-01 06:00"))
	l.drop(t, "braintree", "old.csv", synth.Spec{Quarters: []string{"2018Q3"}, Rows: 40})
	l.drop(t, "braintree", "new.csv", synth.Spec{Quarters: []string{"2024Q4"}, Rows: 40})
	l.drop(t, "basildon", "bad.csv", synth.Spec{Quarters: []string{"2024Q4"}, Rows: 10, Extra: []string{"nino"}})
	r := l.open(t)
	sum := cycle(t, r)
	if sum.Failed() || sum.Purge == nil || !sum.Purge.Empty() {
		t.Fatalf("first cycle: failed %v, purge %+v", sum.Failed(), sum.Purge)
	}
	if got := l.outputQuarters(t); !reflect.DeepEqual(got, []string{"2018Q3", "2024Q4"}) {
		t.Fatalf("outputs = %v", got)
	}
	if got := l.zoneFiles(t, "braintree", "processed"); !reflect.DeepEqual(got, []string{"new.csv", "new.csv.report.txt", "old.csv", "old.csv.report.txt"}) {
		t.Fatalf("processed = %v", got)
	}
	if got := l.zoneFiles(t, "basildon", "rejected"); !reflect.DeepEqual(got, []string{"bad.csv", "bad.csv.report.txt"}) {
		t.Fatalf("rejected = %v", got)
	}

	// A day before 2018Q3's seven years are up (7 x 365 days from the
	// close of 30 September 2018), and within 90 days of the dispositions:
	// nothing is due.
	l.set(utc("2025-09-27 23:00"))
	rep, err := r.PlanPurge(ctx)
	must(t, err)
	if !rep.Empty() {
		t.Fatalf("nothing should be due yet: %+v", rep)
	}

	// 2018Q3 is due now; the files are past 90 days.
	l.set(utc("2025-10-01 06:00"))
	rep, err = r.PlanPurge(ctx)
	must(t, err)
	if !reflect.DeepEqual(rep.Cases, map[string]int{"2018Q3": sumCases(t, r, "2018Q3")}) || len(rep.Files) != 3 || len(rep.AuditSegments) != 0 {
		t.Fatalf("dry run = %+v", rep)
	}
	// A dry run changes nothing.
	if got := l.outputQuarters(t); len(got) != 2 || len(l.zoneFiles(t, "braintree", "processed")) != 4 {
		t.Fatal("a dry run deleted something")
	}

	rep, err = r.Duties().Purge(ctx, "")
	must(t, err)
	if len(rep.Problems) > 0 || len(rep.Files) != 3 || rep.Cases["2018Q3"] == 0 || len(rep.Cases) != 1 {
		t.Fatalf("purge = %+v", rep)
	}
	if got := l.outputQuarters(t); !reflect.DeepEqual(got, []string{"2024Q4"}) {
		t.Fatalf("outputs after purge = %v", got)
	}
	if n := sumCases(t, r, "2018Q3"); n != 0 {
		t.Fatalf("2018Q3 still holds %d rows", n)
	}
	if n := sumCases(t, r, "2024Q4"); n == 0 {
		t.Fatal("2024Q4 lost its rows")
	}
	for _, z := range []struct{ p, f string }{{"braintree", "processed"}, {"basildon", "rejected"}} {
		if got := l.zoneFiles(t, z.p, z.f); len(got) != 0 {
			t.Errorf("%s %s/ still holds %v", z.p, z.f, got)
		}
	}
	if n := countEvents(t, l.cfg.State, audit.EventPurge, "file"); n != 3 {
		t.Errorf("purge file entries = %d, want 3", n)
	}
	if n := countEvents(t, l.cfg.State, audit.EventPurge, "cases"); n != 1 {
		t.Errorf("purge cases entries = %d, want 1", n)
	}
	verifyAudit(t, r)
	// A second purge finds nothing.
	if rep, err := r.Duties().Purge(ctx, ""); err != nil || !rep.Empty() {
		t.Fatalf("second purge = %+v, %v", rep, err)
	}

	// Years later a cycle's own purge removes the rest, and the 2025
	// audit segment once all its entries are older than eight years.
	l.set(utc("2033-06-01 06:00"))
	sum = cycle(t, r)
	if sum.Failed() || sum.Purge == nil {
		t.Fatalf("late cycle failed: %+v", sum)
	}
	if !reflect.DeepEqual(sum.Purge.Cases, map[string]int{"2024Q4": sum.Purge.Cases["2024Q4"]}) || sum.Purge.Cases["2024Q4"] == 0 {
		t.Fatalf("late purge cases = %v", sum.Purge.Cases)
	}
	if len(sum.Purge.AuditSegments) != 0 {
		t.Fatalf("the 2025 segment is not eight years old yet: %v", sum.Purge.AuditSegments)
	}
	if got := l.outputQuarters(t); len(got) != 0 {
		t.Fatalf("outputs left = %v", got)
	}
	if _, err := os.Stat(filepath.Join(l.cfg.State, audit.SealedName(2025))); err != nil {
		t.Fatalf("2025 segment: %v", err)
	}
	l.set(utc("2034-01-03 06:00"))
	rep, err = r.PlanPurge(ctx)
	must(t, err)
	if !reflect.DeepEqual(rep.AuditSegments, []string{audit.SealedName(2025)}) {
		t.Fatalf("dry run segments = %v", rep.AuditSegments)
	}
	rep, err = r.Duties().Purge(ctx, "")
	must(t, err)
	if !reflect.DeepEqual(rep.AuditSegments, []string{audit.SealedName(2025)}) {
		t.Fatalf("segments = %v", rep.AuditSegments)
	}
	if _, err := os.Stat(filepath.Join(l.cfg.State, audit.SealedName(2025))); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("2025 segment still there: %v", err)
	}
	verifyAudit(t, r)
}

func sumCases(t *testing.T, r *Runner, q string) int {
	t.Helper()
	n := 0
	must(t, r.DB.QuarterRows(context.Background(), q, func(state.StoredRow) error { n++; return nil }))
	return n
}

// fakeNINO matches the NI numbers synth writes in extra columns.
var fakeNINO = regexp.MustCompile(`QQ[0-9]{6}C`)

func TestIncidentOpensOnExtraColumnAndAlerts(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []alert.Event
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		var ev alert.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Errorf("alert body: %v", err)
		}
		mu.Lock()
		got = append(got, ev)
		bodies = append(bodies, b)
		mu.Unlock()
	}))
	defer srv.Close()

	l := newDutyLab(t, "braintree", "basildon")
	l.cfg.Alerts.WebhookURLEnv = "TEST_WEBHOOK"
	l.set(utc("2026-01-07 06:00"))
	l.drop(t, "braintree", "extra.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 20, Extra: []string{"nino", "postcode"}})
	// basildon's file carries braintree's cases.
	other, _ := synth.DistrictByID("braintree")
	l.drop(t, "basildon", "mixed.csv", synth.Spec{District: other, Quarters: []string{"2025Q4"}, Rows: 20})
	r := l.open(t)
	r.Getenv = func(k string) string {
		if k == "TEST_WEBHOOK" {
			return srv.URL
		}
		return ""
	}
	cycle(t, r)

	ins, err := r.DB.Incidents(context.Background(), false)
	must(t, err)
	rules := map[string]state.Incident{}
	for _, in := range ins {
		rules[in.Partner+" "+in.Rule] = in
	}
	ex, ok := rules["braintree extra-label"]
	if !ok || len(ins) != 2 {
		t.Fatalf("incidents = %+v", ins)
	}
	if !ex.NotifyPartnersDue.Equal(utc("2026-01-09 06:00")) || !ex.ICODue.Equal(utc("2026-01-10 06:00")) || ex.Object != "extra.csv" || len(ex.SHA256) != 64 {
		t.Fatalf("extra-label incident = %+v", ex)
	}
	if mm, ok := rules["basildon partner-mismatch"]; !ok || mm.RowsAffected == 0 {
		t.Fatalf("partner-mismatch incident = %+v", mm)
	}
	if n := countEvents(t, l.cfg.State, audit.EventIncidentOpen, ""); n != 2 {
		t.Fatalf("incident.open entries = %d", n)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("alerts received = %d", len(got))
	}
	for i, ev := range got {
		if ev.Kind != KindIncident || len(ev.DPOEmails) != 2 || ev.Deadlines["ico"].IsZero() || ev.Deadlines["notify_partners"].IsZero() {
			t.Errorf("alert = %+v", ev)
		}
		if bytes.Contains(bodies[i], []byte("QQ")) || bytes.Contains(bodies[i], []byte("ZZ99")) || bytes.Contains(bodies[i], []byte("SYN-")) {
			t.Errorf("alert carries a cell value: %s", bodies[i])
		}
	}
	// The file with fields outside the list is kept nowhere but the
	// district's rejected/ folder.
	if files := l.zoneFiles(t, "braintree", "rejected"); !reflect.DeepEqual(files, []string{"extra.csv", "extra.csv.report.txt"}) {
		t.Fatalf("rejected/ = %v", files)
	}
	for _, root := range []string{l.cfg.State, l.cfg.Output.Local.Path} {
		_ = filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			must(t, err)
			if fakeNINO.Match(b) || bytes.Contains(b, []byte("ZZ99 3ZZ")) {
				t.Errorf("%s holds the extra columns' values", path)
			}
			return nil
		})
	}

	// Acknowledging and closing are recorded.
	_, err = r.Duties().AckIncident(context.Background(), ex.ID, state.IncidentAck{PartnersNotified: utc("2026-01-08 09:00"), Note: "emailed"})
	must(t, err)
	_, err = r.Duties().CloseIncident(context.Background(), ex.ID, "contained")
	must(t, err)
	if n := countEvents(t, l.cfg.State, audit.EventIncidentAck, "") + countEvents(t, l.cfg.State, audit.EventIncidentClose, ""); n != 2 {
		t.Fatalf("ack and close entries = %d", n)
	}
	verifyAudit(t, r)
}

func TestWithdrawnPartnerIsNotPolled(t *testing.T) {
	t.Parallel()
	l := newDutyLab(t, "braintree", "basildon")
	l.cfg.Partners[1].Withdrawn = &config.Date{Time: utc("2025-12-31 00:00")}
	l.set(utc("2026-01-07 06:00"))
	l.drop(t, "braintree", "a.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10})
	l.drop(t, "basildon", "b.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10})
	r := l.open(t)
	sum := cycle(t, r)
	if len(sum.Partners) != 2 || sum.Partners[1].Partner != "basildon" || !sum.Partners[1].Withdrawn || len(sum.Partners[1].Files) != 0 {
		t.Fatalf("partners = %+v", sum.Partners)
	}
	if got := l.zoneFiles(t, "basildon", ""); !reflect.DeepEqual(got, []string{"b.csv"}) {
		t.Fatalf("basildon's zone = %v", got)
	}
	if len(sum.Partners[0].Files) != 1 {
		t.Fatalf("braintree = %+v", sum.Partners[0])
	}
	if !strings.Contains(l.logs.String(), "partner withdrawn from the protocol") {
		t.Fatal("the skip was not logged")
	}
	// Before the date it was polled.
	l2 := newDutyLab(t, "basildon")
	l2.cfg.Partners[0].Withdrawn = &config.Date{Time: utc("2026-03-31 00:00")}
	l2.set(utc("2026-01-07 06:00"))
	l2.drop(t, "basildon", "b.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10})
	if sum := cycle(t, l2.open(t)); len(sum.Partners[0].Files) != 1 {
		t.Fatalf("a partner not yet withdrawn was skipped: %+v", sum.Partners)
	}
}

func TestReviewDateWarnings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		now  string
		want string // "" for no warning
	}{
		{"2027-06-01 06:00", ""},
		{"2027-07-10 06:00", "the protocol's review is due"},
		{"2027-10-01 23:00", "the protocol's review is due"},
		{"2027-10-02 06:00", "the protocol's review is overdue"},
	} {
		l := newDutyLab(t, "braintree")
		l.cfg.Protocol.ReviewDate = config.Date{Time: utc("2027-10-01 00:00")}
		l.set(utc(tt.now))
		cycle(t, l.open(t))
		logs := l.logs.String()
		if tt.want == "" && strings.Contains(logs, "the protocol's review is") {
			t.Errorf("%s: unexpected warning", tt.now)
		}
		if tt.want != "" && !strings.Contains(logs, tt.want) {
			t.Errorf("%s: no %q in the logs", tt.now, tt.want)
		}
	}
}

// TestReviewOverduePauses takes no files while the review is overdue and
// the protocol says pause, and takes them again once the date is moved.
func TestReviewOverduePauses(t *testing.T) {
	t.Parallel()
	l := newDutyLab(t, "basildon")
	l.cfg.Protocol.ReviewDate = config.Date{Time: utc("2025-12-01 00:00")}
	l.cfg.Protocol.OnReviewOverdue = config.ReviewPause
	l.set(utc("2026-01-07 06:00"))
	l.drop(t, "basildon", "b.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10})
	r := l.open(t)
	if sum := cycle(t, r); len(sum.Partners[0].Files) != 0 || sum.Failed() {
		t.Fatalf("a paused cycle took files or failed: %+v", sum.Partners)
	}
	if got := l.zoneFiles(t, "basildon", ""); !reflect.DeepEqual(got, []string{"b.csv"}) {
		t.Fatalf("basildon's zone = %v, want the file left in place", got)
	}
	if !strings.Contains(l.logs.String(), "no files are taken until the review date is moved") {
		t.Error("the pause was not logged")
	}
	// With warn, the same overdue review takes the file.
	l.cfg.Protocol.OnReviewOverdue = config.ReviewWarn
	if sum := cycle(t, r); len(sum.Partners[0].Files) != 1 {
		t.Fatalf("a warn cycle took no file: %+v", sum.Partners)
	}
}
