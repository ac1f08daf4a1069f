package transform

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MatchHeader matches a header record against the schema. Matching
// ignores case, white space, underscores and hyphens, and accepts a
// field's name, title, any of its header aliases, its H-CLIC element name,
// or a cell that starts with its H-CLIC question number (see
// headerQuestion). It returns, for each
// column, the index of its field in Fields (-1 when the column matched
// nothing), and the file-level issues: blank-label, extra-label (a column
// not on the agreed list), misspelt-label (a column within two edits of
// an agreed spelling, see Suggest), duplicate-label (two columns naming one field)
// and missing-label (a required field absent). Any issue rejects the file.
func (s *Schema) MatchHeader(cells []string) ([]int, []Issue) {
	cols := make([]int, len(cells))
	seen := make(map[int]int, len(cells)) // field -> first column
	var issues []Issue
	for c, cell := range cells {
		cols[c] = -1
		label := strings.TrimSpace(cell)
		if label == "" {
			issues = append(issues, Issue{
				Rule:    RuleBlankLabel,
				Message: fmt.Sprintf("column %s has no heading; every column must be named with a field from the agreed list", columnName(c)),
			})
			continue
		}
		i, ok := s.headerField(label)
		if !ok {
			shown := clip(label, 60)
			if name, near := s.Suggest(label); near {
				issues = append(issues, Issue{
					Field: shown,
					Rule:  RuleMisspeltLabel,
					Message: fmt.Sprintf("column %s %q is not on the agreed field list; did you mean `%s`? rename it and send the file again (no data from this file has been kept)",
						columnName(c), shown, name),
				})
				continue
			}
			issues = append(issues, Issue{
				Field: shown,
				Rule:  RuleExtraLabel,
				Message: fmt.Sprintf("column %s %q is not on the agreed field list; remove it and send the file again (no data from this file has been kept)",
					columnName(c), shown),
			})
			continue
		}
		if first, dup := seen[i]; dup {
			issues = append(issues, Issue{
				Field: s.Fields[i].Name,
				Rule:  RuleDuplicateLabel,
				Message: fmt.Sprintf("columns %s and %s both name the field %s; keep only one",
					columnName(first), columnName(c), s.Fields[i].Name),
			})
			continue
		}
		seen[i] = c
		cols[c] = i
	}
	for i, f := range s.Fields {
		if _, ok := seen[i]; f.Required && !ok {
			issues = append(issues, Issue{
				Field:   f.Name,
				Rule:    RuleMissingLabel,
				Message: fmt.Sprintf("the required field %s (%s) has no column", f.Name, f.Title),
			})
		}
	}
	return cols, issues
}

// ExtraColumns returns the columns of a header record that MatchHeader
// calls extra-label: not on the agreed list and not a near misspelling,
// with headings cut to MaxColumnName runes and marked when they look like
// personal data.
func (s *Schema) ExtraColumns(cells []string) []ExtraColumn {
	var out []ExtraColumn
	_, issues := s.MatchHeader(cells)
	extra := map[string]bool{}
	for _, is := range issues {
		if is.Rule == RuleExtraLabel {
			extra[is.Field] = true
		}
	}
	for _, cell := range cells {
		label := strings.TrimSpace(cell)
		if label == "" || !extra[clip(label, 60)] {
			continue
		}
		c := ExtraColumn{Name: cut(label, MaxColumnName)}
		c.Personal, _ = PersonalColumn(label)
		out = append(out, c)
	}
	return out
}

// cut shortens s to at most n runes.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// IsHeader reports whether a record looks like the header: its cells name
// at least half of the required fields. It suits table.ReadOptions.IsHeader.
func (s *Schema) IsHeader(cells []string) bool {
	req := 0
	for _, f := range s.Fields {
		if f.Required {
			req++
		}
	}
	found := map[int]bool{}
	for _, c := range cells {
		if i, ok := s.headerField(c); ok && s.Fields[i].Required {
			found[i] = true
		}
	}
	return req > 0 && 2*len(found) >= req
}

// HeaderField returns the index in Fields of the field a header cell
// names, as MatchHeader matches it, or -1 and false.
func (s *Schema) HeaderField(cell string) (int, bool) { return s.headerField(cell) }

// headerField returns the index of the field a header cell names: by its
// folded spelling first, then by the H-CLIC question number it starts
// with.
func (s *Schema) headerField(cell string) (int, bool) {
	if i, ok := s.idx.byHeader[foldHeader(cell)]; ok {
		return i, true
	}
	if q := headerQuestion(cell); q != "" {
		i, ok := s.idx.byQuestion[q]
		return i, ok
	}
	return -1, false
}

// headerQuestion returns the H-CLIC question number a header cell starts
// with, or "". The number may follow "H-CLIC", "HCLIC", "Q" or "Question"
// and separators (`H-CLIC 1.15 Main reason`, `Q1.15`, `1.15: Reason`,
// `1.15`), and must end the cell or be followed by something other than a
// digit or a dot (a dot then a space or the end is allowed, as in
// `1.15. Reason`). The number is read whole, so `1.15 Reason` is 1.15 and
// never 1.1, and `1.1.5` is no question at all.
func headerQuestion(cell string) string {
	v := strings.TrimLeft(cell, " \t\ufeff\u00a0")
	v = trimPrefixFold(v, "h-clic", "h–clic", "hclic", "h clic", "h_clic")
	v = strings.TrimLeft(v, " \t:-_#")
	v = trimPrefixFold(v, "question", "q")
	v = strings.TrimLeft(v, " \t:._#")
	n, ok := questionNumber(v)
	if !ok {
		return ""
	}
	switch rest := v[n:]; {
	case rest == "", rest == ".":
	case rest[0] == '.':
		if rest[1] != ' ' && rest[1] != '\t' {
			return ""
		}
	}
	return v[:n]
}

// trimPrefixFold removes the first of prefixes that v starts with, in any
// case.
func trimPrefixFold(v string, prefixes ...string) string {
	for _, p := range prefixes {
		if len(v) >= len(p) && strings.EqualFold(v[:len(p)], p) {
			return v[len(p):]
		}
	}
	return v
}

// questionNumber reads an H-CLIC question number, digits in two or more
// groups joined by dots (1.15, 9.7), from the start of v, as far as it
// goes. It returns the number's length in bytes.
func questionNumber(v string) (n int, ok bool) {
	groups := 0
	for n < len(v) {
		start := n
		for n < len(v) && v[n] >= '0' && v[n] <= '9' && n-start < 4 {
			n++
		}
		if n == start || (n < len(v) && v[n] >= '0' && v[n] <= '9') {
			return 0, false // no digits, or too many
		}
		groups++
		if n+1 < len(v) && v[n] == '.' && v[n+1] >= '0' && v[n+1] <= '9' {
			n++
			continue
		}
		break
	}
	return n, groups >= 2
}

// columnName gives the spreadsheet letter of a 0-based column: A, B, ...
// Z, AA.
func columnName(c int) string {
	name := ""
	for c++; c > 0; c = (c - 1) / 26 {
		name = string(rune('A'+(c-1)%26)) + name
	}
	return name
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
