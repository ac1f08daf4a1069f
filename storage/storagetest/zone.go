package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"landingd/storage"
)

// ZoneHarness tells RunZoneSuite how to make and poke a backend's zones.
type ZoneHarness struct {
	// New returns a zone over a fresh, empty root for one case. The suite
	// closes it when the case ends; New may register its own cleanups.
	New func(t *testing.T) storage.Zone

	// Seed puts an object into folder of zone z out of band, the way a
	// district would upload it, with modification time mtime (ignored when
	// ModTimeFromServer is set). It must not use z's methods; it replaces
	// an existing object of that name. It calls t.Fatal on error.
	Seed func(t *testing.T, z storage.Zone, folder storage.Folder, name string, data []byte, mtime time.Time)

	// Drop, when non-nil, breaks the connection(s) under zone z (kills the
	// server side of them, or closes the socket) without z knowing, so the
	// "connection dropped mid-read" case can run. Later calls on z must be
	// able to reconnect. nil skips that case (local folders).
	Drop func(t *testing.T, z storage.Zone)

	// ModTimeFromServer is set for backends where Seed cannot choose an
	// object's modification time (a blob's Last-Modified is set by the
	// service). The suite then checks only that ModTime is set.
	ModTimeFromServer bool
}

// RunZoneSuite runs the zone conformance cases against h, each as a
// subtest with a fresh zone from h.New.
func RunZoneSuite(t *testing.T, h ZoneHarness) {
	if h.New == nil || h.Seed == nil {
		t.Fatal("storagetest: ZoneHarness needs New and Seed")
	}
	cases := []struct {
		name string
		fn   func(t *testing.T, h ZoneHarness, z storage.Zone)
	}{
		{"Empty", testEmpty},
		{"SeedListOpen", testSeedListOpen},
		{"StableDetection", testStableDetection},
		{"AwkwardNames", testAwkwardNames},
		{"Missing", testMissing},
		{"UnsafeNames", testUnsafeNames},
		{"LongNames", testLongNames},
		{"ListCancelledBefore", testListCancelledBefore},
		{"ListCancelledDuring", testListCancelledDuring},
		{"ListCallbackError", testListCallbackError},
		{"Large", testLarge},
		{"MoveAndReport", testMoveAndReport},
		{"MoveClash", testMoveClash},
		{"MoveChanged", testMoveChanged},
		{"PutAtomic", testPutAtomic},
		{"Delete", testDelete},
		{"Concurrent", testConcurrent},
		{"DroppedMidRead", testDroppedMidRead},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			z := h.New(t)
			closeAtEnd(t, z)
			c.fn(t, h, z)
		})
	}
}

