package audit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestCopySegments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, _ := build(t, t.TempDir(), []time.Time{date(2023, 1, 1), date(2024, 1, 1), date(2025, 1, 1), date(2025, 2, 1)})
	l.Now = func() time.Time { return date(2025, 3, 1) }

	// Appends go on while the copy runs; every copy is a whole-line
	// prefix of the file as it ends up.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 50 {
			if _, err := l.Append(ctx, Entry{Event: EventOutputWrite}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	copied := map[string][]byte{}
	var order []string
	err := l.CopySegments(ctx, func(name string, r io.Reader) error {
		b, err := io.ReadAll(r)
		copied[name] = b
		order = append(order, name)
		return err
	})
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"audit-2023.jsonl", "audit-2024.jsonl", LiveName}; !reflect.DeepEqual(order, want) {
		t.Fatalf("copied %v, want %v", order, want)
	}
	for name, b := range copied {
		full, err := os.ReadFile(filepath.Join(l.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 || b[len(b)-1] != '\n' || !bytes.HasPrefix(full, b) {
			t.Errorf("%s: copy of %d bytes is not a whole-line prefix of the %d-byte file", name, len(b), len(full))
		}
	}

	// The copies verify on their own.
	dst := t.TempDir()
	for name, b := range copied {
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	mustVerify(t, dst, "")

	stop := errors.New("stop")
	n := 0
	if err := l.CopySegments(ctx, func(string, io.Reader) error { n++; return stop }); err != stop || n != 1 {
		t.Fatalf("CopySegments = %v after %d calls", err, n)
	}
}
