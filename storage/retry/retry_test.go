package retry_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"landingd/storage"
	"landingd/storage/mem"
	"landingd/storage/retry"
	"landingd/storage/storagetest"
)

var (
	when  = time.Date(2026, 1, 7, 6, 0, 0, 0, time.UTC)
	data  = []byte("la_code,case_ref\nE07000066,1\nE07000066,2\n")
	reset = storage.Transient(errors.New("connection reset by peer"))
)

// clock is a fake clock that only Sleep moves, and a record of the waits.
type clock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	return nil
}

// policy returns a policy on c whose jitter always picks the bound, so
// that the waits are known.
func (c *clock) policy(p retry.Policy) retry.Policy {
	p.Now, p.Sleep = c.Now, c.Sleep
	if p.Jitter == nil {
		p.Jitter = func(bound time.Duration) time.Duration { return bound }
	}
	return p
}

func newZone(t *testing.T) *mem.Zone {
	t.Helper()
	z := mem.NewZone("z")
	z.Seed(storage.Top, "q.csv", data, when)
	return z
}

// TestZoneRetries makes one operation fail in each way and checks how
// often the wrapper calls the zone, what it waits and what it returns.
func TestZoneRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy retry.Policy
		faults []mem.Fault
		op     mem.Op
		calls  int             // calls of op the zone sees
		waits  []time.Duration // the waits between them
		err    error           // errors.Is; nil for success
	}{
		{name: "open succeeds", op: mem.OpOpen, calls: 1},
		{name: "open fails once", op: mem.OpOpen,
			faults: []mem.Fault{{Op: mem.OpOpen, Call: 1, Err: reset}},
			calls:  2, waits: []time.Duration{time.Second}},
		{name: "open always fails", op: mem.OpOpen,
			faults: []mem.Fault{{Op: mem.OpOpen, Err: reset}},
			calls:  4, waits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, err: reset},
		{name: "attempts bound", op: mem.OpOpen, policy: retry.Policy{Attempts: 6, Base: time.Second, Cap: 5 * time.Second},
			faults: []mem.Fault{{Op: mem.OpOpen, Err: reset}},
			calls:  6, waits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}, err: reset},
		{name: "one attempt", op: mem.OpOpen, policy: retry.Policy{Attempts: 1},
			faults: []mem.Fault{{Op: mem.OpOpen, Err: reset}},
			calls:  1, err: reset},
		{name: "budget bound", op: mem.OpOpen, policy: retry.Policy{Attempts: 10, Budget: 10 * time.Second},
			faults: []mem.Fault{{Op: mem.OpOpen, Err: reset}},
			// 1+2+4 = 7 s; a wait of 8 s more would end past 10 s.
			calls: 4, waits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, err: reset},
		{name: "permission is permanent", op: mem.OpOpen,
			faults: []mem.Fault{{Op: mem.OpOpen, Err: fs.ErrPermission}},
			calls:  1, err: fs.ErrPermission},
		{name: "missing is permanent", op: mem.OpOpen,
			faults: []mem.Fault{{Op: mem.OpOpen, Vanish: true}},
			calls:  1, err: storage.ErrNotExist},
		{name: "list fails twice", op: mem.OpList,
			faults: []mem.Fault{{Op: mem.OpList, Call: 1, Err: reset}, {Op: mem.OpList, Call: 2, Err: reset}},
			calls:  3, waits: []time.Duration{time.Second, 2 * time.Second}},
		{name: "move fails once", op: mem.OpMove,
			faults: []mem.Fault{{Op: mem.OpMove, Call: 1, Err: reset}},
			calls:  2, waits: []time.Duration{time.Second}},
		{name: "changed is permanent", op: mem.OpMove,
			faults: []mem.Fault{{Op: mem.OpMove, Replace: []byte("new")}},
			calls:  1, err: storage.ErrChanged},
		{name: "moved by the failed call", op: mem.OpMove,
			// The first call moves the object but its answer is lost: the
			// retry finds nothing to move.
			faults: []mem.Fault{{Op: mem.OpMove, Call: 1, Err: reset, Lost: true}},
			calls:  2, waits: []time.Duration{time.Second}, err: storage.ErrNotExist},
		{name: "put whose answer was lost", op: mem.OpPut,
			faults: []mem.Fault{{Op: mem.OpPut, Call: 1, Err: reset, Lost: true}},
			calls:  2, waits: []time.Duration{time.Second}},
		{name: "delete whose answer was lost", op: mem.OpDelete,
			faults: []mem.Fault{{Op: mem.OpDelete, Call: 1, Err: reset, Lost: true}},
			calls:  2, waits: []time.Duration{time.Second}, err: storage.ErrNotExist},
		{name: "put fails once", op: mem.OpPut,
			faults: []mem.Fault{{Op: mem.OpPut, Call: 1, Err: reset}},
			calls:  2, waits: []time.Duration{time.Second}},
		{name: "delete fails once", op: mem.OpDelete,
			faults: []mem.Fault{{Op: mem.OpDelete, Call: 1, Err: reset}},
			calls:  2, waits: []time.Duration{time.Second}},
		{name: "delete of a missing object", op: mem.OpDelete,
			faults: []mem.Fault{{Op: mem.OpDelete, Vanish: true}},
			calls:  1, err: storage.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			m := newZone(t)
			c := &clock{now: when}
			z := retry.NewZone(m, c.policy(tt.policy))
			listed := storagetest.Listed(t, z, "q.csv")
			for _, f := range tt.faults {
				m.Inject(f)
			}
			before := m.Calls(tt.op)
			var err error
			switch tt.op {
			case mem.OpOpen:
				var rc io.ReadCloser
				if rc, err = z.Open(ctx, storage.Top, "q.csv"); err == nil {
					rc.Close()
				}
			case mem.OpList:
				err = z.List(ctx, storage.Top, func(storage.Object) error { return nil })
			case mem.OpMove:
				_, err = z.Move(ctx, listed, storage.Processed)
			case mem.OpPut:
				err = z.Put(ctx, storage.Processed, "q.csv.report.txt", strings.NewReader("report"))
			case mem.OpDelete:
				err = z.Delete(ctx, storage.Top, "q.csv")
			}
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
			if got := m.Calls(tt.op) - before; got != tt.calls {
				t.Errorf("calls = %d, want %d", got, tt.calls)
			}
			if fmt.Sprint(c.waits) != fmt.Sprint(tt.waits) {
				t.Errorf("waits = %v, want %v", c.waits, tt.waits)
			}
		})
	}
}