// Bytes returns n pseudo-random bytes, the same for the same seed.
func Bytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// closeAtEnd closes c when t ends, failing t if Close fails.
func closeAtEnd(t *testing.T, c io.Closer) {
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

// when is the fixed past mtime the suite seeds objects with.
var when = time.Date(2026, 1, 7, 6, 0, 0, 0, time.UTC)

// listAll lists folder into a map by name, failing t on error or on a
// name listed twice.
func listAll(t *testing.T, z storage.Zone, f storage.Folder) map[string]storage.Object {
	t.Helper()
	got := map[string]storage.Object{}
	err := z.List(t.Context(), f, func(o storage.Object) error {
		if _, dup := got[o.Name]; dup {
			t.Errorf("List %q: %q listed twice", f, o.Name)
		}
		got[o.Name] = o
		return nil
	})
	if err != nil {
		t.Fatalf("List %q: %v", f, err)
	}
	return got
}

func wantNames(t *testing.T, z storage.Zone, f storage.Folder, want ...string) map[string]storage.Object {
	t.Helper()
	got := listAll(t, z, f)
	slices.Sort(want)
	if g := slices.Sorted(maps.Keys(got)); !slices.Equal(g, want) {
		t.Fatalf("List %q = %q, want %q", f, g, want)
	}
	return got
}

func readAll(t *testing.T, z storage.Zone, f storage.Folder, name string) []byte {
	t.Helper()
	rc, err := z.Open(t.Context(), f, name)
	if err != nil {
		t.Fatalf("Open %q %q: %v", f, name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %q %q: %v", f, name, err)
	}
	return b
}

func wantContent(t *testing.T, z storage.Zone, f storage.Folder, name string, want []byte) {
	t.Helper()
	got := readAll(t, z, f, name)
	if !bytes.Equal(got, want) {
		t.Fatalf("content of %q %q: %d bytes (sha256 %x), want %d bytes (sha256 %x)",
			f, name, len(got), sha256.Sum256(got), len(want), sha256.Sum256(want))
	}
}

func put(t *testing.T, z storage.Zone, f storage.Folder, name string, data []byte) {
	t.Helper()
	if err := z.Put(t.Context(), f, name, bytes.NewReader(data)); err != nil {
		t.Fatalf("Put %q %q: %v", f, name, err)
	}
}

func (h ZoneHarness) checkModTime(t *testing.T, o storage.Object, want time.Time) {
	t.Helper()
	if h.ModTimeFromServer {
		if o.ModTime.IsZero() {
			t.Errorf("%q: ModTime is zero", o.Name)
		}
		return
	}
	// SFTP v3 carries whole seconds only.
	if !o.ModTime.Truncate(time.Second).Equal(want.Truncate(time.Second)) {
		t.Errorf("%q: ModTime = %v, want %v", o.Name, o.ModTime, want)
	}
}

func testEmpty(t *testing.T, _ ZoneHarness, z storage.Zone) {
	// Processed and Rejected may not exist yet: that is an empty list.
	for _, f := range []storage.Folder{storage.Top, storage.Processed, storage.Rejected} {
		wantNames(t, z, f)
	}
	if s := z.String(); s == "" {
		t.Error("String() is empty")
	}
}

func testSeedListOpen(t *testing.T, h ZoneHarness, z storage.Zone) {
	objs := map[string][]byte{
		"empty.csv": {},
		"one.csv":   []byte("x"),
		"q4.csv":    Bytes(1, 100_000),
		"book.xlsx": Bytes(2, 4097),
		"noext":     []byte("no extension\n"),
		"UPPER.CSV": []byte("case kept\n"),
		"upper.csv": []byte("differs by case\n"),
	}
	for i, n := range slices.Sorted(maps.Keys(objs)) {
		h.Seed(t, z, storage.Top, n, objs[n], when.Add(time.Duration(i)*time.Hour))
	}
	got := wantNames(t, z, storage.Top, slices.Collect(maps.Keys(objs))...)
	for i, n := range slices.Sorted(maps.Keys(objs)) {
		o := got[n]
		if o.Size != int64(len(objs[n])) {
			t.Errorf("%q: Size = %d, want %d", n, o.Size, len(objs[n]))
		}
		h.checkModTime(t, o, when.Add(time.Duration(i)*time.Hour))
		wantContent(t, z, storage.Top, n, objs[n])
	}
}

func testStableDetection(t *testing.T, h ZoneHarness, z storage.Zone) {
	v1 := Bytes(3, 5000)
	h.Seed(t, z, storage.Top, "q4.csv", v1, when)
	a := listAll(t, z, storage.Top)["q4.csv"]
	b := listAll(t, z, storage.Top)["q4.csv"]
	if a != b {
		t.Fatalf("two Lists of an unchanged object differ: %+v then %+v", a, b)
	}
	// Same size, new content and mtime: a district re-uploading.
	v2 := Bytes(4, 5000)
	h.Seed(t, z, storage.Top, "q4.csv", v2, when.Add(time.Hour))
	c := listAll(t, z, storage.Top)["q4.csv"]
	if c == b {
		t.Fatalf("List after a change gives the same Size, ModTime and ETag: %+v", c)
	}
	h.checkModTime(t, c, when.Add(time.Hour))
	wantContent(t, z, storage.Top, "q4.csv", v2)
}

// AwkwardNames are names a district may well send.
var AwkwardNames = []string{
	"with space.csv",
	"Épping – data.csv",
	"quote'single.csv",
	`quote"double.csv`,
	"hash#1.csv",
	"percent%20.csv",
	"plus+and&amp.csv",
	"日本語.xlsx",
	"basildon..Q4.csv",
	"brackets [1] (2) {3}.csv",
	"semi;colon,comma.csv",
}

func testAwkwardNames(t *testing.T, h ZoneHarness, z storage.Zone) {
	for i, n := range AwkwardNames {
		h.Seed(t, z, storage.Top, n, []byte(n), when.Add(time.Duration(i)*time.Minute))
	}
	wantNames(t, z, storage.Top, AwkwardNames...)
	for _, n := range AwkwardNames {
		wantContent(t, z, storage.Top, n, []byte(n))
	}
	// Feedback round trip with awkward names too.
	var moved []string
	for _, n := range AwkwardNames {
		got, err := z.Move(t.Context(), Listed(t, z, n), storage.Rejected)
		if err != nil {
			t.Fatalf("Move %q: %v", n, err)
		}
		if got != n {
			t.Errorf("Move %q into an empty folder named it %q", n, got)
		}
		put(t, z, storage.Rejected, got+".report.txt", []byte("report on "+n))
		moved = append(moved, got, got+".report.txt")
	}
	wantNames(t, z, storage.Top)
	wantNames(t, z, storage.Rejected, moved...)
	for _, n := range AwkwardNames {
		wantContent(t, z, storage.Rejected, n, []byte(n))
		wantContent(t, z, storage.Rejected, n+".report.txt", []byte("report on "+n))
	}
}

func testMissing(t *testing.T, h ZoneHarness, z storage.Zone) {
	ctx := t.Context()
	h.Seed(t, z, storage.Top, "there.csv", []byte("x"), when)
	for _, f := range []storage.Folder{storage.Top, storage.Processed, storage.Rejected} {
		if rc, err := z.Open(ctx, f, "absent.csv"); !errors.Is(err, fs.ErrNotExist) {
			if err == nil {
				rc.Close()
			}
			t.Errorf("Open %q absent.csv: err = %v, want fs.ErrNotExist", f, err)
		}
		if err := z.Delete(ctx, f, "absent.csv"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Delete %q absent.csv: err = %v, want fs.ErrNotExist", f, err)
		}
	}
	if _, err := z.Move(ctx, storage.Object{Name: "absent.csv", Size: 1, ModTime: when}, storage.Processed); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Move absent.csv: err = %v, want fs.ErrNotExist", err)
	}
	if _, err := z.Open(ctx, storage.Processed, "there.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open processed/there.csv (only at the top): err = %v, want fs.ErrNotExist", err)
	}
	// A retry cannot cure a missing object.
	if _, err := z.Open(ctx, storage.Top, "absent.csv"); storage.IsTransient(err) {
		t.Errorf("Open of a missing object is marked transient: %v", err)
	}
}

