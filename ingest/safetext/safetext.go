// Package safetext makes text that came from outside (a file name a
// district chose, a header it wrote) safe to show an operator: in a
// terminal, a log, the status page or a chat webhook. It is the one place
// that decides what is escaped.
package safetext

import (
	"strings"
	"unicode"
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