// TestCancelStopsRetries cancels ctx during the first wait and checks
// that no further call is made and that the error says both what ended
// it and what failed.
func TestCancelStopsRetries(t *testing.T) {
	t.Parallel()
	m := newZone(t)
	m.Inject(mem.Fault{Op: mem.OpOpen, Err: reset})
	ctx, cancel := context.WithCancel(t.Context())
	sleeps := 0
	z := retry.NewZone(m, retry.Policy{
		Attempts: 10,
		Sleep: func(ctx context.Context, d time.Duration) error {
			sleeps++
			cancel()
			<-ctx.Done() // a wait ends when ctx ends
			return ctx.Err()
		},
	})
	_, err := z.Open(ctx, storage.Top, "q.csv")
	if !errors.Is(err, context.Canceled) || !errors.Is(err, reset) {
		t.Errorf("err = %v, want context.Canceled and the fault", err)
	}
	if n := m.Calls(mem.OpOpen); n != 1 || sleeps != 1 {
		t.Errorf("%d calls and %d waits, want 1 and 1", n, sleeps)
	}

	// A fault that comes after ctx ended is returned without a wait.
	sleeps = 0
	_, err = z.Open(ctx, storage.Top, "q.csv")
	if !errors.Is(err, context.Canceled) || sleeps != 0 {
		t.Errorf("after cancel: err = %v with %d waits, want ctx's error and no wait", err, sleeps)
	}
}

// TestRealSleepHonoursCancel checks the default wait: a wait of an hour
// ends when ctx is cancelled (were it not, the test would time out).
func TestRealSleepHonoursCancel(t *testing.T) {
	t.Parallel()
	m := newZone(t)
	m.Inject(mem.Fault{Op: mem.OpList, Err: reset})
	ctx, cancel := context.WithCancel(t.Context())
	p := retry.Policy{Base: time.Hour, Cap: time.Hour, Jitter: func(b time.Duration) time.Duration { return b }}
	done := make(chan error, 1)
	go func() { done <- retry.NewZone(m, p).List(ctx, storage.Top, func(storage.Object) error { return nil }) }()
	for m.Calls(mem.OpList) == 0 {
		time.Sleep(time.Millisecond)
	}
	// Most often the call is waiting by now; if not, the fault comes back
	// after ctx ended and is returned without a wait.
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, reset) {
		t.Errorf("err = %v, want the fault", err)
	}
	if n := m.Calls(mem.OpList); n != 1 {
		t.Errorf("%d listings, want 1", n)
	}
}

