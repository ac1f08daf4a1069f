package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"landingd/config"
	"landingd/storage"
	"landingd/storage/mem"
	"landingd/transform"
	"landingd/transform/synth"
)

// memLab is a dutyLab whose partners' landing zones are in memory, opened
// through Runner.OpenZone, so that a test can make chosen calls fail.
type memLab struct {
	*dutyLab
	zones map[string]*mem.Zone
	// down lists partners whose zone cannot be opened at all.
	down map[string]error
}

func newMemLab(t *testing.T, ids ...string) *memLab {
	t.Helper()
	m := &memLab{dutyLab: newDutyLab(t, ids...), zones: map[string]*mem.Zone{}, down: map[string]error{}}
	for _, id := range ids {
		z := mem.NewZone(id)
		z.Now = m.clock
		m.zones[id] = z
	}
	return m
}

// open opens a Runner whose zones are the lab's in-memory ones.
func (m *memLab) open(t *testing.T) *Runner {
	t.Helper()
	r := m.dutyLab.open(t)
	r.OpenZone = func(ctx context.Context, p *config.Partner) (storage.Zone, error) {
		if err := m.down[p.ID]; err != nil {
			return nil, err
		}
		return m.zones[p.ID], nil
	}
	return r
}

// file returns a synthetic file of a partner's.
func (m *memLab) file(t *testing.T, partner string, spec synth.Spec) []byte {
	t.Helper()
	if spec.District.ID == "" {
		spec.District, _ = synth.DistrictByID(partner)
	}
	if spec.Seed == 0 {
		spec.Seed = 7
	}
	if spec.Quarters == nil {
		spec.Quarters = []string{"2025Q4"}
	}
	var b bytes.Buffer
	must(t, synth.Write(&b, m.schema, spec))
	return b.Bytes()
}

// upload puts a synthetic file at the top of a partner's zone, as the
// district would, an hour before the lab's clock.
func (m *memLab) upload(t *testing.T, partner, name string, spec synth.Spec) []byte {
	t.Helper()
	b := m.file(t, partner, spec)
	m.zones[partner].Seed(storage.Top, name, b, m.clock().Add(-3600e9))
	return b
}

// names returns the sorted names in a partner's zone folder.
func (m *memLab) names(partner string, f storage.Folder) []string {
	n := m.zones[partner].Names(f)
	slices.Sort(n)
	return n
}

