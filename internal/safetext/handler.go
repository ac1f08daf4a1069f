package safetext

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
)

// Handler is a slog.Handler that escapes, with Escape, every text a log
// record carries before the handler it wraps writes it: the message, the
// keys, the group names, string values, the text of error values, and the
// strings inside any other value. Numbers, times, durations and booleans
// pass as they are. So a file name or a header a district chose reaches a
// log line, in whatever format the wrapped handler writes, with no control
// character, bidirectional override or invalid byte in it. (The JSON
// handler escapes only C0 controls; the text handler quotes by its own
// rule.) A record with nothing to escape is passed on as it is.
type Handler struct {
	h slog.Handler
}

// NewHandler returns a Handler that writes through h.
func NewHandler(h slog.Handler) *Handler {
	if sh, ok := h.(*Handler); ok {
		return sh
	}
	return &Handler{h: h}
}

// Enabled reports whether the wrapped handler handles level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.h.Enabled(ctx, level)
}

// Handle escapes r's message and attributes and passes the record on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	changed := needsEscape(r.Message)
	if !changed {
		r.Attrs(func(a slog.Attr) bool {
			_, changed = escapeAttr(a)
			return !changed
		})
	}
	if !changed {
		return h.h.Handle(ctx, r)
	}
	out := slog.NewRecord(r.Time, r.Level, Escape(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		a, _ = escapeAttr(a)
		out.AddAttrs(a)
		return true
	})
	return h.h.Handle(ctx, out)
}

// WithAttrs returns a Handler whose wrapped handler has attrs, escaped.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	esc := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		esc[i], _ = escapeAttr(a)
	}
	return &Handler{h: h.h.WithAttrs(esc)}
}

// WithGroup returns a Handler whose wrapped handler opens the group name,
// escaped.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{h: h.h.WithGroup(Escape(name))}
}

// escapeAttr returns a with its key and value escaped, and whether that
// changed anything.
func escapeAttr(a slog.Attr) (slog.Attr, bool) {
	changed := false
	if needsEscape(a.Key) {
		a.Key, changed = Escape(a.Key), true
	}
	v := a.Value.Resolve()
	if v.Kind() != a.Value.Kind() {
		changed = true
	}
	switch v.Kind() {
	case slog.KindString:
		if s := v.String(); needsEscape(s) {
			v, changed = slog.StringValue(Escape(s)), true
		}
	case slog.KindGroup:
		group := v.Group()
		esc := make([]slog.Attr, len(group))
		for i, ga := range group {
			var c bool
			esc[i], c = escapeAttr(ga)
			changed = changed || c
		}
		if changed {
			v = slog.GroupValue(esc...)
		}
	case slog.KindAny:
		var c bool
		v, c = escapeAny(v.Any())
		changed = changed || c
	}
	a.Value = v
	return a, changed
}

// escapeAny escapes the text in a value of slog.KindAny. An error becomes
// its escaped text, which is how both of slog's handlers show an error.
// Any other value is shown as the handlers show it (as JSON, or by fmt):
// when neither form holds a character to escape, the value is left as it
// is; otherwise it is replaced by its JSON form decoded into plain maps,
// lists and strings with every string escaped, which keeps its shape, or,
// when it has no JSON form, by its escaped fmt text.
func escapeAny(x any) (slog.Value, bool) {
	switch x := x.(type) {
	case nil:
		return slog.AnyValue(nil), false
	case error:
		if s := x.Error(); needsEscape(s) {
			return slog.StringValue(Escape(s)), true
		}
		return slog.AnyValue(x), false
	}
	text := fmt.Sprintf("%+v", x)
	var plain any
	raw, err := json.Marshal(x)
	if err == nil {
		err = json.Unmarshal(raw, &plain)
	}
	if err != nil {
		if needsEscape(text) {
			return slog.StringValue(Escape(text)), true
		}
		return slog.AnyValue(x), false
	}
	if !needsEscape(text) && !jsonNeedsEscape(plain) {
		return slog.AnyValue(x), false
	}
	return slog.AnyValue(escapeJSON(plain)), true
}

// jsonNeedsEscape reports whether a value decoded from JSON holds a
// string, or a key, that Escape would change.
func jsonNeedsEscape(v any) bool {
	switch v := v.(type) {
	case string:
		return needsEscape(v)
	case []any:
		for _, e := range v {
			if jsonNeedsEscape(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if needsEscape(k) || jsonNeedsEscape(e) {
				return true
			}
		}
	}
	return false
}

// escapeJSON escapes every string, keys included, in a value decoded from
// JSON.
func escapeJSON(v any) any {
	switch v := v.(type) {
	case string:
		return Escape(v)
	case []any:
		for i, e := range v {
			v[i] = escapeJSON(e)
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[Escape(k)] = escapeJSON(e)
		}
		return out
	}
	return v
}

// EscapeAll returns v with every string in it, map keys included,
// escaped (Escape): v itself when none needs escaping or v has no JSON
// form, and otherwise v's JSON form decoded into plain maps, lists,
// strings, numbers and booleans, with the strings escaped. It is for
// structured fields that reach an operator, such as an alert's details.
func EscapeAll(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var plain any
	if err := json.Unmarshal(raw, &plain); err != nil || !jsonNeedsEscape(plain) {
		return v
	}
	return escapeJSON(plain)
}