// TestJitterBounded checks that every wait lies between zero and the
// bound for its retry, with the real random draw and with a test's draw
// that strays outside.
func TestJitterBounded(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		jitter func(time.Duration) time.Duration
	}{
		{"random", nil},
		{"too long", func(b time.Duration) time.Duration { return 3 * b }},
		{"negative", func(time.Duration) time.Duration { return -time.Second }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := retry.Policy{Attempts: 8, Base: 100 * time.Millisecond, Cap: 3 * time.Second, Budget: time.Hour, Jitter: tt.jitter}
			for range 50 {
				var waits []time.Duration
				p.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
				err := p.Do(t.Context(), "test", func(context.Context) error { return reset })
				if err != reset {
					t.Fatalf("err = %v, want the fault", err)
				}
				if len(waits) != 7 {
					t.Fatalf("%d waits, want 7", len(waits))
				}
				for i, d := range waits {
					if d < 0 || d > p.Bound(i+1) {
						t.Fatalf("wait %d = %v, want 0 to %v", i+1, d, p.Bound(i+1))
					}
				}
			}
		})
	}
}

// TestBound checks the exponential bounds and their cap.
func TestBound(t *testing.T) {
	t.Parallel()
	p := retry.Policy{Base: time.Second, Cap: 10 * time.Second}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, w := range want {
		if got := p.Bound(i + 1); got != w {
			t.Errorf("Bound(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := (retry.Policy{}).Bound(100); got != retry.DefaultCap {
		t.Errorf("default Bound(100) = %v, want %v", got, retry.DefaultCap)
	}
}

// TestListCallbackErrorNotRetried checks that an error from List's
// callback is returned as is, even when marked transient, and that a
// listing's own fault restarts it.
func TestListCallbackErrorNotRetried(t *testing.T) {
	t.Parallel()
	m := newZone(t)
	c := &clock{now: when}
	z := retry.NewZone(m, c.policy(retry.Policy{}))
	stop := storage.Transient(errors.New("callback says stop"))
	err := z.List(t.Context(), storage.Top, func(storage.Object) error { return stop })
	if err != stop || m.Calls(mem.OpList) != 1 {
		t.Errorf("err = %v after %d calls, want the callback's error after 1", err, m.Calls(mem.OpList))
	}

	m.Inject(mem.Fault{Op: mem.OpList, Call: 1, Err: reset})
	seen := 0
	if err := z.List(t.Context(), storage.Top, func(storage.Object) error { seen++; return nil }); err != nil {
		t.Fatal(err)
	}
	if seen != 1 || m.Calls(mem.OpList) != 3 {
		t.Errorf("callback called %d times over %d listings, want 1 over 3", seen, m.Calls(mem.OpList))
	}
}

// consuming is a zone whose Put reads all of its data and then fails
// transiently, the first fails times.
type consuming struct {
	*mem.Zone
	fails int
	puts  int
}

func (c *consuming) Put(ctx context.Context, f storage.Folder, name string, r io.Reader) error {
	c.puts++
	if c.puts <= c.fails {
		io.Copy(io.Discard, r)
		return reset
	}
	return c.Zone.Put(ctx, f, name, r)
}

// TestPutRewinds checks that Put is retried with the whole data when its
// reader can be rewound, and is not retried when it cannot.
func TestPutRewinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		r     func() io.Reader
		puts  int
		err   error
		wrote string
	}{
		{"seeker", func() io.Reader { return strings.NewReader("the report") }, 2, nil, "the report"},
		{"seeker part read", func() io.Reader {
			r := strings.NewReader("xxthe report")
			r.Seek(2, io.SeekStart)
			return r
		}, 2, nil, "the report"},
		{"not a seeker", func() io.Reader { return bytes.NewBufferString("the report") }, 1, reset, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &consuming{Zone: mem.NewZone("z"), fails: 1}
			cl := &clock{now: when}
			z := retry.NewZone(c, cl.policy(retry.Policy{}))
			err := z.Put(t.Context(), storage.Processed, "r.txt", tt.r())
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
			if c.puts != tt.puts {
				t.Errorf("%d puts, want %d", c.puts, tt.puts)
			}
			got, _ := c.Content(storage.Processed, "r.txt")
			if string(got) != tt.wrote {
				t.Errorf("wrote %q, want %q", got, tt.wrote)
			}
		})
	}
}

