package audit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzVerify feeds arbitrary bytes to Verify, Show and Open as the live
// file. None may panic; and when Verify finds the chain whole, Open must
// succeed and an appended entry must keep it whole.
func FuzzVerify(f *testing.F) {
	for _, name := range []string{"audit-2024.jsonl", LiveName} {
		b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		lines := bytes.SplitAfter(b, []byte("\n"))
		f.Add(bytes.Join(lines[:1], nil))
		f.Add(b[:len(b)-10])
		f.Add(bytes.Replace(b, []byte("accepted"), []byte("rejected"), 1))
	}
	f.Add([]byte(""))
	f.Add([]byte("\n\n"))
	f.Add([]byte(`{"seq":1,"hash":"` + ZeroHash + `"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, LiveName), data, 0o640); err != nil {
			t.Fatal(err)
		}
		p, err := Verify(ctx, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if p != nil && (p.Reason == "" || p.Line < 1 || p.File != LiveName) {
			t.Fatalf("malformed problem %+v", p)
		}
		_ = Show(ctx, dir, time.Time{}, func(Entry) error { return nil })
		l, err := Open(ctx, dir)
		if p == nil && err != nil && len(data) > 0 {
			t.Fatalf("Verify found a whole chain but Open failed: %v", err)
		}
		if err != nil {
			if !errors.Is(err, ErrPartialTail) && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: unexpected error %v", err)
			}
			return
		}
		defer l.Close()
		l.Now = func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }
		if _, err := l.Append(ctx, Entry{Event: EventCycleStart}); err != nil {
			t.Fatal(err)
		}
		_, head := l.Head()
		p2, err := Verify(ctx, dir, head)
		if err != nil {
			t.Fatal(err)
		}
		if p == nil && p2 != nil {
			t.Fatalf("a whole chain broke after Append: %s", p2)
		}
	})
}

// FuzzAppend appends entries with arbitrary strings and checks that Show
// gives them back and Verify finds the chain whole.
func FuzzAppend(f *testing.F) {
	f.Add("basildon", "Q3 <final> & \"x\".csv", "reason", "line\nbreak\t\u2028", int64(7))
	f.Add("", "", "k", "", int64(-1))
	f.Add("p", "\x00\xff", "\"hash\":\"", `,"hash":"`+ZeroHash+`"}`, int64(1<<62))
	f.Fuzz(func(t *testing.T, partner, object, key, value string, n int64) {
		if key == "" {
			key = "k"
		}
		ctx := context.Background()
		dir := t.TempDir()
		l, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		in := Entry{Event: EventFileVerdict, Partner: partner, Object: object, Data: map[string]any{key: value, "n": n}}
		written, err := l.Append(ctx, in)
		if err != nil {
			if len(object)+len(partner)+len(key)+len(value) > MaxEntryBytes/8 {
				return
			}
			t.Fatal(err)
		}
		mustVerify(t, dir, written.Hash)
		var got Entry
		if err := Show(ctx, dir, time.Time{}, func(e Entry) error { got = e; return nil }); err != nil {
			t.Fatal(err)
		}
		if got.Hash != written.Hash || got.Seq != 1 {
			t.Fatalf("Show gave %+v, want %+v", got, written)
		}
		// encoding/json writes invalid UTF-8 as U+FFFD; compare valid text.
		if utf8.ValidString(partner) && got.Partner != partner {
			t.Errorf("partner %q came back as %q", partner, got.Partner)
		}
		if utf8.ValidString(object) && got.Object != object {
			t.Errorf("object %q came back as %q", object, got.Object)
		}
		if utf8.ValidString(key) && utf8.ValidString(value) && got.Data[key] != value && key != "n" {
			t.Errorf("data %q=%q came back as %v", key, value, got.Data[key])
		}
	})
}
