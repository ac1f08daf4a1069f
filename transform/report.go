package transform

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"landingd/internal/safetext"
)

// reportRowsPerRule is how many row issues the text report lists for
// each rule before it summarises the rest.
const reportRowsPerRule = 25

// ruleTitles describe the rules in words a district officer uses.
var ruleTitles = map[string]string{
	RuleExtraLabel:      "columns that are not on the agreed field list",
	RuleMisspeltLabel:   "column headings that look misspelt",
	RuleMissingLabel:    "required columns that are missing",
	RuleDuplicateLabel:  "columns named twice",
	RuleBlankLabel:      "columns without a heading",
	RuleEncodingError:   "characters that could not be read",
	RuleFormatError:     "a file that could not be read",
	RuleEmptyFile:       "a file with no header row",
	RuleErrorRate:       "too many rejected rows",
	RuleLimitExceeded:   "a file over a reading limit",
	RuleTypeError:       "values of the wrong kind (dates, numbers, yes/no)",
	RuleConstraintError: "values outside the agreed rules or codes",
	RulePartnerMismatch: "rows from another district",
	RuleDuplicateKey:    "cases sent twice for the same quarter",
	RuleErased:          "cases that have been erased",
	RuleDateOrder:       "dates written in the other order than agreed",
	RuleMissingCell:     "rows with fewer cells than the header",
	RuleExtraCell:       "rows with more cells than the header",
}

// ruleOrder is the order the report lists row rules in.
var ruleOrder = []string{RulePartnerMismatch, RuleErased, RuleMissingCell, RuleExtraCell, RuleDuplicateKey, RuleConstraintError, RuleTypeError}

// WriteText writes the report a district officer reads about the file:
// the verdict in words, the row counts, the problems with the whole file,
// the row problems grouped by rule (at most a few dozen rows a rule, with
// a count of the rest), and what to do next. It holds no cell value
// except a bad code, and never a case reference. It fails only when w
// does.
func (res *Result) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(b, format+"\n", a...) }

	// The name is the district's: its control characters are escaped, so
	// the report cannot rewrite the terminal it is shown in.
	p("File:     %s", safetext.Escape(res.File))
	if res.Partner != "" {
		p("District: %s", res.Partner)
	}
	if res.Format != "" {
		p("Format:   %s", res.Format)
	}
	if res.Verdict == Rejected {
		p("Verdict:  REJECTED. No data from this file has been kept.")
	} else {
		p("Verdict:  ACCEPTED.")
	}
	p("")
	p("Rows read:      %6d", res.Rows.Read)
	p("  accepted:     %6d", res.Rows.Accepted)
	p("  out of scope: %6d", res.Rows.OutOfScope)
	p("  rejected:     %6d", res.Rows.Rejected)
	if res.Rows.OutOfScope > 0 {
		p("")
		what := fmt.Sprintf("%d rows were", res.Rows.OutOfScope)
		if res.Rows.OutOfScope == 1 {
			what = "1 row was"
		}
		why := "the agreement's filter does not keep them"
		if res.Scope != "" {
			why = "their " + lowerFirst(res.Scope) + " is not one it covers"
		}
		p("%s", wrap(what+" outside the scope of the agreement ("+why+"). "+
			"They were dropped and not kept anywhere. Please tighten your extract so that such rows are not sent.", 78))
	}
	if res.TimesDropped > 0 {
		p("")
		p("%s", wrap(fmt.Sprintf("%d dates carried a time of day other than midnight. The time was dropped and only the date kept.", res.TimesDropped), 78))
	}
	if len(res.FileErrors) > 0 {
		p("")
		p("Problems with the whole file:")
		for _, is := range res.FileErrors {
			p("%s", indent(wrap(fmt.Sprintf("- %s: %s", is.Rule, is.Message), 74), "  ", "    "))
		}
	}
	if res.ErrorsTotal > 0 {
		p("")
		p("Problems in rows (%d), by rule; row numbers are as Excel shows them:", res.ErrorsTotal)
		groups := map[string][]Issue{}
		order := append([]string(nil), ruleOrder...)
		for _, is := range res.Errors {
			if _, known := groups[is.Rule]; !known && !contains(order, is.Rule) {
				order = append(order, is.Rule)
			}
			groups[is.Rule] = append(groups[is.Rule], is)
		}
		for _, rule := range order {
			list := groups[rule]
			if len(list) == 0 {
				continue
			}
			title := ruleTitles[rule]
			if title == "" {
				title = rule
			}
			p("")
			p("  %s: %s (%d)", rule, title, len(list))
			for i, is := range list {
				if i == reportRowsPerRule {
					p("    ... and %d more", len(list)-reportRowsPerRule)
					break
				}
				p("%s", indent(wrap(fmt.Sprintf("row %d, %s: %s", is.Row, is.Field, is.Message), 72), "    ", "      "))
			}
		}
		if more := res.ErrorsTotal - len(res.Errors); more > 0 {
			p("")
			p("  ... and %d more problems not listed here.", more)
		}
	}
	p("")
	p("What to do next:")
	switch {
	case res.Verdict == Rejected:
		p("%s", indent(wrap("Fix the problems above in your system or extract, then upload the whole file again. "+
			"Files must be .csv (UTF-8 or Windows-1252) or .xlsx, with one header row naming fields from the agreed field list.", 76), "  ", "  "))
	case res.ErrorsTotal > 0:
		p("%s", indent(wrap("The file was accepted; the rejected rows were left out. Fix them at source "+
			"so that they are right in your next extract.", 76), "  ", "  "))
	default:
		p("  Nothing. Thank you.")
	}
	return b.Flush()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// wrap breaks text into lines of at most width runes at spaces.
func wrap(text string, width int) string {
	var out strings.Builder
	n := 0
	for i, word := range strings.Fields(text) {
		wl := len([]rune(word))
		if i > 0 && n+1+wl > width {
			out.WriteByte('\n')
			n = 0
		} else if i > 0 {
			out.WriteByte(' ')
			n++
		}
		out.WriteString(word)
		n += wl
	}
	return out.String()
}

// indent prefixes the first line with first and the others with rest.
func indent(text, first, rest string) string {
	lines := strings.Split(text, "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = first + lines[i]
		} else {
			lines[i] = rest + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// lowerFirst lowercases the first letter of a title for use mid-sentence,
// unless it begins an acronym ("H-CLIC", "NHS").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if next, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(next) || next == '-' {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