// TestLoad checks that Load reads an object again from its start after a
// read cut short, and only then.
func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault mem.Fault
		calls int // calls of fn
		err   error
	}{
		{"whole", mem.Fault{Op: mem.OpOpen, Name: "none"}, 1, nil},
		{"cut short once", mem.Fault{Op: mem.OpOpen, Call: 1, ShortRead: 10}, 2, nil},
		{"open fails once", mem.Fault{Op: mem.OpOpen, Call: 1, Err: reset}, 1, nil},
		{"always cut short", mem.Fault{Op: mem.OpOpen, ShortRead: 10}, 4, io.ErrUnexpectedEOF},
		{"clean short read", mem.Fault{Op: mem.OpOpen, Call: 1, ShortRead: 10, ReadErr: io.EOF}, 1, errShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newZone(t)
			m.Inject(tt.fault)
			c := &clock{now: when}
			z := retry.NewZone(m, c.policy(retry.Policy{}))
			calls := 0
			var got []byte
			err := retry.Load(t.Context(), z, storage.Top, "q.csv", func(r io.Reader) error {
				calls++
				var err error
				got, err = io.ReadAll(r)
				if err == nil && len(got) != len(data) {
					// What a caller that knows the size does.
					return errShort
				}
				return err
			})
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
			if calls != tt.calls {
				t.Errorf("fn called %d times, want %d", calls, tt.calls)
			}
			if err == nil && !bytes.Equal(got, data) {
				t.Errorf("read %q, want %q", got, data)
			}
		})
	}
}

var errShort = errors.New("short read")

// TestLoadUnwrapped checks that Load reads a zone that is not wrapped
// once.
func TestLoadUnwrapped(t *testing.T) {
	t.Parallel()
	m := newZone(t)
	m.Inject(mem.Fault{Op: mem.OpOpen, ShortRead: 10})
	calls := 0
	err := retry.Load(t.Context(), m, storage.Top, "q.csv", func(r io.Reader) error {
		calls++
		_, err := io.ReadAll(r)
		return err
	})
	if !errors.Is(err, io.ErrUnexpectedEOF) || calls != 1 {
		t.Errorf("err = %v after %d calls, want a cut read after 1", err, calls)
	}
}

// TestOpenZone checks that a zone that cannot be reached at first is
// opened again, and that a permanent fault is not retried.
func TestOpenZone(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		errs  []error
		calls int
		err   error
	}{
		{"at once", nil, 1, nil},
		{"after two faults", []error{reset, reset}, 3, nil},
		{"permanent", []error{fs.ErrPermission}, 1, fs.ErrPermission},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &clock{now: when}
			calls := 0
			z, err := retry.OpenZone(t.Context(), c.policy(retry.Policy{}), func(context.Context) (storage.Zone, error) {
				calls++
				if calls <= len(tt.errs) {
					return nil, tt.errs[calls-1]
				}
				return mem.NewZone("z"), nil
			})
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) || calls != tt.calls {
				t.Fatalf("err = %v after %d calls, want %v after %d", err, calls, tt.err, tt.calls)
			}
			if err == nil && z.String() != "mem://z" {
				t.Errorf("String() = %q", z.String())
			}
		})
	}
}

