package publish

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"time"

	"landingd/ingest/state"
	"landingd/storage"
	"landingd/transform"
)

// Output names inside a quarter's folder.
const (
	CSVName      = "combined.csv"
	XLSXName     = "combined.xlsx"
	ManifestName = "manifest.json"
)

// Quarter regenerates quarter q's outputs from db: <q>/combined.csv, then
// <q>/combined.xlsx, then <q>/manifest.json, each written atomically with
// out.Put. A quarter with no file left in it (no unrestricted rows) has
// its outputs removed instead, as DeleteQuarter does. Rows are streamed through temporary files in os.TempDir, never
// held in memory. Quarter does not touch q's dirty mark: the caller reads
// db.Generation(ctx, q) before calling it and db.CleanQuarter(ctx, q, gen)
// after it succeeded, so rows committed meanwhile keep q dirty.
//
// It fails when q is not a quarter id, when a stored row
// does not fit the field list s (a different number of values), on a
// database error, or when writing a temporary file or the output fails;
// outputs already written stay whole, and the manifest, written last,
// still describes the datasets of the previous generation only if none of
// them was replaced. Errors never carry a cell value.
func Quarter(ctx context.Context, out storage.Output, s *transform.Schema, db *state.DB, q string, meta Meta) error {
	if err := quarter(ctx, out, s, db, q, meta); err != nil {
		return fmt.Errorf("publish quarter %s: %w", q, err)
	}
	return nil
}