// UnsafeNames are names every zone refuses with storage.ErrUnsafeName.
var UnsafeNames = []string{
	"", ".", "..", "../x.csv", "a/b.csv", "/etc/passwd", `a\b.csv`, `..\x.csv`,
	"x\x00.csv", "processed/x.csv", "x/..",
}

func testUnsafeNames(t *testing.T, h ZoneHarness, z storage.Zone) {
	ctx := t.Context()
	h.Seed(t, z, storage.Top, "ok.csv", []byte("ok"), when)
	for _, n := range UnsafeNames {
		if rc, err := z.Open(ctx, storage.Top, n); !errors.Is(err, storage.ErrUnsafeName) {
			if err == nil {
				rc.Close()
			}
			t.Errorf("Open %q: err = %v, want ErrUnsafeName", n, err)
		}
		if err := z.Put(ctx, storage.Rejected, n, strings.NewReader("x")); !errors.Is(err, storage.ErrUnsafeName) {
			t.Errorf("Put %q: err = %v, want ErrUnsafeName", n, err)
		}
		if err := z.Delete(ctx, storage.Top, n); !errors.Is(err, storage.ErrUnsafeName) {
			t.Errorf("Delete %q: err = %v, want ErrUnsafeName", n, err)
		}
		if _, err := z.Move(ctx, storage.Object{Name: n, Size: 2, ModTime: when}, storage.Processed); !errors.Is(err, storage.ErrUnsafeName) {
			t.Errorf("Move %q: err = %v, want ErrUnsafeName", n, err)
		}
	}
	for _, f := range []storage.Folder{"..", "../other", "processed/..", "/", "elsewhere"} {
		if err := z.List(ctx, f, func(storage.Object) error { return nil }); !errors.Is(err, storage.ErrUnsafeName) {
			t.Errorf("List folder %q: err = %v, want ErrUnsafeName", f, err)
		}
		if _, err := z.Move(ctx, Listed(t, z, "ok.csv"), f); !errors.Is(err, storage.ErrUnsafeName) {
			t.Errorf("Move to folder %q: err = %v, want ErrUnsafeName", f, err)
		}
	}
	if _, err := z.Move(ctx, Listed(t, z, "ok.csv"), storage.Top); err == nil {
		t.Error("Move to the top level succeeded, want an error")
	}
	// Nothing was harmed.
	wantNames(t, z, storage.Top, "ok.csv")
	wantNames(t, z, storage.Processed)
	wantNames(t, z, storage.Rejected)
}