// TestLogsNoNames checks that a retry is logged with its operation and
// attempt, and without the object's name, which a district chose.
func TestLogsNoNames(t *testing.T) {
	t.Parallel()
	m := mem.NewZone("z")
	m.Seed(storage.Top, "Smith J 1978.csv", data, when)
	m.Inject(mem.Fault{Op: mem.OpOpen, Call: 1, Err: storage.Transient(errors.New("reset opening Smith J 1978.csv"))})
	var logs bytes.Buffer
	c := &clock{now: when}
	z := retry.NewZone(m, c.policy(retry.Policy{Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
	rc, err := z.Open(t.Context(), storage.Top, "Smith J 1978.csv")
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	got := logs.String()
	if !strings.Contains(got, "retrying after a transient fault") || !strings.Contains(got, "op=open") || !strings.Contains(got, "attempt=1") {
		t.Errorf("log = %q, want the retry with op and attempt", got)
	}
	if strings.Contains(got, "Smith") {
		t.Errorf("log names the object: %q", got)
	}
}

func TestZoneSuite(t *testing.T) {
	t.Parallel()
	storagetest.RunZoneSuite(t, storagetest.ZoneHarness{
		New: func(t *testing.T) storage.Zone { return retry.NewZone(mem.NewZone(t.Name()), retry.Policy{}) },
		Seed: func(t *testing.T, z storage.Zone, folder storage.Folder, name string, data []byte, mtime time.Time) {
			z.(*retry.Zone).Unwrap().(*mem.Zone).Seed(folder, name, data, mtime)
		},
	})
}

func TestOutputSuite(t *testing.T) {
	t.Parallel()
	storagetest.RunOutputSuite(t, storagetest.OutputHarness{
		New: func(t *testing.T) storage.Output { return retry.NewOutput(mem.NewOutput(t.Name()), retry.Policy{}) },
	})
}

// flaky is an output whose calls fail transiently until fails runs out.
type flaky struct {
	*mem.Output
	fails int
	calls int
}

func (f *flaky) fault() error {
	f.calls++
	if f.calls <= f.fails {
		return reset
	}
	return nil
}

func (f *flaky) Put(ctx context.Context, name string, r io.Reader) error {
	if err := f.fault(); err != nil {
		io.Copy(io.Discard, r)
		return err
	}
	return f.Output.Put(ctx, name, r)
}

func (f *flaky) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := f.fault(); err != nil {
		return nil, err
	}
	return f.Output.Get(ctx, name)
}

func (f *flaky) List(ctx context.Context, prefix string, fn func(string) error) error {
	if err := f.fault(); err != nil {
		return err
	}
	return f.Output.List(ctx, prefix, fn)
}

func (f *flaky) Delete(ctx context.Context, name string) error {
	if err := f.fault(); err != nil {
		return err
	}
	return f.Output.Delete(ctx, name)
}

// TestOutputRetries checks each Output method through two faults, and
// a third fault past the bound.
func TestOutputRetries(t *testing.T) {
	t.Parallel()
	ops := map[string]func(ctx context.Context, o storage.Output) error{
		"put": func(ctx context.Context, o storage.Output) error {
			return o.Put(ctx, "2025Q4/combined.csv", bytes.NewReader(data))
		},
		"get": func(ctx context.Context, o storage.Output) error {
			rc, err := o.Get(ctx, "2025Q4/manifest.json")
			if err == nil {
				rc.Close()
			}
			return err
		},
		"list": func(ctx context.Context, o storage.Output) error {
			return o.List(ctx, "", func(string) error { return nil })
		},
		"delete": func(ctx context.Context, o storage.Output) error {
			return o.Delete(ctx, "2025Q4/manifest.json")
		},
	}
	for name, op := range ops {
		for _, tt := range []struct {
			fails, calls int
			err          error
		}{{2, 3, nil}, {5, 3, reset}} {
			t.Run(fmt.Sprintf("%s/%d faults", name, tt.fails), func(t *testing.T) {
				t.Parallel()
				m := mem.NewOutput("o")
				if err := m.Put(t.Context(), "2025Q4/manifest.json", strings.NewReader("{}")); err != nil {
					t.Fatal(err)
				}
				f := &flaky{Output: m, fails: tt.fails}
				c := &clock{now: when}
				o := retry.NewOutput(f, c.policy(retry.Policy{Attempts: 3}))
				err := op(t.Context(), o)
				if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) || f.calls != tt.calls {
					t.Errorf("err = %v after %d calls, want %v after %d", err, f.calls, tt.err, tt.calls)
				}
				if name == "put" && err == nil {
					rc, err := m.Get(t.Context(), "2025Q4/combined.csv")
					if err != nil {
						t.Fatal(err)
					}
					got, _ := io.ReadAll(rc)
					if !bytes.Equal(got, data) {
						t.Errorf("wrote %q, want %q", got, data)
					}
				}
			})
		}
	}
}