func quarter(ctx context.Context, out storage.Output, s *transform.Schema, db *state.DB, q string, meta Meta) error {
	_, qend, err := transform.ParseQuarter(q)
	if err != nil {
		return err
	}
	caseRef := s.Index("case_ref")
	catField := s.Index(meta.CategoryField)

	csvTmp, err := newTemp(meta.TempDir, "combined-*.csv")
	if err != nil {
		return err
	}
	defer csvTmp.remove()
	xlsxTmp, err := newTemp(meta.TempDir, "combined-*.xlsx")
	if err != nil {
		return err
	}
	defer xlsxTmp.remove()

	cw := csv.NewWriter(csvTmp.w)
	head := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		head[i] = Neutralise(f.Name)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	label := fmt.Sprintf("Domestic abuse cases, %s (%s)", transform.QuarterLabel(q), transform.FinancialQuarter(q))
	xw, err := newXLSX(s, label, qend, meta.TempDir)
	if err != nil {
		return fmt.Errorf("start workbook: %w", err)
	}
	defer xw.close()

	cases := map[string]int{}            // by la_code
	byCat := map[string]map[string]int{} // la_code -> category -> count
	rec := make([]string, len(s.Fields))
	total := 0
	judgedUnder := map[string]bool{} // field list versions of the rows
	byFile := map[int64]int{}        // rows by ledger id
	layouts, err := newLayouts(ctx, db, s)
	if err != nil {
		return err
	}
	feed := startSheetFeed(xw.add, len(s.Fields))
	defer feed.close()
	err = db.QuarterRows(ctx, q, func(r state.StoredRow) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		vals, err := layouts.remap(r)
		if err != nil {
			return err
		}
		cells, err := feed.row(ctx)
		if err != nil {
			return fmt.Errorf("write workbook row: %w", err)
		}
		for i, v := range vals {
			if i == caseRef {
				v = r.Pseudonym
			}
			cells[i] = xw.cell(&s.Fields[i], v)
			rec[i] = Neutralise(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
		total++
		cases[r.LACode]++
		judgedUnder[r.SchemaVersion] = true
		byFile[r.ObjectID]++
		if catField >= 0 {
			m := byCat[r.LACode]
			if m == nil {
				m = map[string]int{}
				byCat[r.LACode] = m
			}
			m[vals[catField]]++
		}
		return nil
	})
	if ferr := feed.close(); err == nil && ferr != nil {
		err = fmt.Errorf("write workbook row: %w", ferr)
	}
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if total == 0 {
		// No file is left in the quarter (no unrestricted rows).
		return deleteQuarter(ctx, out, q)
	}
	// The files as counted in the same read as the rows, so the manifest
	// agrees with the datasets.
	files, err := db.Files(ctx, byFile)
	if err != nil {
		return err
	}

	partners := orderPartners(meta.Partners, cases)
	avail, err := acceptedPartners(ctx, db, q, partners, cases)
	if err != nil {
		return err
	}
	rowNames := make([]string, len(partners))
	var counts [][]int // districts with an accepted file only
	for i, p := range partners {
		rowNames[i] = p.Name
		if rowNames[i] == "" {
			rowNames[i] = p.GSS
		}
		if !avail[i] {
			continue
		}
		row := make([]int, len(meta.Categories))
		for j, c := range meta.Categories {
			row[j] = byCat[p.GSS][c]
		}
		counts = append(counts, row)
	}
	colNames := make([]string, len(meta.Categories))
	for j, c := range meta.Categories {
		colNames[j] = c
		if catField >= 0 {
			if l := s.Fields[catField].Label(c); l != "" {
				colNames[j] = l
			}
		}
		if c == retiredCode {
			colNames[j] += retiredNote
		}
	}
	if err := xw.dictionary(); err != nil {
		return fmt.Errorf("write data dictionary: %w", err)
	}
	if err := xw.summary(label, rowNames, avail, colNames, Suppress(counts)); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	if err := xw.finish(xlsxTmp.w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}

	m := Manifest{
		RowsJudgedUnder:  slices.Sorted(maps.Keys(judgedUnder)),
		Quarter:          q,
		Label:            transform.QuarterLabel(q),
		FinancialQuarter: transform.FinancialQuarter(q),
		Protocol:         meta.ProtocolID,
		FieldList:        FieldList{ID: s.Name, Version: s.Version, SHA256: s.Hash},
		LandingdVersion:  meta.LandingdVersion,
		GeneratedAt:      meta.GeneratedAt.UTC().Format(time.RFC3339),
		AuditHead:        meta.AuditHead,
		Cases:            total,
		Partners:         manifestPartners(partners, cases, files),
	}
	// The old manifest goes first: while the datasets are replaced, and
	// for good if a Put fails, no manifest vouches for files it does not
	// describe.
	if err := out.Delete(ctx, q+"/"+ManifestName); err != nil && !errors.Is(err, storage.ErrNotExist) {
		return err
	}
	for _, t := range []struct {
		name string
		tmp  *temp
	}{{CSVName, csvTmp}, {XLSXName, xlsxTmp}} {
		of, err := t.tmp.put(ctx, out, q+"/"+t.name)
		if err != nil {
			return err
		}
		m.Outputs = append(m.Outputs, of)
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	mj = append(mj, '\n')
	return out.Put(ctx, q+"/"+ManifestName, bytes.NewReader(mj))
}

// retiredCode is the domestic abuse code used before the July to
// September 2023 quarter split it; its Summary column says so.
const (
	retiredCode = "da_retired"
	retiredNote = " (before July 2023: the single domestic abuse category)"
)

// acceptedPartners reports, for each of partners, whether it had a file
// accepted for quarter q (or has rows in it): the others are "not
// available" on the Summary sheet, not zero. It fails on a database
// error.
func acceptedPartners(ctx context.Context, db *state.DB, q string, partners []Partner, cases map[string]int) ([]bool, error) {
	accepted, err := db.AcceptedPartners(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(partners))
	for i, p := range partners {
		out[i] = cases[p.GSS] > 0 || (p.ID != "" && accepted[p.ID])
	}
	return out, nil
}

// orderPartners returns meta's partners, then a bare entry for any la_code
// with cases that meta does not name (sorted), so no case goes uncounted.
func orderPartners(ps []Partner, cases map[string]int) []Partner {
	out := append([]Partner(nil), ps...)
	known := map[string]bool{}
	for _, p := range ps {
		known[p.GSS] = true
	}
	var extra []string
	for la := range cases {
		if !known[la] {
			extra = append(extra, la)
		}
	}
	sort.Strings(extra)
	for _, la := range extra {
		out = append(out, Partner{GSS: la})
	}
	return out
}

// manifestPartners lists every partner with its cases and the files its
// rows came from. Files of a partner id meta does not know are listed
// under that id.
func manifestPartners(ps []Partner, cases map[string]int, files []state.QuarterFile) []ManifestPartner {
	out := make([]ManifestPartner, 0, len(ps))
	byID := map[string]int{}
	for _, p := range ps {
		if p.ID != "" {
			byID[p.ID] = len(out)
		}
		out = append(out, ManifestPartner{ID: p.ID, Name: p.Name, GSS: p.GSS, Cases: cases[p.GSS], Files: []ManifestFile{}})
	}
	for _, f := range files {
		i, ok := byID[f.Partner]
		if !ok {
			i = len(out)
			byID[f.Partner] = i
			out = append(out, ManifestPartner{ID: f.Partner, Files: []ManifestFile{}})
		}
		out[i].Files = append(out[i].Files, ManifestFile{
			Name: f.Name, SHA256: f.SHA256, RowsRead: f.Rows.Read, RowsAccepted: f.Rows.Accepted,
			RowsOutOfScope: f.Rows.OutOfScope, RowsRejected: f.Rows.Rejected, RowsInThisOutput: f.RowsInQuarter,
		})
	}
	return out
}

// DeleteQuarter removes quarter q's outputs, the manifest first so that a
// half-done delete never leaves a manifest vouching for missing files.
// Outputs already missing are not an error. It fails on any other output
// error.
func DeleteQuarter(ctx context.Context, out storage.Output, q string) error {
	if err := deleteQuarter(ctx, out, q); err != nil {
		return fmt.Errorf("delete quarter %s: %w", q, err)
	}
	return nil
}

func deleteQuarter(ctx context.Context, out storage.Output, q string) error {
	for _, n := range []string{ManifestName, XLSXName, CSVName} {
		if err := out.Delete(ctx, q+"/"+n); err != nil && !errors.Is(err, storage.ErrNotExist) {
			return err
		}
	}
	return nil
}

// temp is a temporary file written through a buffer and a hash.
type temp struct {
	f *os.File
	b *bufio.Writer
	h hash.Hash
	w io.Writer
	n int64
}

func newTemp(dir, pattern string) (*temp, error) {
	f, err := os.CreateTemp(dir, "landingd-"+pattern)
	if err != nil {
		return nil, fmt.Errorf("create temporary file: %w", err)
	}
	t := &temp{f: f, b: bufio.NewWriterSize(f, 1<<16), h: sha256.New()}
	t.w = io.MultiWriter(t.b, t.h, countWriter{&t.n})
	return t, nil
}

// put flushes the file and writes it to out as name.
func (t *temp) put(ctx context.Context, out storage.Output, name string) (OutputFile, error) {
	if err := t.b.Flush(); err != nil {
		return OutputFile{}, fmt.Errorf("write temporary file: %w", err)
	}
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return OutputFile{}, fmt.Errorf("rewind temporary file: %w", err)
	}
	if err := out.Put(ctx, name, t.f); err != nil {
		return OutputFile{}, err
	}
	return OutputFile{Name: name, Size: t.n, SHA256: hex.EncodeToString(t.h.Sum(nil))}, nil
}

func (t *temp) remove() {
	_ = t.f.Close()
	_ = os.Remove(t.f.Name())
}

type countWriter struct{ n *int64 }

func (c countWriter) Write(p []byte) (int, error) {
	*c.n += int64(len(p))
	return len(p), nil
}