// ledger returns the verdicts the ledger holds for a partner's files, in
// the order they were recorded.
func ledger(t *testing.T, r *Runner, partner string) []string {
	t.Helper()
	var out []string
	for id := int64(1); id <= 50; id++ {
		o, err := r.DB.GetObject(context.Background(), id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		must(t, err)
		if o.Partner == partner {
			out = append(out, string(o.Verdict))
		}
	}
	return out
}

var errReset = errors.New("connection reset by peer")

// faultCalls returns f armed on each of the first n matching calls.
func faultCalls(f mem.Fault, n int) []mem.Fault {
	out := make([]mem.Fault, n)
	for i := range out {
		out[i] = f
		out[i].Call = i + 1
	}
	return out
}

// TestMemZoneRetries makes one call fail or come back short, and checks
// that a transient fault is retried to a clean outcome, the file taken
// once, and that a permanent one, or a transient one that does not go
// away, fails only that partner with the file left where it was.
func TestMemZoneRetries(t *testing.T) {
	t.Parallel()
	transient := storage.Transient(errReset)
	tests := []struct {
		name   string
		fault  mem.Fault
		op     mem.Op
		calls  int  // calls of op the cycle makes
		failed bool // the partner fails; else the file is accepted and filed
	}{
		{"list fails once", mem.Fault{Op: mem.OpList, Call: 1, Err: transient}, mem.OpList, 2, false},
		{"open fails once", mem.Fault{Op: mem.OpOpen, Call: 1, Err: transient}, mem.OpOpen, 2, false},
		{"read cut short once", mem.Fault{Op: mem.OpOpen, Call: 1, ShortRead: 100}, mem.OpOpen, 2, false},
		{"clean but short read once", mem.Fault{Op: mem.OpOpen, Call: 1, ShortRead: 100, ReadErr: io.EOF}, mem.OpOpen, 2, false},
		{"list always fails", mem.Fault{Op: mem.OpList, Err: transient}, mem.OpList, 4, true},
		{"open always fails", mem.Fault{Op: mem.OpOpen, Err: transient}, mem.OpOpen, 4, true},
		{"read always cut short", mem.Fault{Op: mem.OpOpen, ShortRead: 100}, mem.OpOpen, 4, true},
		{"permanent open error", mem.Fault{Op: mem.OpOpen, Err: fs.ErrPermission}, mem.OpOpen, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMemLab(t, "basildon")
			m.set(utc("2026-01-08 06:00"))
			m.upload(t, "basildon", "q4.csv", synth.Spec{Rows: 20, DAShare: 1})
			z := m.zones["basildon"]
			z.Inject(tt.fault)
			r := m.open(t)
			sum := cycle(t, r)
			if got := z.Calls(tt.op); got != tt.calls {
				t.Errorf("%s calls = %d, want %d", tt.op, got, tt.calls)
			}
			ps := sum.Partners[0]
			if tt.failed {
				if ps.Err == nil {
					t.Fatalf("the partner did not fail: %+v", ps)
				}
				if got := m.names("basildon", storage.Top); !slices.Equal(got, []string{"q4.csv"}) {
					t.Errorf("top level = %v, want q4.csv left there", got)
				}
				if got := ledger(t, r, "basildon"); len(got) != 0 {
					t.Errorf("ledger = %v, want nothing recorded", got)
				}
				return
			}
			if ps.Err != nil {
				t.Fatalf("partner failed: %v", ps.Err)
			}
			if !strings.Contains(m.logs.String(), "retrying after a transient fault") {
				t.Error("no retry was logged")
			}
			if len(ps.Files) != 1 || ps.Files[0].Verdict != transform.Accepted || ps.Files[0].DisposedTo != "processed/q4.csv" || ps.Files[0].Rows.Read != 20 {
				t.Errorf("files = %+v, want q4.csv's 20 rows accepted once and filed", ps.Files)
			}
			if got := ledger(t, r, "basildon"); !slices.Equal(got, []string{"accepted"}) {
				t.Errorf("ledger = %v, want one accepted file", got)
			}
			if got := m.names("basildon", storage.Top); len(got) != 0 {
				t.Errorf("top level = %v, want empty", got)
			}
		})
	}
}

// TestMemZoneFailureIsolatesPartners fails one partner's zone in each way
// a zone can fail and checks that the other partner's file is still
// taken, filed and published.
func TestMemZoneFailureIsolatesPartners(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		breakZone func(m *memLab)
	}{
		{"zone cannot be opened", func(m *memLab) { m.down["basildon"] = storage.Transient(errReset) }},
		{"listing fails", func(m *memLab) {
			m.zones["basildon"].Inject(mem.Fault{Op: mem.OpList, Err: storage.Transient(errReset)})
		}},
		{"reading fails", func(m *memLab) {
			m.zones["basildon"].Inject(mem.Fault{Op: mem.OpOpen, Err: fs.ErrPermission})
		}},
		{"moving fails", func(m *memLab) {
			m.zones["basildon"].Inject(mem.Fault{Op: mem.OpMove, Err: fs.ErrPermission})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMemLab(t, "basildon", "braintree")
			m.set(utc("2026-01-08 06:00"))
			m.upload(t, "basildon", "b.csv", synth.Spec{Rows: 10, DAShare: 1})
			m.upload(t, "braintree", "q4.csv", synth.Spec{Rows: 15, DAShare: 1})
			tt.breakZone(m)
			r := m.open(t)
			sum := cycle(t, r)
			if !sum.Failed() {
				t.Error("the summary does not report the failure")
			}
			for _, ps := range sum.Partners {
				switch ps.Partner {
				case "basildon":
					if ps.Err == nil {
						t.Errorf("basildon did not fail: %+v", ps)
					}
				case "braintree":
					if ps.Err != nil || len(ps.Files) != 1 || ps.Files[0].DisposedTo != "processed/q4.csv" {
						t.Errorf("braintree = %+v, want its file taken and filed", ps)
					}
				}
			}
			if got := m.names("braintree", storage.Processed); !slices.Equal(got, []string{"q4.csv"}) {
				t.Errorf("braintree processed/ = %v", got)
			}
			if got := m.outputQuarters(t); !slices.Equal(got, []string{"2025Q4"}) {
				t.Errorf("published quarters = %v, want 2025Q4", got)
			}
		})
	}
}

