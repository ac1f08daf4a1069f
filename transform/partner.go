package transform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"landingd/transform/table"
)

// GuessPartnerGSS reads the file called name from r and returns the GSS
// code that most of its la_code cells carry (ties go to the lowest code),
// for checking a file when its sender is not known. It returns "" when
// the file cannot be read as a table, has no la_code column, or has no
// la_code cell that is on the schema's code list: Judge then reports why.
// The error is for infrastructure only (a read fault or ctx cancelled).
// opt supplies Encoding, Sheet and TempDir.
func GuessPartnerGSS(ctx context.Context, s *Schema, name string, r io.Reader, opt Options) (string, error) {
	tbl, err := table.Open(ctx, name, r, readOptions(s, opt))
	if err != nil {
		var fe *table.FileError
		if errors.As(err, &fe) {
			return "", nil
		}
		return "", fmt.Errorf("guess partner %s: %w", name, err)
	}
	defer tbl.Close()
	iLA := s.Index("la_code")
	col := slices.IndexFunc(tbl.Header().Cells, func(cell string) bool {
		i, ok := s.idx.byHeader[foldHeader(cell)]
		return ok && i == iLA
	})
	if col < 0 {
		return "", nil
	}
	f := &s.Fields[iLA]
	counts := map[string]int{}
	// A FileError ends the count: the rows read before it still vote.
	_, err = eachRecord(ctx, tbl, func(rec table.Record) (bool, error) {
		if col < len(rec.Cells) {
			if code, ok := f.Lookup(strings.TrimSpace(rec.Cells[col]), nil); ok {
				counts[code]++
			}
		}
		return true, nil
	})
	if err != nil {
		return "", fmt.Errorf("guess partner %s: %w", name, err)
	}
	best := "" // counts[""] is 0, and every counted code has at least 1
	for code, n := range counts {
		if n > counts[best] || (n == counts[best] && code < best) {
			best = code
		}
	}
	return best, nil
}
