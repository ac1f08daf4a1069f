package daemon

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"landingd/config"
	"landingd/deploy"
	"landingd/ingest"
	"landingd/ingest/state"
	"landingd/internal/testclock"
	"landingd/transform"
	"landingd/transform/synth"
)

// fixture is a protocol in a temporary folder with local zones, a key and
// the field list: a real state, real files, real SQLite.
type fixture struct {
	dir    string
	cfg    *config.Config
	schema *transform.Schema
	logs   *syncBuffer
}

// syncBuffer collects log lines from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newFixture writes the default protocol into a fresh folder, with files
// taken at once (stable_after 0s), and loads it. keep, when not nil,
// limits the partners to those ids.
func newFixture(t *testing.T, keep []string) *fixture {
	t.Helper()
	return newFixtureOf(t, deploy.DefaultProtocol, keep)
}

// newFixtureOf is newFixture for the shipped protocol at src in
// deploy.Protocols: its files are copied into a fresh folder, and a key
// is written where it says.
func newFixtureOf(t *testing.T, src string, keep []string) *fixture {
	t.Helper()
	dir := t.TempDir()
	files, err := fs.ReadDir(deploy.Protocols, path.Dir(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range files {
		raw, err := deploy.Protocols.ReadFile(path.Join(path.Dir(src), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		mustWrite(t, filepath.Join(dir, e.Name()), strings.Replace(string(raw), "stable_after: 60s", "stable_after: 0s", 1))
	}
	cfg, err := config.Load(filepath.Join(dir, path.Base(src)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Pseudonymise.KeyFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := transform.WriteKeyFile(cfg.Pseudonymise.KeyFile); err != nil {
		t.Fatal(err)
	}
	if keep != nil {
		var ps []config.Partner
		for _, id := range keep {
			p, ok := cfg.Partner(id)
			if !ok {
				t.Fatalf("no partner %s", id)
			}
			ps = append(ps, *p)
		}
		cfg.Partners = ps
	}
	for _, p := range cfg.Partners {
		if err := os.MkdirAll(p.Landing.Local.Path, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	schema, err := transform.LoadSchema(cfg.SchemaData)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{dir: dir, cfg: cfg, schema: schema, logs: &syncBuffer{}}
}

func mustWrite(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// drop writes a synthetic file for partner's quarter q into its zone;
// extra columns make it a file to reject.
func (f *fixture) drop(t *testing.T, partner, q string, rows int, extra ...string) string {
	t.Helper()
	p, ok := f.cfg.Partner(partner)
	if !ok {
		t.Fatalf("no partner %s", partner)
	}
	d := synth.District{ID: p.ID, Name: p.Name, GSS: p.GSS}
	name := partner + "_" + q + ".csv"
	if len(extra) > 0 {
		name = partner + "_" + q + "_extra.csv"
	}
	spec := synth.Spec{District: d, Quarters: []string{q}, Rows: rows, Seed: 7, Extra: extra,
		Filter: synth.Filter{Field: f.cfg.Filter.Field, Keep: f.cfg.Filter.Keep}}
	if err := synth.WriteFile(filepath.Join(p.Landing.Local.Path, name), f.schema, spec); err != nil {
		t.Fatal(err)
	}
	return name
}

func (f *fixture) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(io.MultiWriter(f.logs), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// open opens the runner (taking the state lock) and a Service on it.
func (f *fixture) open(t *testing.T, clock *fakeClock) *Service {
	t.Helper()
	r, err := ingest.Open(context.Background(), f.cfg, f.logger(), "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	r.Backoff = time.Millisecond
	s, err := New(r, f.logger())
	if err != nil {
		t.Fatal(err)
	}
	if clock != nil {
		s.Now = clock.Now
		r.Now = clock.Now
	}
	return s
}

// fakeClock is a clock that Wait moves forward at once.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
	// onWait, when set, is called with the time waited for, before the
	// clock moves there; returning false stops the service.
	onWait func(until time.Time) bool
	cancel context.CancelFunc
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (c *fakeClock) Wait(ctx context.Context, until time.Time) error {
	if c.onWait != nil && !c.onWait(until) {
		c.cancel()
		return context.Canceled
	}
	if until.After(c.Now()) {
		c.Set(until)
	}
	return ctx.Err()
}

var (
	london = testclock.London
	at     = testclock.At
)

// cycleAt runs one cycle at time now with the given trigger, as a manual
// run or an earlier service would have.
func cycleAt(t *testing.T, s *Service, now time.Time, trigger state.Trigger) *ingest.Summary {
	t.Helper()
	old := s.Runner.Now
	s.Runner.Now = func() time.Time { return now }
	s.Runner.Trigger = trigger
	defer func() { s.Runner.Now = old }()
	sum, err := s.Runner.Cycle(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func dateOf(t *testing.T, s string) *config.Date {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return &config.Date{Time: d}
}