func testListCancelledBefore(t *testing.T, h ZoneHarness, z storage.Zone) {
	h.Seed(t, z, storage.Top, "a.csv", []byte("a"), when)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := 0
	err := z.List(ctx, storage.Top, func(storage.Object) error { calls++; return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("List with a cancelled ctx: err = %v, want context.Canceled", err)
	}
	if calls != 0 {
		t.Errorf("List with a cancelled ctx called fn %d times", calls)
	}
}

func testListCancelledDuring(t *testing.T, h ZoneHarness, z storage.Zone) {
	for i := range 6 {
		h.Seed(t, z, storage.Top, string(rune('a'+i))+".csv", []byte{byte(i)}, when)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	calls := 0
	err := z.List(ctx, storage.Top, func(storage.Object) error {
		calls++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("List cancelled in the callback: err = %v, want context.Canceled", err)
	}
	if calls != 1 {
		t.Errorf("List called fn %d times, want 1 (no calls after ctx is cancelled)", calls)
	}
}

func testListCallbackError(t *testing.T, h ZoneHarness, z storage.Zone) {
	for i := range 3 {
		h.Seed(t, z, storage.Top, string(rune('a'+i))+".csv", []byte{byte(i)}, when)
	}
	stop := errors.New("stop here")
	calls := 0
	err := z.List(t.Context(), storage.Top, func(storage.Object) error { calls++; return stop })
	if err != stop { //nolint:errorlint // the contract says "returned as is"
		t.Errorf("List: err = %v, want the callback's error as is", err)
	}
	if calls != 1 {
		t.Errorf("List called fn %d times after it returned an error, want 1", calls)
	}
}

// LargeSize is the size of the suite's large objects: over 8 MiB, so
// block uploads and concurrent SFTP reads and writes are exercised.
const LargeSize = 9<<20 + 12345

func testLarge(t *testing.T, h ZoneHarness, z storage.Zone) {
	big := Bytes(5, LargeSize)
	h.Seed(t, z, storage.Top, "big.csv", big, when)
	if o := listAll(t, z, storage.Top)["big.csv"]; o.Size != LargeSize {
		t.Errorf("big.csv: Size = %d, want %d", o.Size, LargeSize)
	}
	wantContent(t, z, storage.Top, "big.csv", big)

	big2 := Bytes(6, LargeSize)
	put(t, z, storage.Processed, "big.report.txt", big2)
	wantContent(t, z, storage.Processed, "big.report.txt", big2)
}

func testMoveAndReport(t *testing.T, h ZoneHarness, z storage.Zone) {
	ctx := t.Context()
	a, b := Bytes(7, 3000), Bytes(8, 2000)
	h.Seed(t, z, storage.Top, "a.csv", a, when)
	h.Seed(t, z, storage.Top, "b.csv", b, when.Add(time.Hour))
	h.Seed(t, z, storage.Top, "stays.csv", []byte("s"), when)

	got, err := z.Move(ctx, Listed(t, z, "a.csv"), storage.Processed)
	if err != nil || got != "a.csv" {
		t.Fatalf(`Move a.csv to processed = %q, %v; want "a.csv", nil`, got, err)
	}
	got, err = z.Move(ctx, Listed(t, z, "b.csv"), storage.Rejected)
	if err != nil || got != "b.csv" {
		t.Fatalf(`Move b.csv to rejected = %q, %v; want "b.csv", nil`, got, err)
	}
	put(t, z, storage.Rejected, "b.csv.report.txt", []byte("row 2, field reason: bad code\n"))
	put(t, z, storage.Processed, "a.csv.report.txt", []byte("all rows accepted\n"))

	wantNames(t, z, storage.Top, "stays.csv")
	p := wantNames(t, z, storage.Processed, "a.csv", "a.csv.report.txt")
	r := wantNames(t, z, storage.Rejected, "b.csv", "b.csv.report.txt")
	if p["a.csv"].Size != int64(len(a)) || r["b.csv"].Size != int64(len(b)) {
		t.Errorf("moved sizes = %d, %d; want %d, %d", p["a.csv"].Size, r["b.csv"].Size, len(a), len(b))
	}
	wantContent(t, z, storage.Processed, "a.csv", a)
	wantContent(t, z, storage.Rejected, "b.csv", b)
	wantContent(t, z, storage.Rejected, "b.csv.report.txt", []byte("row 2, field reason: bad code\n"))
	if _, err := z.Open(ctx, storage.Top, "a.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open a.csv at the top after the move: err = %v, want fs.ErrNotExist", err)
	}
}

// Listed returns the top-level object name as z lists it, for Move. It
// fails t when z cannot list or does not list name.
func Listed(t *testing.T, z storage.Zone, name string) storage.Object {
	t.Helper()
	o, ok := listAll(t, z, storage.Top)[name]
	if !ok {
		t.Fatalf("%s is not listed at the top level", name)
	}
	return o
}

// testMoveChanged replaces an object after it was listed: Move refuses
// with ErrChanged and leaves the new version where it is, untouched.
func testMoveChanged(t *testing.T, h ZoneHarness, z storage.Zone) {
	ctx := t.Context()
	h.Seed(t, z, storage.Top, "q.csv", Bytes(9, 1000), when)
	old := Listed(t, z, "q.csv")
	newer := Bytes(10, 1200)
	h.Seed(t, z, storage.Top, "q.csv", newer, when.Add(time.Hour))
	for _, to := range []storage.Folder{storage.Processed, storage.Rejected} {
		got, err := z.Move(ctx, old, to)
		if !errors.Is(err, storage.ErrChanged) {
			t.Fatalf("Move of a replaced object to %s = %q, %v; want an ErrChanged error", to, got, err)
		}
		if storage.IsTransient(err) {
			t.Errorf("ErrChanged is marked transient: %v", err)
		}
	}
	wantNames(t, z, storage.Top, "q.csv")
	wantNames(t, z, storage.Processed)
	wantNames(t, z, storage.Rejected)
	wantContent(t, z, storage.Top, "q.csv", newer)
	// The version now listed moves.
	if got, err := z.Move(ctx, Listed(t, z, "q.csv"), storage.Processed); err != nil || got != "q.csv" {
		t.Fatalf(`Move of the version listed = %q, %v; want "q.csv", nil`, got, err)
	}
	wantContent(t, z, storage.Processed, "q.csv", newer)
}

func testMoveClash(t *testing.T, h ZoneHarness, z storage.Zone) {
	ctx := t.Context()
	var all []string
	contents := map[string][]byte{}
	for i := range 3 {
		data := []byte(strings.Repeat(string(rune('a'+i)), 10+i))
		h.Seed(t, z, storage.Top, "data.csv", data, when.Add(time.Duration(i)*time.Hour))
		got, err := z.Move(ctx, Listed(t, z, "data.csv"), storage.Processed)
		if err != nil {
			t.Fatalf("Move %d: %v", i, err)
		}
		if i == 0 && got != "data.csv" {
			t.Fatalf("first Move named it %q, want data.csv", got)
		}
		if err := storage.CheckName(got); err != nil {
			t.Fatalf("Move %d gave an unsafe name: %v", i, err)
		}
		if i > 0 && (got == "data.csv" || !strings.HasPrefix(got, "data.") || !strings.HasSuffix(got, ".csv")) {
			t.Errorf("Move %d on a clash named it %q, want data.<timestamp>.csv", i, got)
		}
		if slices.Contains(all, got) {
			t.Fatalf("Move %d reused the name %q", i, got)
		}
		all = append(all, got)
		contents[got] = data
	}
	wantNames(t, z, storage.Top)
	wantNames(t, z, storage.Processed, all...)
	for n, data := range contents {
		wantContent(t, z, storage.Processed, n, data)
	}
}

// failingReader yields n bytes of data, then fails.
type failingReader struct {
	r   io.Reader
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

// ErrHalfway is the error the suite's failing readers return.
var ErrHalfway = errors.New("reader failed halfway")

// halfway returns a reader giving the first half of data and then
// ErrHalfway.
func halfway(data []byte) io.Reader {
	return &failingReader{r: bytes.NewReader(data[:len(data)/2]), err: ErrHalfway}
}

func testPutAtomic(t *testing.T, h ZoneHarness, z storage.Zone) {
	ctx := t.Context()
	v1 := Bytes(9, 300_000)
	put(t, z, storage.Rejected, "r.txt", v1)

	if err := z.Put(ctx, storage.Rejected, "r.txt", halfway(Bytes(10, 2<<20))); err == nil {
		t.Fatal("Put from a failing reader succeeded")
	} else if !errors.Is(err, ErrHalfway) {
		t.Errorf("Put from a failing reader: err = %v, want it to wrap the reader's error", err)
	}
	if err := z.Put(ctx, storage.Rejected, "new.txt", halfway(Bytes(11, 2<<20))); err == nil {
		t.Fatal("Put of a new name from a failing reader succeeded")
	}
	o := wantNames(t, z, storage.Rejected, "r.txt")
	if o["r.txt"].Size != int64(len(v1)) {
		t.Errorf("r.txt after a failed Put: Size = %d, want %d", o["r.txt"].Size, len(v1))
	}
	wantContent(t, z, storage.Rejected, "r.txt", v1)
	if _, err := z.Open(ctx, storage.Rejected, "new.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open new.txt after a failed Put: err = %v, want fs.ErrNotExist", err)
	}

	// A cancelled Put also leaves the old object.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := z.Put(cctx, storage.Rejected, "r.txt", bytes.NewReader(Bytes(12, 1000))); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled ctx: err = %v, want context.Canceled", err)
	}
	wantContent(t, z, storage.Rejected, "r.txt", v1)

	// And an overwrite works.
	v2 := []byte("second version\n")
	put(t, z, storage.Rejected, "r.txt", v2)
	wantContent(t, z, storage.Rejected, "r.txt", v2)
	wantNames(t, z, storage.Rejected, "r.txt")
	wantNames(t, z, storage.Top)
}

func testDelete(t *testing.T, h ZoneHarness, z storage.Zone) {
	ctx := t.Context()
	h.Seed(t, z, storage.Top, "gone.csv", []byte("x"), when)
	h.Seed(t, z, storage.Top, "kept.csv", []byte("y"), when)
	put(t, z, storage.Processed, "gone.report.txt", []byte("z"))
	if err := z.Delete(ctx, storage.Top, "gone.csv"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := z.Delete(ctx, storage.Processed, "gone.report.txt"); err != nil {
		t.Fatalf("Delete processed: %v", err)
	}
	wantNames(t, z, storage.Top, "kept.csv")
	wantNames(t, z, storage.Processed)
	if err := z.Delete(ctx, storage.Top, "gone.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second Delete: err = %v, want fs.ErrNotExist", err)
	}
}

func testConcurrent(t *testing.T, h ZoneHarness, z storage.Zone) {
	const n = 8
	data := make([][]byte, n)
	for i := range n {
		data[i] = Bytes(uint64(100+i), 200_000+i)
		h.Seed(t, z, storage.Top, name(i), data[i], when)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	for i := range n {
		wg.Go(func() {
			ctx := t.Context()
			rc, err := z.Open(ctx, storage.Top, name(i))
			if err != nil {
				errs <- err
				return
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				errs <- err
				return
			}
			if !bytes.Equal(b, data[i]) {
				errs <- errors.New("concurrent read of " + name(i) + " gave other bytes")
			}
			if err := z.Put(ctx, storage.Processed, name(i)+".report.txt", bytes.NewReader(data[i][:1000])); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var want []string
	for i := range n {
		want = append(want, name(i)+".report.txt")
	}
	wantNames(t, z, storage.Processed, want...)
}

func name(i int) string { return "f" + string(rune('0'+i)) + ".csv" }

func testDroppedMidRead(t *testing.T, h ZoneHarness, z storage.Zone) {
	if h.Drop == nil {
		t.Skip("the harness cannot drop connections (no connection to drop)")
	}
	// Large enough that socket and client buffers cannot hold it all.
	big := Bytes(13, 24<<20)
	h.Seed(t, z, storage.Top, "big.csv", big, when)
	rc, err := z.Open(t.Context(), storage.Top, "big.csv")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	head := make([]byte, 64<<10)
	if _, err := io.ReadFull(rc, head); err != nil {
		t.Fatalf("reading before the drop: %v", err)
	}
	h.Drop(t, z)
	rest, err := io.ReadAll(rc)
	rc.Close()
	if err == nil {
		t.Fatalf("read after the drop ended cleanly after %d more bytes of %d", len(rest), len(big)-len(head))
	}
	if !storage.IsTransient(err) {
		t.Errorf("read error after the drop is not transient: %v", err)
	}
	// The next call reconnects.
	wantContent(t, z, storage.Top, "big.csv", big)
	wantNames(t, z, storage.Top, "big.csv")
}

// testLongNames: names up to the file systems' 255 bytes are listed,
// read and moved, also into a folder where the name is taken, and each
// gets its report under storage.ReportName.
func testLongNames(t *testing.T, h ZoneHarness, z storage.Zone) {
	ctx := t.Context()
	names := []string{strings.Repeat("l", 246) + ".csv", strings.Repeat("m", 251) + ".csv"}
	for round := range 2 {
		for i, n := range names {
			h.Seed(t, z, storage.Top, n, []byte(n[:1]), when.Add(time.Duration(round*10+i)*time.Minute))
		}
		wantNames(t, z, storage.Top, names...)
		for _, n := range names {
			wantContent(t, z, storage.Top, n, []byte(n[:1]))
			got, err := z.Move(ctx, Listed(t, z, n), storage.Rejected)
			if err != nil {
				t.Fatalf("Move %d-byte name (round %d): %v", len(n), round, err)
			}
			if len(got) > storage.MaxNameBytes {
				t.Errorf("Move named it %d bytes", len(got))
			}
			report := storage.ReportName(got)
			put(t, z, storage.Rejected, report, []byte("report"))
			wantContent(t, z, storage.Rejected, report, []byte("report"))
		}
	}
	wantNames(t, z, storage.Top)
}
