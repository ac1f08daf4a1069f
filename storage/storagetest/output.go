package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"slices"
	"testing"

	"landingd/storage"
)

// OutputHarness tells RunOutputSuite how to make a backend's outputs.
type OutputHarness struct {
	// New returns an output over a fresh, empty root for one case. The
	// suite closes it when the case ends.
	New func(t *testing.T) storage.Output
}

// RunOutputSuite runs the output conformance cases against h, each as a
// subtest with a fresh output from h.New.
func RunOutputSuite(t *testing.T, h OutputHarness) {
	if h.New == nil {
		t.Fatal("storagetest: OutputHarness needs New")
	}
	cases := []struct {
		name string
		fn   func(t *testing.T, o storage.Output)
	}{
		{"RoundTrip", testOutRoundTrip},
		{"Overwrite", testOutOverwrite},
		{"FailedPut", testOutFailedPut},
		{"List", testOutList},
		{"ListCancelled", testOutListCancelled},
		{"Delete", testOutDelete},
		{"Missing", testOutMissing},
		{"UnsafeNames", testOutUnsafe},
		{"Large", testOutLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := h.New(t)
			closeAtEnd(t, o)
			c.fn(t, o)
		})
	}
}

func outPut(t *testing.T, o storage.Output, name string, data []byte) {
	t.Helper()
	if err := o.Put(t.Context(), name, bytes.NewReader(data)); err != nil {
		t.Fatalf("Put %q: %v", name, err)
	}
}

func outWant(t *testing.T, o storage.Output, name string, want []byte) {
	t.Helper()
	rc, err := o.Get(t.Context(), name)
	if err != nil {
		t.Fatalf("Get %q: %v", name, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %q: %v", name, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("content of %q: %d bytes (sha256 %x), want %d bytes (sha256 %x)",
			name, len(got), sha256.Sum256(got), len(want), sha256.Sum256(want))
	}
}

func outList(t *testing.T, o storage.Output, prefix string, want ...string) {
	t.Helper()
	var got []string
	if err := o.List(t.Context(), prefix, func(n string) error { got = append(got, n); return nil }); err != nil {
		t.Fatalf("List %q: %v", prefix, err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("List %q = %q, want %q", prefix, got, want)
	}
}

func testOutRoundTrip(t *testing.T, o storage.Output) {
	for i, n := range []string{"2025Q4/combined.csv", "top.csv", "2025Q4/by-district/Épping – data.xlsx", "a/b/c/d/e.csv"} {
		data := Bytes(uint64(200+i), 10_000*i)
		outPut(t, o, n, data)
		outWant(t, o, n, data)
	}
	if s := o.String(); s == "" {
		t.Error("String() is empty")
	}
}

func testOutOverwrite(t *testing.T, o storage.Output) {
	outPut(t, o, "2025Q4/combined.csv", []byte("v1\n"))
	outPut(t, o, "2025Q4/combined.csv", []byte("version two\n"))
	outWant(t, o, "2025Q4/combined.csv", []byte("version two\n"))
	outList(t, o, "", "2025Q4/combined.csv")
}

func testOutFailedPut(t *testing.T, o storage.Output) {
	v1 := Bytes(210, 100_000)
	outPut(t, o, "2025Q4/combined.csv", v1)
	err := o.Put(t.Context(), "2025Q4/combined.csv", halfway(Bytes(211, 2<<20)))
	if err == nil {
		t.Fatal("Put from a failing reader succeeded")
	} else if !errors.Is(err, ErrHalfway) {
		t.Errorf("Put from a failing reader: err = %v, want it to wrap the reader's error", err)
	}
	if err := o.Put(t.Context(), "2026Q1/new.csv", halfway(Bytes(212, 1<<20))); err == nil {
		t.Fatal("Put of a new name from a failing reader succeeded")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := o.Put(ctx, "2025Q4/combined.csv", bytes.NewReader([]byte("x"))); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled ctx: err = %v, want context.Canceled", err)
	}
	outWant(t, o, "2025Q4/combined.csv", v1)
	outList(t, o, "", "2025Q4/combined.csv")
	if _, err := o.Get(t.Context(), "2026Q1/new.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Get after a failed Put of a new name: err = %v, want fs.ErrNotExist", err)
	}
}

