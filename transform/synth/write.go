package synth

import (
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"landingd/internal/atomicfile"
	"landingd/transform"
)

// Independent random streams, so that changing how a file is spelled
// never changes which cases it holds.
const (
	streamHeaders = iota + 1
	streamSpelling
	streamOrder
)

// Write writes the synthetic file spec describes to w, following the
// field list s. It streams: CSV in constant memory; xlsx rows are spooled
// to a temporary file by excelize, which then builds the zip in memory.
// It fails on an invalid spec (unknown option or field name, a quarter
// after spec.Now, more bad rows than rows), on a schema without the coded
// field of spec.Filter holding its codes (reasonloss and the domestic
// abuse codes by default), on a character that
// Windows-1252 cannot encode, and on write errors.
func Write(w io.Writer, s *transform.Schema, spec Spec) error {
	_, err := WriteStats(w, s, spec)
	return err
}

// WriteStats is Write, and also reports what it wrote. It fails as Write.
func WriteStats(w io.Writer, s *transform.Schema, spec Spec) (Stats, error) {
	var st Stats
	qs, err := spec.normalise(s)
	if err != nil {
		return st, err
	}
	seed := uint64(spec.Seed)
	salt := mix(hashString(spec.District.GSS))
	cols, err := columns(s, &spec, rand.New(rand.NewPCG(seed^salt, streamHeaders)))
	if err != nil {
		return st, err
	}
	g, err := newGenerator(s, spec.District, seed, spec.DAShare, spec.Filter)
	if err != nil {
		return st, err
	}
	bad, err := newBadRows(s, cols, &spec)
	if err != nil {
		return st, err
	}
	rd := newRenderer(s, &spec, cols, rand.New(rand.NewPCG(seed^salt, streamSpelling)))

	var out sink
	if spec.Format == "xlsx" {
		out, err = newXLSXSink(w, qs[len(qs)-1].End().AddDate(0, 0, 8))
	} else {
		out, err = newCSVSink(w, &spec)
	}
	if err != nil {
		return st, err
	}
	if err := writeRows(out, g, rd, bad, cols, qs, &spec, &st); err != nil {
		out.abort()
		return st, err
	}
	return st, out.close()
}

func writeRows(out sink, g *generator, rd *renderer, bad *badRows, cols []column, qs []quarter, sp *Spec, st *Stats) error {
	for _, t := range sp.TitleRows {
		if err := out.title(t, len(cols)); err != nil {
			return err
		}
	}
	hdr := make([]string, len(cols))
	for i, c := range cols {
		hdr[i] = c.header
	}
	if err := out.header(hdr); err != nil {
		return err
	}
	rowNum := len(sp.TitleRows) + 1
	st.ReasonLoss = map[string]int{}
	emit := func(n int, clean bool) error {
		rowNum++
		st.Rows++
		if g.inScope() {
			st.InScope++
			if clean {
				st.Clean++
			}
		}
		st.ReasonLoss[g.reasonCode()]++
		return out.row(rd.render(g.vals, n))
	}
	total := sp.Rows * len(qs)
	badAt, dupAt := spread(sp.BadRows, total), spread(sp.Duplicates, total)
	k := 0 // data rows so far, duplicates aside
	salt := mix(hashString(sp.District.GSS))
	for _, q := range qs {
		perm := newPermutation(sp.Rows, rand.New(rand.NewPCG(uint64(sp.Seed)^salt, streamOrder+uint64(index(q))<<8)))
		lastDA, last := 0, 0
		for j := range sp.Rows {
			n := caseNumber(index(q), perm.at(j), sp.Rows)
			g.fillCase(n+sp.CaseOffset, caseFirstQuarter(n, sp.Rows))
			g.setRow(q, n+sp.CaseOffset)
			last = n
			isBad := len(badAt) > 0 && badAt[0] == k
			if isBad {
				badAt = badAt[1:]
				bad.apply(g, q, st.Bad)
				st.Bad++
				st.BadRows = append(st.BadRows, rowNum+1)
			} else if g.inScope() {
				lastDA = n
			}
			if err := emit(n+sp.CaseOffset, !isBad); err != nil {
				return err
			}
			if len(dupAt) > 0 && dupAt[0] == k {
				dupAt = dupAt[1:]
				d := lastDA
				if d == 0 {
					d = last
				}
				g.fillCase(d+sp.CaseOffset, caseFirstQuarter(d, sp.Rows))
				g.setRow(q, d+sp.CaseOffset)
				st.Duplicates++
				st.DuplicateRows = append(st.DuplicateRows, rowNum+1)
				if err := emit(d+sp.CaseOffset, false); err != nil {
					return err
				}
			}
			k++
		}
	}
	return nil
}

// WriteFile writes the file spec describes to path atomically (see
// atomicfile.Write), mode 0644. An empty spec.Format is taken from the
// extension (.xlsx, else csv). It fails as Write does, and on file system
// errors; on failure no file is left at path or beside it.
func WriteFile(path string, s *transform.Schema, spec Spec) error {
	if spec.Format == "" && strings.EqualFold(filepath.Ext(path), ".xlsx") {
		spec.Format = "xlsx"
	}
	err := atomicfile.Write(path, "."+filepath.Base(path)+".tmp-*", 0o644, func(w io.Writer) error {
		return Write(w, s, spec)
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
