package transform

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MatchHeader matches a header record against the schema. Matching
// ignores case, white space, underscores and hyphens, and accepts a
// field's name, title or any of its header aliases. It returns, for each
// column, the index of its field in Fields (-1 when the column matched
// nothing), and the file-level issues: blank-label, extra-label (a column
// not on the agreed list), duplicate-label (two columns naming one field)
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
		i, ok := s.idx.byHeader[foldHeader(label)]
		if !ok {
			shown := clip(label, 60)
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
		if i, ok := s.idx.byHeader[foldHeader(c)]; ok && s.Fields[i].Required {
			found[i] = true
		}
	}
	return req > 0 && 2*len(found) >= req
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