// TestMemZoneDisposition checks where each file ends up, including when
// the district takes a file away or replaces it between the listing and
// the reading or the filing.
func TestMemZoneDisposition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		spec   synth.Spec
		faults []mem.Fault
		// after the cycle
		failed    bool
		disposed  string   // FileSummary.DisposedTo, "" when not filed
		top       []string // names left at the top level
		processed []string
		rejected  []string
		// after a second cycle with no fault
		thenTop       []string
		thenProcessed []string
		thenRejected  []string
	}{
		{name: "accepted", spec: synth.Spec{Rows: 20, DAShare: 1},
			disposed: "processed/q4.csv", processed: []string{"q4.csv"},
			thenProcessed: []string{"q4.csv"}},
		{name: "accepted with rows left out", spec: synth.Spec{Rows: 20, DAShare: 0.5},
			disposed: "processed/q4.csv", processed: []string{"q4.csv", "q4.csv.report.txt"},
			thenProcessed: []string{"q4.csv", "q4.csv.report.txt"}},
		{name: "rejected", spec: synth.Spec{Rows: 20, DAShare: 1, Extra: []string{"nino"}},
			disposed: "rejected/q4.csv", rejected: []string{"q4.csv", "q4.csv.report.txt"}},
		// A file the district takes back after the listing fails the
		// partner for this cycle; the next one is clean.
		{name: "vanished before reading", spec: synth.Spec{Rows: 20, DAShare: 1},
			faults: []mem.Fault{{Op: mem.OpOpen, Call: 1, Vanish: true}},
			failed: true},
		{name: "vanished before filing", spec: synth.Spec{Rows: 20, DAShare: 1},
			faults: []mem.Fault{{Op: mem.OpMove, Call: 1, Vanish: true}},
			failed: true},
		{name: "replaced before filing", spec: synth.Spec{Rows: 20, DAShare: 1},
			faults: []mem.Fault{{Op: mem.OpMove, Call: 1, Replace: []byte("replaced\n")}},
			top:    []string{"q4.csv"},
			// The new version is judged next cycle: not an H-CLIC file.
			thenProcessed: nil},
		// A transient fault after the commit is retried: the move, or
		// the report, and nothing before them.
		{name: "move fails once", spec: synth.Spec{Rows: 20, DAShare: 1},
			faults:   []mem.Fault{{Op: mem.OpMove, Call: 1, Err: storage.Transient(errReset)}},
			disposed: "processed/q4.csv", processed: []string{"q4.csv"},
			thenProcessed: []string{"q4.csv"}},
		{name: "report fails once", spec: synth.Spec{Rows: 20, DAShare: 0.5},
			faults:   []mem.Fault{{Op: mem.OpPut, Call: 1, Err: storage.Transient(errReset)}},
			disposed: "processed/q4.csv", processed: []string{"q4.csv", "q4.csv.report.txt"},
			thenProcessed: []string{"q4.csv", "q4.csv.report.txt"}},
		// A fault that outlasts the retries fails the partner; the next
		// cycle finishes the disposition without judging the file again.
		{name: "move fails past the retries", spec: synth.Spec{Rows: 20, DAShare: 1},
			faults: faultCalls(mem.Fault{Op: mem.OpMove, Err: storage.Transient(errReset)}, 4),
			failed: true, top: []string{"q4.csv"},
			thenProcessed: []string{"q4.csv"}},
		{name: "rejected, move fails past the retries", spec: synth.Spec{Rows: 20, DAShare: 1, Extra: []string{"nino"}},
			faults: faultCalls(mem.Fault{Op: mem.OpMove, Err: storage.Transient(errReset)}, 4),
			failed: true, top: []string{"q4.csv"},
			thenRejected: []string{"q4.csv", "q4.csv.report.txt"}},
		// A move that landed though its answer was lost: the retry finds
		// nothing to move, and the next cycle finds the file filed.
		{name: "move's answer lost", spec: synth.Spec{Rows: 20, DAShare: 0.5},
			faults: []mem.Fault{{Op: mem.OpMove, Call: 1, Err: storage.Transient(errReset), Lost: true}},
			failed: true, processed: []string{"q4.csv"},
			thenProcessed: []string{"q4.csv", "q4.csv.report.txt"}},
		{name: "report fails past the retries", spec: synth.Spec{Rows: 20, DAShare: 0.5},
			faults: faultCalls(mem.Fault{Op: mem.OpPut, Err: storage.Transient(errReset)}, 4),
			failed: true, processed: []string{"q4.csv"},
			thenProcessed: []string{"q4.csv", "q4.csv.report.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMemLab(t, "basildon")
			m.set(utc("2026-01-08 06:00"))
			m.upload(t, "basildon", "q4.csv", tt.spec)
			z := m.zones["basildon"]
			for _, f := range tt.faults {
				z.Inject(f)
			}
			r := m.open(t)
			sum := cycle(t, r)
			ps := sum.Partners[0]
			if (ps.Err != nil) != tt.failed {
				t.Fatalf("partner error = %v, want failed %v", ps.Err, tt.failed)
			}
			if !tt.failed {
				if len(ps.Files) != 1 || ps.Files[0].DisposedTo != tt.disposed {
					t.Errorf("files = %+v, want q4.csv disposed to %q", ps.Files, tt.disposed)
				}
			}
			for _, f := range []struct {
				folder storage.Folder
				want   []string
			}{{storage.Top, tt.top}, {storage.Processed, tt.processed}, {storage.Rejected, tt.rejected}} {
				if got := m.names("basildon", f.folder); !slices.Equal(got, f.want) {
					t.Errorf("%q after the cycle = %v, want %v", f.folder, got, f.want)
				}
			}

			m.set(utc("2026-01-09 06:00"))
			sum = cycle(t, r)
			if sum.Partners[0].Err != nil {
				t.Fatalf("second cycle: %v", sum.Partners[0].Err)
			}
			if got := m.names("basildon", storage.Top); !slices.Equal(got, tt.thenTop) {
				t.Errorf("top level after the second cycle = %v, want %v", got, tt.thenTop)
			}
			if got := m.names("basildon", storage.Processed); !slices.Equal(got, tt.thenProcessed) {
				t.Errorf("processed/ after the second cycle = %v, want %v", got, tt.thenProcessed)
			}
			if tt.thenRejected != nil {
				if got := m.names("basildon", storage.Rejected); !slices.Equal(got, tt.thenRejected) {
					t.Errorf("rejected/ after the second cycle = %v, want %v", got, tt.thenRejected)
				}
			}
			// The file was judged once: one verdict in the ledger.
			if got := ledger(t, r, "basildon"); len(got) > 1 && !strings.Contains(tt.name, "replaced") {
				t.Errorf("ledger = %v, want the file judged once", got)
			}
		})
	}
}

