package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a protocol file. Load and Validate join every
// problem they find with errors.Join, so callers print the lot or walk it
// with errors.As. Messages quote only non-secret values (codes, ids,
// durations); never the contents of a secret.
type Error struct {
	File string // the protocol file as given to Load, "embedded:..." or ""
	Line int    // 1-based line in File, 0 when not known
	Key  string // the setting, such as "partners[2].gss"; "" for the whole file
	Msg  string
	Err  error // the underlying cause, if any (for errors.Is)
}

// Error returns "file:line: key: msg", leaving out the parts not known.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying cause, or nil.
func (e *Error) Unwrap() error { return e.Err }

// positions maps a setting's key ("partners[2].gss") to the line it is on.
// A setting not written in the file takes the line of the nearest written
// ancestor, so "protocol.title: required" points at the protocol block.
type positions map[string]int

// line returns the line of key or its nearest recorded ancestor, or 0.
func (p positions) line(key string) int {
	for {
		if l, ok := p[key]; ok {
			return l
		}
		if key == "" {
			return 0
		}
		key = parentKey(key)
	}
}

// parentKey strips the last ".name" or "[i]" from key.
func parentKey(key string) string {
	i := strings.LastIndexAny(key, ".[")
	if i < 0 {
		return ""
	}
	return key[:i]
}

// source is what Load remembers about the file for Validate's messages.
type source struct {
	pos positions
}

// problems collects Errors for one file.
type problems struct {
	file string
	pos  positions
	errs []error
}

func (p *problems) add(key, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: p.pos.line(key), Key: key, Msg: fmt.Sprintf(format, args...)})
}

// where names an earlier setting for a message: "partners[0], line 11",
// or just "partners[0]" when the line is not known.
func (p *problems) where(key, field string) string {
	if l := p.pos.line(key + "." + field); l > 0 {
		return fmt.Sprintf("%s, line %d", key, l)
	}
	return key
}

// dropUnder removes the problems after the first n whose key is, or is
// under, the key of one of the first n: a setting that could not be
// decoded holds its default or nothing, and judging that only adds noise.
func (p *problems) dropUnder(n int) {
	var bad []string
	for _, e := range p.errs[:n] {
		if ce, ok := e.(*Error); ok {
			bad = append(bad, ce.Key)
		}
	}
	kept := p.errs[:n]
	for _, e := range p.errs[n:] {
		ce, ok := e.(*Error)
		if ok && slices.ContainsFunc(bad, func(b string) bool { return under(ce.Key, b) }) {
			continue
		}
		kept = append(kept, e)
	}
	p.errs = kept
}

// under reports whether key is parent or a setting inside it.
func under(key, parent string) bool {
	return key == parent || parent == "" ||
		strings.HasPrefix(key, parent+".") || strings.HasPrefix(key, parent+"[")
}

// join returns the problems in file order (stable, so problems on one
// line keep the order they were found in), joined with errors.Join.
func (p *problems) join() error {
	slices.SortStableFunc(p.errs, func(a, b error) int {
		return cmp.Compare(lineOf(a), lineOf(b))
	})
	return errors.Join(p.errs...)
}

func lineOf(err error) int {
	if e, ok := err.(*Error); ok {
		return e.Line
	}
	return 0
}

func (p *problems) addAt(line int, key, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}
