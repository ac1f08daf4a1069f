// Package safetext makes text that came from outside (a file name a
// district chose, a header it wrote) safe to show an operator: in a
// terminal, a log, the status page or a chat webhook. It is the one place
// that decides what is escaped.
package safetext

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Escape returns s with every character that could change how the text
// around it is shown replaced by a visible escape: C0 and C1 control
// characters (ESC starts a terminal's control sequences, CR rewrites the
// line, U+009B is a one-byte CSI), DEL, the Unicode format characters
// that reorder or hide text (bidirectional overrides and isolates, zero
// width characters, soft hyphen), and the line and paragraph separators.
// Such a character is written as \xNN (ASCII), \uNNNN or \UNNNNNNNN; a
// byte that is not UTF-8 as \xNN (always 80 to ff, so never one of the
// former); a backslash as \\. So an escape in the output always means an
// escape, and two names never look alike once escaped. Other text, letters and symbols of any
// script included, is returned as it is, and s itself when nothing needs
// escaping.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeHex(&b, `\x`, uint32(s[i]), 2)
		case r == '\\':
			b.WriteString(`\\`)
		case unsafeRune(r):
			switch {
			case r < utf8.RuneSelf:
				writeHex(&b, `\x`, uint32(r), 2)
			case r < 0x10000:
				writeHex(&b, `\u`, uint32(r), 4)
			default:
				writeHex(&b, `\U`, uint32(r), 8)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || c == '\\' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return true
		}
		i += size
	}
	return false
}

// unsafeRune reports whether r must not reach an operator's screen as it
// is: controls (Cc), format characters (Cf: bidi controls, zero-width
// characters, the soft hyphen), line and paragraph separators (Zl, Zp),
// and code points that are not characters.
func unsafeRune(r rune) bool {
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) ||
		unicode.Is(unicode.Zp, r) || unicode.Is(unicode.Co, r) || unicode.Is(unicode.Cs, r) ||
		!unicode.IsPrint(r) && !unicode.IsSpace(r) && !unicode.IsGraphic(r)
}

func writeHex(b *strings.Builder, prefix string, v uint32, digits int) {
	const hex = "0123456789abcdef"
	b.WriteString(prefix)
	for i := digits - 1; i >= 0; i-- {
		b.WriteByte(hex[(v>>(4*uint(i)))&0xf])
	}
}

// JSON returns the encoded JSON b with every character Escape would
// escape written as a JSON \u escape (a surrogate pair past U+FFFF), so
// that the text decodes to exactly the same value while no control
// character, bidirectional override or other such character is in the
// bytes shown. encoding/json escapes only C0 controls and a few others;
// this is for outputs that keep a district's names exactly (a record
// exported as JSON), where Escape would change them. b must be valid
// JSON, as encoding/json writes it; b itself is returned when nothing
// needs escaping.
func JSON(b []byte) []byte {
	clean := true
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if (r >= utf8.RuneSelf || r == 0x7f) && unsafeRune(r) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			out = append(out, b[i])
		case (r >= utf8.RuneSelf || r == 0x7f) && unsafeRune(r):
			if r >= 0x10000 {
				r1, r2 := utf16.EncodeRune(r)
				out = appendU(out, r1)
				out = appendU(out, r2)
			} else {
				out = appendU(out, r)
			}
		default:
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

func appendU(out []byte, r rune) []byte {
	var b strings.Builder
	writeHex(&b, `\u`, uint32(r), 4)
	return append(out, b.String()...)
}

// NewJSONWriter returns a writer that passes what is written through JSON
// on to w. Each write must hold whole JSON values, as json.Encoder's
// Encode writes them.
func NewJSONWriter(w io.Writer) io.Writer { return jsonWriter{w} }

type jsonWriter struct{ w io.Writer }

func (j jsonWriter) Write(p []byte) (int, error) {
	if _, err := j.w.Write(JSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