// TestMemZoneStopDuringRead stops the cycle while a file is read, and
// cuts the read short: the read is not begun again, nothing is recorded
// and nothing failed, and the next cycle takes the file.
func TestMemZoneStopDuringRead(t *testing.T) {
	t.Parallel()
	m := newMemLab(t, "basildon")
	m.set(utc("2026-01-08 06:00"))
	m.upload(t, "basildon", "q4.csv", synth.Spec{Rows: 20, DAShare: 1})
	z := m.zones["basildon"]
	z.Inject(mem.Fault{Op: mem.OpOpen, Call: 1, ShortRead: 100})
	r := m.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.beforeJudge = func(string) { cancel() }
	sum, err := r.Cycle(ctx, nil)
	must(t, err)
	if ps := sum.Partners[0]; ps.Err != nil || len(ps.Files) != 0 {
		t.Errorf("partner = %+v, want nothing taken and nothing failed", ps)
	}
	// The retry's open is closed unread: a read is never begun again.
	if n := z.Calls(mem.OpOpen); n > 2 {
		t.Errorf("%d opens, want the read not retried", n)
	}
	if got := ledger(t, r, "basildon"); len(got) != 0 {
		t.Errorf("ledger = %v, want nothing recorded", got)
	}
	r.beforeJudge = nil
	m.set(utc("2026-01-09 06:00"))
	sum = cycle(t, r)
	if ps := sum.Partners[0]; ps.Err != nil || len(ps.Files) != 1 || ps.Files[0].DisposedTo != "processed/q4.csv" {
		t.Errorf("next cycle = %+v, want q4.csv taken", ps)
	}
}