func testOutList(t *testing.T, o storage.Output) {
	all := []string{"2025Q4/combined.csv", "2025Q4/combined.xlsx", "2025Q4/sub/deep.csv", "2026Q1/combined.csv", "readme.txt"}
	for _, n := range all {
		outPut(t, o, n, []byte(n))
	}
	outList(t, o, "", all...)
	outList(t, o, "2025Q4/", "2025Q4/combined.csv", "2025Q4/combined.xlsx", "2025Q4/sub/deep.csv")
	outList(t, o, "2025Q4/sub/", "2025Q4/sub/deep.csv")
	outList(t, o, "2027Q1/")

	stop := errors.New("stop")
	calls := 0
	if err := o.List(t.Context(), "", func(string) error { calls++; return stop }); err != stop { //nolint:errorlint // returned as is
		t.Errorf("List: err = %v, want the callback's error as is", err)
	}
	if calls != 1 {
		t.Errorf("List called fn %d times after it returned an error, want 1", calls)
	}
}

func testOutListCancelled(t *testing.T, o storage.Output) {
	for _, n := range []string{"a/1.csv", "a/2.csv", "b/3.csv", "4.csv"} {
		outPut(t, o, n, []byte(n))
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := o.List(ctx, "", func(string) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("List with a cancelled ctx: err = %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	calls := 0
	err := o.List(ctx, "", func(string) error { calls++; cancel(); return nil })
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("List cancelled in the callback: err = %v after %d calls, want context.Canceled after 1", err, calls)
	}
}

func testOutDelete(t *testing.T, o storage.Output) {
	outPut(t, o, "2025Q4/sub/gone.csv", []byte("x"))
	outPut(t, o, "2025Q4/kept.csv", []byte("y"))
	if err := o.Delete(t.Context(), "2025Q4/sub/gone.csv"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	outList(t, o, "", "2025Q4/kept.csv")
	if _, err := o.Get(t.Context(), "2025Q4/sub/gone.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Get after Delete: err = %v, want fs.ErrNotExist", err)
	}
	if err := o.Delete(t.Context(), "2025Q4/sub/gone.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second Delete: err = %v, want fs.ErrNotExist", err)
	}
	// The folder can be written again after it was emptied.
	outPut(t, o, "2025Q4/sub/again.csv", []byte("z"))
	outWant(t, o, "2025Q4/sub/again.csv", []byte("z"))
}

func testOutMissing(t *testing.T, o storage.Output) {
	outPut(t, o, "2025Q4/combined.csv", []byte("x"))
	for _, n := range []string{"absent.csv", "2025Q4/absent.csv", "2024Q1/combined.csv"} {
		if rc, err := o.Get(t.Context(), n); !errors.Is(err, fs.ErrNotExist) {
			if err == nil {
				rc.Close()
			}
			t.Errorf("Get %q: err = %v, want fs.ErrNotExist", n, err)
		} else if storage.IsTransient(err) {
			t.Errorf("Get %q: a missing name is marked transient: %v", n, err)
		}
	}
}

// UnsafePaths are output names every output refuses with
// storage.ErrUnsafeName.
var UnsafePaths = []string{
	"", "/abs.csv", "../up.csv", "a/../../up.csv", "a/../b.csv", "./a.csv", "a//b.csv", "a/", `a\b.csv`,
	"a\x00.csv", "..", ".", ".hidden.csv", "2025Q4/.tmp.csv",
}

func testOutUnsafe(t *testing.T, o storage.Output) {
	ctx := t.Context()
	for _, n := range UnsafePaths {
		if err := o.Put(ctx, n, bytes.NewReader([]byte("x"))); !errors.Is(err, storage.ErrUnsafeName) {
			t.Errorf("Put %q: err = %v, want ErrUnsafeName", n, err)
		}
		if rc, err := o.Get(ctx, n); !errors.Is(err, storage.ErrUnsafeName) {
			if err == nil {
				rc.Close()
			}
			t.Errorf("Get %q: err = %v, want ErrUnsafeName", n, err)
		}
		if err := o.Delete(ctx, n); !errors.Is(err, storage.ErrUnsafeName) {
			t.Errorf("Delete %q: err = %v, want ErrUnsafeName", n, err)
		}
	}
	outList(t, o, "")
}

func testOutLarge(t *testing.T, o storage.Output) {
	big := Bytes(220, LargeSize)
	outPut(t, o, "2025Q4/big.csv", big)
	outWant(t, o, "2025Q4/big.csv", big)
}
