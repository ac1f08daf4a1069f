package transform

import "unicode/utf8"

// maxSuggestEdits is how far, in edits, a heading may be from an agreed
// spelling and still be taken for a misspelling of it.
const maxSuggestEdits = 2

// Suggest returns the agreed field a heading that names none most likely
// misspells: the field whose name, title or header alias is the fewest
// edits (insertions, deletions, substitutions and swaps of neighbours,
// after folding as MatchHeader does) away, when that is at most two and
// at most a third of the folded heading's length, so that short headings
// are never taken for long names. A heading that looks like personal data
// (see PersonalColumn) is never a misspelling. Ties go to the field first
// in Fields. ok is false when no field is near enough.
func (s *Schema) Suggest(heading string) (field string, ok bool) {
	folded := foldHeader(heading)
	if folded == "" || s.idx == nil {
		return "", false
	}
	if _, personal := PersonalColumn(heading); personal {
		return "", false
	}
	if _, exact := s.idx.byHeader[folded]; exact {
		return "", false
	}
	limit := min(maxSuggestEdits, utf8.RuneCountInString(folded)/3)
	best, bestD := -1, limit+1
	for k, i := range s.idx.byHeader {
		d := editDistance(folded, k, bestD)
		if d < bestD || (d == bestD && best >= 0 && i < best) {
			best, bestD = i, d
		}
	}
	if best < 0 || bestD > limit {
		return "", false
	}
	return s.Fields[best].Name, true
}

// editDistance returns the optimal string alignment distance between a
// and b (Levenshtein with swaps of neighbouring runes), or a value above
// bound as soon as it must exceed bound. Written here because it is a
// dozen lines and the heading lists are small.
func editDistance(a, b string, bound int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > bound || -d > bound {
		return bound + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > bound {
			return bound + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
