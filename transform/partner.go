package transform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
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
	col := -1
	for c, cell := range tbl.Header().Cells {
		if i, ok := s.idx.byHeader[foldHeader(strings.TrimSpace(cell))]; ok && i == iLA {
			col = c
			break
		}
	}
	if col < 0 {
		return "", nil
	}
	f := &s.Fields[iLA]
	counts := map[string]int{}
	for n := 0; ; n++ {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return "", fmt.Errorf("guess partner %s: %w", name, err)
			}
		}
		rec, err := tbl.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var fe *table.FileError
			if errors.As(err, &fe) {
				break
			}
			return "", fmt.Errorf("guess partner %s: %w", name, err)
		}
		if col < len(rec.Cells) {
			if code, ok := f.Lookup(strings.TrimSpace(rec.Cells[col]), nil); ok {
				counts[code]++
			}
		}
	}
	codes := make([]string, 0, len(counts))
	for c := range counts {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(a, b int) bool {
		if counts[codes[a]] != counts[codes[b]] {
			return counts[codes[a]] > counts[codes[b]]
		}
		return codes[a] < codes[b]
	})
	if len(codes) == 0 {
		return "", nil
	}
	return codes[0], nil
}
