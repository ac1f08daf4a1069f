package safetext

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

// noTime drops the time, so that log lines compare exactly.
func noTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

type named struct {
	Name  string   `json:"name"`
	Sizes []int    `json:"sizes"`
	Tags  []string `json:"tags"`
}

// unmarshalable has no JSON form (a func field), so it is shown by fmt.
type unmarshalable struct {
	F func()
	S string
}

func TestHandler(t *testing.T) {
	t.Parallel()
	hostile := "q4\x1b[2J\u009b31m\u202egsx\x00\n.csv"
	const esc = `q4\x1b[2J\u009b31m\u202egsx\x00\x0a.csv`
	tests := []struct {
		name      string
		log       func(l *slog.Logger)
		json, txt string
	}{{
		name: "plain record passes as it is",
		log:  func(l *slog.Logger) { l.Info("file taken", "object", "basildon_2025Q4.csv", "rows", 12) },
		json: `{"level":"INFO","msg":"file taken","object":"basildon_2025Q4.csv","rows":12}`,
		txt:  `level=INFO msg="file taken" object=basildon_2025Q4.csv rows=12`,
	}, {
		name: "string value",
		log:  func(l *slog.Logger) { l.Info("file taken", "object", hostile) },
		json: `{"level":"INFO","msg":"file taken","object":"` + strings.ReplaceAll(esc, `\`, `\\`) + `"}`,
		txt:  `level=INFO msg="file taken" object=` + esc,
	}, {
		name: "message and key",
		log:  func(l *slog.Logger) { l.Warn("take "+"a\u2066b", "k\x1b", "v") },
		json: `{"level":"WARN","msg":"take a\\u2066b","k\\x1b":"v"}`,
		txt:  `level=WARN msg="take a\\u2066b" k\x1b=v`,
	}, {
		name: "error value",
		log:  func(l *slog.Logger) { l.Error("take file", "err", errors.New("open "+hostile+": denied")) },
		json: `{"level":"ERROR","msg":"take file","err":"open ` + strings.ReplaceAll(esc, `\`, `\\`) + `: denied"}`,
		txt:  `level=ERROR msg="take file" err="open ` + strings.ReplaceAll(esc, `\`, `\\`) + `: denied"`,
	}, {
		name: "error with nothing to escape",
		log:  func(l *slog.Logger) { l.Error("take file", "err", errors.New("zone unreachable")) },
		json: `{"level":"ERROR","msg":"take file","err":"zone unreachable"}`,
		txt:  `level=ERROR msg="take file" err="zone unreachable"`,
	}, {
		name: "with attrs and group",
		log: func(l *slog.Logger) {
			l.With("object", "a\u0085b").WithGroup("g\rh").Info("judged", slog.Group("rows", "note", "x\u202ey", "n", 3))
		},
		json: `{"level":"INFO","msg":"judged","object":"a\\u0085b","g\\x0dh":{"rows":{"note":"x\\u202ey","n":3}}}`,
		txt:  `level=INFO msg=judged object=a\u0085b g\x0dh.rows.note=x\u202ey g\x0dh.rows.n=3`,
	}, {
		name: "struct keeps its shape",
		log: func(l *slog.Logger) {
			l.Info("files", "f", named{Name: "a\u009bb", Sizes: []int{1}, Tags: []string{"\u2067"}})
		},
		json: `{"level":"INFO","msg":"files","f":{"name":"a\\u009bb","sizes":[1],"tags":["\\u2067"]}}`,
		txt:  `level=INFO msg=files f="map[name:a\\u009bb sizes:[1] tags:[\\u2067]]"`,
	}, {
		name: "list of names",
		log:  func(l *slog.Logger) { l.Info("waiting", "objects", []string{"ok.csv", "b\x1bc"}) },
		json: `{"level":"INFO","msg":"waiting","objects":["ok.csv","b\\x1bc"]}`,
		txt:  `level=INFO msg=waiting objects="[ok.csv b\\x1bc]"`,
	}, {
		name: "value with no JSON form",
		log:  func(l *slog.Logger) { l.Info("odd", "v", unmarshalable{S: "\x1b"}) },
		json: `{"level":"INFO","msg":"odd","v":"{F:<nil> S:\\x1b}"}`,
		txt:  `level=INFO msg=odd v="{F:<nil> S:\\x1b}"`,
	}, {
		name: "numbers, times and durations pass",
		log: func(l *slog.Logger) {
			l.Info("took", "d", 1500*time.Millisecond, "at", time.Date(2026, 1, 7, 6, 0, 0, 0, time.UTC), "ok", true)
		},
		json: `{"level":"INFO","msg":"took","d":1500000000,"at":"2026-01-07T06:00:00Z","ok":true}`,
		txt:  `level=INFO msg=took d=1.5s at=2026-01-07T06:00:00.000Z ok=true`,
	}}
	for _, tt := range tests {
		var jb, tb bytes.Buffer
		opts := &slog.HandlerOptions{ReplaceAttr: noTime}
		tt.log(slog.New(NewHandler(slog.NewJSONHandler(&jb, opts))))
		tt.log(slog.New(NewHandler(slog.NewTextHandler(&tb, opts))))
		if got := strings.TrimSuffix(jb.String(), "\n"); got != tt.json {
			t.Errorf("%s: JSON\n got %s\nwant %s", tt.name, got, tt.json)
		}
		if got := strings.TrimSuffix(tb.String(), "\n"); got != tt.txt {
			t.Errorf("%s: text\n got %s\nwant %s", tt.name, got, tt.txt)
		}
	}
}

// A level the wrapped handler does not handle is not handled.
func TestHandlerEnabled(t *testing.T) {
	t.Parallel()
	h := NewHandler(slog.NewJSONHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if h.Enabled(context.Background(), slog.LevelDebug) || !h.Enabled(context.Background(), slog.LevelWarn) {
		t.Error("Enabled does not follow the wrapped handler")
	}
	if NewHandler(h) != h {
		t.Error("NewHandler wraps a Handler twice")
	}
}

// FuzzHandler checks that no character Escape escapes reaches a log line,
// in either of slog's formats, whatever the text in the message, keys,
// group names, string values, errors and lists: not raw, and not in a
// JSON string once decoded.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{"", "basildon.csv", "a\x1b[31mb", "\u202e", "\u0085", "\x00\n", `\`, "\xff", "日本\u2028"} {
		f.Add(s, s+"x", s+"y")
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		log := func(l *slog.Logger) {
			l.With(a, b).WithGroup(c).Info(a, b, c, "err", errors.New(b), "list", []string{c, a},
				slog.Group(b, "n", 1, a, c), "s", named{Name: c, Tags: []string{a}})
		}
		var jb, tb bytes.Buffer
		log(slog.New(NewHandler(slog.NewJSONHandler(&jb, nil))))
		log(slog.New(NewHandler(slog.NewTextHandler(&tb, nil))))
		for _, out := range []string{jb.String(), tb.String()} {
			line, ok := strings.CutSuffix(out, "\n")
			if !ok || needsEscapeExceptBackslash(line) {
				t.Fatalf("log line %q holds a character to escape", out)
			}
		}
		var decoded any
		if err := json.Unmarshal(jb.Bytes(), &decoded); err != nil {
			t.Fatalf("JSON log line %q: %v", jb.String(), err)
		}
		if jsonNeedsEscapeExceptBackslash(decoded) {
			t.Fatalf("JSON log line %q holds, decoded, a character to escape", jb.String())
		}
	})
}

// needsEscapeExceptBackslash reports whether s holds a character Escape
// escapes other than the backslash (which the handlers' own quoting
// writes).
func needsEscapeExceptBackslash(s string) bool {
	return needsEscape(strings.ReplaceAll(s, `\`, ""))
}

func jsonNeedsEscapeExceptBackslash(v any) bool {
	switch v := v.(type) {
	case string:
		return needsEscapeExceptBackslash(v)
	case []any:
		for _, e := range v {
			if jsonNeedsEscapeExceptBackslash(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if needsEscapeExceptBackslash(k) || jsonNeedsEscapeExceptBackslash(e) {
				return true
			}
		}
	}
	return false
}

func TestEscapeAll(t *testing.T) {
	t.Parallel()
	clean := map[string]any{"rows": 20, "rule": "extra-label"}
	if got := EscapeAll(clean); !reflect.DeepEqual(got, clean) {
		t.Errorf("EscapeAll(%v) = %v, want it as it is", clean, got)
	}
	in := map[string]any{"rows": 20, "columns": []named{{Name: "x\x1b]0;t\x07\u202e"}}, "k\u0085": true}
	want := map[string]any{"rows": 20.0, "columns": []any{map[string]any{"name": `x\x1b]0;t\x07\u202e`, "sizes": nil, "tags": nil}},
		`k\u0085`: true}
	if got := EscapeAll(in); !reflect.DeepEqual(got, want) {
		t.Errorf("EscapeAll(%v) = %#v, want %#v", in, got, want)
	}
}
