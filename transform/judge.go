package transform

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"landingd/transform/table"
)

// DefaultMaxIssues is how many row-level issues a Result keeps when
// Options.MaxIssues is 0.
const DefaultMaxIssues = 1000

// ctxCheckEvery is how many rows Judge reads between checks of ctx.
const ctxCheckEvery = 1024

// Judge reads the file called name from r and judges it against the
// schema for the partner opt describes: it matches the header, validates
// each row, drops erased cases and rows outside the filter, replaces
// case_ref with p's pseudonym, and calls emit with each accepted row, in
// file order.
//
// emit may be called before the verdict is known: when the Result's
// Verdict is Rejected the caller must discard every row emitted for the
// file (ingest stages rows in a transaction and rolls it back).
//
// Data problems never come back as errors: they are issues in the Result,
// whose Verdict is Rejected when any file-level issue was found, or when
// the share of rejected rows (erased cases aside) exceeds
// opt.MaxRowErrorRate. Rows counted as Rejected include erased cases,
// which Result.Erased counts too. The returned error is for
// infrastructure only: a read fault, ctx cancelled, or emit's own error;
// the Result is then nil.
//
// Issue messages hold no cell values except a bad code in a coded field;
// the raw case_ref is in nothing returned or emitted.
//
// emit receives each Row only for the length of its call: Judge reuses
// the Row's Values slice for the next row (see Row).
func Judge(ctx context.Context, s *Schema, p *Pseudonymiser, name string, r io.Reader, opt Options, emit func(Row) error) (*Result, error) {
	res := newResult(name, s, opt)
	if opt.FileTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, opt.FileTimeout, errFileTimeout)
		defer cancel()
	}
	in := &countingReader{r: r}
	tbl, err := table.Open(ctx, name, in, readOptions(s, opt))
	if err != nil {
		var fe *table.FileError
		if errors.As(err, &fe) {
			res.fileIssue(fileErrorIssue(fe))
			res.decide(opt)
			return res, nil
		}
		return timedOut(ctx, name, res, opt, err)
	}
	defer tbl.Close()
	res.Format = tbl.Format()
	if err := judgeTable(ctx, s, p, tbl, in, res, opt, emit); err != nil {
		return timedOut(ctx, name, res, opt, err)
	}
	return res, nil
}

// errFileTimeout is the cause of the context Judge gives a file.
var errFileTimeout = errors.New("file took longer than its time limit")

// timedOut returns res rejected with RuleLimitExceeded when err is the
// file's own deadline passing (Options.FileTimeout), else err.
func timedOut(ctx context.Context, name string, res *Result, opt Options, err error) (*Result, error) {
	if errors.Is(err, context.DeadlineExceeded) && context.Cause(ctx) == errFileTimeout {
		res.fileIssue(Issue{Rule: RuleLimitExceeded, Message: fmt.Sprintf(
			"the file is over a reading limit: it took more than %s to read; split the file, or ask the hub to raise the limit", opt.FileTimeout)})
		res.decide(opt)
		return res, nil
	}
	return nil, fmt.Errorf("judge %s: %w", name, err)
}

func readOptions(s *Schema, opt Options) table.ReadOptions {
	return table.ReadOptions{Encoding: opt.Encoding, Sheet: opt.Sheet, IsHeader: s.IsHeader, TempDir: opt.TempDir, Limits: opt.Limits}
}

func newResult(name string, s *Schema, opt Options) *Result {
	res := &Result{
		File:          name,
		Partner:       opt.PartnerID,
		Verdict:       Accepted,
		FileErrors:    []Issue{},
		Errors:        []Issue{},
		SchemaVersion: s.Version,
	}
	if i := s.Index(cmp.Or(opt.FilterField, defaultFilterField)); i >= 0 {
		res.Scope = cmp.Or(s.Fields[i].Title, s.Fields[i].Name)
	}
	return res
}

// defaultFilterField is the field the filter reads when Options names
// none: the H-CLIC main reason for loss of home.
const defaultFilterField = "reasonloss"

func fileErrorIssue(fe *table.FileError) Issue {
	msg := fe.Message
	if fe.Row > 0 {
		msg = fmt.Sprintf("row %d: %s", fe.Row, msg)
	}
	return Issue{Rule: fe.Rule, Message: msg}
}

func (res *Result) fileIssue(is Issue) {
	is.Row = 0
	res.FileErrors = append(res.FileErrors, is)
}

// decide sets the verdict once every row has been read.
func (res *Result) decide(opt Options) {
	counted := res.Rows.Rejected - res.Erased
	if len(res.FileErrors) == 0 && res.Rows.Read > 0 && float64(counted)/float64(res.Rows.Read) > opt.MaxRowErrorRate {
		res.fileIssue(Issue{
			Rule: RuleErrorRate,
			Message: fmt.Sprintf("%d of %d rows (%.1f%%) were rejected, more than the agreed limit of %.1f%%, so the whole file is rejected",
				counted, res.Rows.Read, 100*float64(counted)/float64(res.Rows.Read), 100*opt.MaxRowErrorRate),
		})
	}
	res.Verdict = Accepted
	if len(res.FileErrors) > 0 {
		res.Verdict = Rejected
	}
}

// judger holds what judging one file's rows needs.
type judger struct {
	s       *Schema
	opt     Options
	serials bool      // xlsx: numbers in date fields are Excel serial dates
	d1904   bool      // the workbook counts serials from 1904
	today   time.Time // UTC midnight of opt.Now's date
	max     int

	iLA, iCase, iQED, iApp, iFilter int
	keep                            map[string]bool
	aliases                         []map[string]string // per field: folded partner value -> code
	seen                            *keySet             // key hash -> first row
	pseudo, erasure                 *caseMAC

	// in counts the bytes read so far, to estimate the file's rows from
	// opt.SizeHint once estimateAt rows have been read.
	in *countingReader

	// The current row's working state, reused from row to row: none of it
	// is kept past the row (the Row it returns lends vals to emit).
	raw    []string // trimmed cells, by field
	vals   []string // canonical values, by field
	issues []Issue
	buf    []byte // folded codes, key hashes and integers are written here

	// The last date each field formatted, and the last quarter: files
	// repeat dates, and strings are immutable, so rows may share them.
	lastDate    []time.Time
	lastISO     []string
	lastQED     time.Time
	lastQuarter string

	// The first date that can only be read in the other date order.
	orderRow, orderField, orderCol int
}

func newJudger(s *Schema, p *Pseudonymiser, opt Options, tbl table.Table, in *countingReader) *judger {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	j := &judger{
		s: s, opt: opt,
		serials:  tbl.Format() == "xlsx",
		d1904:    table.Date1904(tbl),
		today:    time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC),
		max:      opt.MaxIssues,
		iLA:      s.Index("la_code"),
		iCase:    s.Index("case_ref"),
		iQED:     s.Index("quarter_end_date"),
		iApp:     s.Index("app_date"),
		keep:     map[string]bool{},
		aliases:  make([]map[string]string, len(s.Fields)),
		seen:     newKeySet(),
		in:       in,
		pseudo:   p.pseudonymMAC(),
		erasure:  p.erasureMAC(),
		raw:      make([]string, len(s.Fields)),
		vals:     make([]string, len(s.Fields)),
		lastDate: make([]time.Time, len(s.Fields)),
		lastISO:  make([]string, len(s.Fields)),
	}
	if j.max <= 0 {
		j.max = DefaultMaxIssues
	}
	j.iFilter = s.Index(cmp.Or(opt.FilterField, defaultFilterField))
	for _, k := range opt.Keep {
		j.keep[k] = true
	}
	for name, m := range opt.Aliases {
		if i := s.Index(name); i >= 0 {
			j.aliases[i] = s.Fields[i].foldAliases(m)
		}
	}
	return j
}

func judgeTable(ctx context.Context, s *Schema, p *Pseudonymiser, tbl table.Table, in *countingReader, res *Result, opt Options, emit func(Row) error) error {
	header := tbl.Header().Cells
	if !s.IsHeader(header) {
		// No row of the first table.HeaderScan names the agreed fields, so
		// the reader fell back on the first row, which may be data: it is
		// never quoted, and no column is called extra on its strength.
		res.fileIssue(Issue{Rule: RuleMissingLabel, Message: fmt.Sprintf(
			"no row among the first %d names at least half of the required fields (%s); the file needs one header row naming the agreed fields",
			table.HeaderScan, strings.Join(s.Required(), ", "))})
		res.decide(opt)
		return nil
	}
	cols, issues := s.MatchHeader(header)
	if len(issues) > 0 {
		max := opt.MaxIssues
		if max <= 0 {
			max = DefaultMaxIssues
		}
		for i, is := range issues {
			if i == max {
				// A header of thousands of unknown names lists the first.
				res.fileIssue(Issue{Rule: is.Rule, Message: fmt.Sprintf("and %d more problems with the header, not listed", len(issues)-i)})
				break
			}
			res.fileIssue(is)
		}
		// A file with columns off the list is a possible breach: its rows
		// are counted, never judged, for the incident's record.
		if res.ExtraColumns = s.ExtraColumns(header); len(res.ExtraColumns) > 0 {
			if _, err := eachRecord(ctx, tbl, func(table.Record) (bool, error) {
				res.DataRows++
				return true, nil
			}); err != nil {
				return err
			}
		}
		res.decide(opt)
		return nil
	}
	j := newJudger(s, p, opt, tbl, in)
	fe, err := eachRecord(ctx, tbl, func(rec table.Record) (bool, error) {
		if is, bad := cellCount(rec, table.Fields(tbl), len(cols)); bad {
			res.Rows.Read++
			res.Rows.Rejected++
			j.issue(res, is)
			return true, nil
		}
		row, ok := j.row(rec, cols, res)
		if !ok {
			return true, nil
		}
		if err := emit(row); err != nil {
			return false, fmt.Errorf("emit row %d: %w", rec.Row, err)
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	if fe != nil {
		res.fileIssue(fileErrorIssue(fe))
	}
	if j.orderRow > 0 {
		res.fileIssue(j.dateOrderIssue())
	}
	res.decide(opt)
	return nil
}

// dateOrderIssue is the file-level issue for a file whose slash dates are
// written in the other order than the one agreed for the partner. It names
// the first such cell by row and column, never its value.
func (j *judger) dateOrderIssue() Issue {
	agreed, other := "day first (DD/MM/YYYY)", "month first (MM/DD/YYYY)"
	part, fix := "second", string(MonthFirst)
	if j.opt.DateOrder == MonthFirst {
		agreed, other = other, agreed
		part, fix = "first", string(DayFirst)
	}
	return Issue{Field: j.s.Fields[j.orderField].Name, Rule: RuleDateOrder, Message: fmt.Sprintf(
		"row %d, column %s (%s) holds a date whose %s part is above 12, so this file writes dates %s, but your dates are agreed %s; "+
			"no date in the file can be trusted, so none of it is kept. Export dates as YYYY-MM-DD, or ask the county to set date_order: %s for your district",
		j.orderRow, columnName(j.orderCol), j.s.Fields[j.orderField].Name, part, other, agreed, fix)}
}

// slashLayout names the slash date layout of a date order.
func slashLayout(o DateOrder) string {
	if o == MonthFirst {
		return "MM/DD/YYYY"
	}
	return "DD/MM/YYYY"
}

// eachRecord calls fn with each record of tbl, in file order, until fn
// returns false or an error, or the table ends. It checks ctx every
// ctxCheckEvery records. A *table.FileError from the reader (the file
// cannot be read past that row) ends the walk and comes back as fe; err
// is for infrastructure only: a read fault, ctx cancelled, or fn's error.
func eachRecord(ctx context.Context, tbl table.Table, fn func(table.Record) (bool, error)) (fe *table.FileError, err error) {
	for n := 0; ; n++ {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := tbl.Next()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			if errors.As(err, &fe) {
				return fe, nil
			}
			return nil, err
		}
		if more, err := fn(rec); err != nil || !more {
			return nil, err
		}
	}
}

// cellCount checks that a record has as many cells as the header: one
// extra-cell issue for a value beyond the header's last column (blank
// cells there are what spreadsheets leave, and are ignored), and one
// missing-cell issue for a CSV row with fewer cells (an xlsx leaves empty
// cells out, so its rows are never short). A CSV value with an unquoted
// comma or line break in it gives such rows.
func cellCount(rec table.Record, fields, width int) (Issue, bool) {
	if c := strayCell(rec.Cells, width); c >= 0 {
		return Issue{Row: rec.Row, Rule: RuleExtraCell, Message: fmt.Sprintf(
			"the row has a value in column %s, beyond the header's last column %s; a value holding a comma or line break must be in quotes",
			columnName(c), columnName(width-1))}, true
	}
	if fields > 0 && fields < width {
		return Issue{Row: rec.Row, Rule: RuleMissingCell, Message: fmt.Sprintf(
			"the row has %d cells but the header has %d; a value holding a comma or line break must be in quotes",
			fields, width)}, true
	}
	return Issue{}, false
}

// strayCell returns the first column at or beyond width holding a
// non-blank value, or -1.
func strayCell(cells []string, width int) int {
	for c := width; c < len(cells); c++ {
		if strings.TrimSpace(cells[c]) != "" {
			return c
		}
	}
	return -1
}

// row judges one record. It returns the row to emit and true when the row
// is accepted and in scope; otherwise it has counted the row in res.
func (j *judger) row(rec table.Record, cols []int, res *Result) (Row, bool) {
	raw, vals := j.raw, j.vals
	clear(raw)
	clear(vals)
	blank := true
	for c, fi := range cols {
		if fi < 0 || c >= len(rec.Cells) {
			continue
		}
		v := rec.Cells[c]
		if !untrimmable(v) {
			v = strings.TrimSpace(v)
		}
		raw[fi] = v
		if v != "" {
			blank = false
		}
	}
	if blank {
		return Row{}, false // a row of spaces is a blank row
	}
	res.Rows.Read++
	if res.Rows.Read == estimateAt {
		j.reserveKeys(res.Rows.Read)
	}
	issues := j.issues[:0]
	var qed, app time.Time // quarter_end_date and app_date, once read
	defer func() { j.issues = issues[:0] }()
	add := func(fi int, rule, format string, a ...any) {
		issues = append(issues, Issue{Row: rec.Row, Field: j.s.Fields[fi].Name, Rule: rule, Message: fmt.Sprintf(format, a...)})
	}
	for fi := range j.s.Fields {
		f := &j.s.Fields[fi]
		v := raw[fi]
		if v == "" {
			if f.Required {
				add(fi, RuleConstraintError, "%s is required but empty", f.Name)
			}
			continue
		}
		switch f.Type {
		case TypeString:
			if f.Coded() {
				code, ok := j.lookup(fi, v)
				if !ok {
					add(fi, RuleConstraintError, "%s %q is not one of the agreed codes; use a code or label from the data dictionary", f.Name, clip(v, 40))
					continue
				}
				vals[fi] = code
				continue
			}
			n := utf8.RuneCountInString(v)
			if n < f.MinLength || (f.MaxLength > 0 && n > f.MaxLength) {
				add(fi, RuleConstraintError, "%s must be %s characters long", f.Name, lengthRange(f))
				continue
			}
			vals[fi] = v
		case TypeDate:
			t, kind := parseDate(v, j.serials, j.d1904, j.opt.DateOrder)
			switch kind {
			case dateBad:
				add(fi, RuleTypeError, "%s is not a date; write dates as YYYY-MM-DD or %s", f.Name, slashLayout(j.opt.DateOrder))
				continue
			case dateWrongOrder:
				// The whole file is rejected for it (see dateOrderIssue):
				// the first such cell is its example.
				if j.orderRow == 0 {
					j.orderRow, j.orderField, j.orderCol = rec.Row, fi, slices.Index(cols, fi)
				}
				continue
			case dateTimeDropped:
				res.TimesDropped++
			}
			// Only these two dates are read again: keeping them, not a
			// slice of every field's, saves clearing one for every row.
			switch fi {
			case j.iQED:
				qed = t
			case j.iApp:
				app = t
			}
			vals[fi] = j.isoDate(fi, t, v)
		case TypeInteger:
			n, ok := parseInt(v)
			if !ok {
				add(fi, RuleTypeError, "%s is not a whole number", f.Name)
				continue
			}
			if (f.Minimum != nil && n < *f.Minimum) || (f.Maximum != nil && n > *f.Maximum) {
				add(fi, RuleConstraintError, "%s must be %s", f.Name, numberRange(f))
				continue
			}
			vals[fi] = j.intString(n, v)
		case TypeBoolean:
			b, ok := parseBool(v)
			if !ok {
				add(fi, RuleTypeError, "%s must be yes or no (y/n, true/false and 1/0 also work)", f.Name)
				continue
			}
			vals[fi] = strconv.FormatBool(b)
		}
	}

	la := vals[j.iLA]
	if la != "" && j.opt.PartnerGSS != "" && la != j.opt.PartnerGSS {
		res.PartnerMismatch++
		add(j.iLA, RulePartnerMismatch, "la_code %s (%s) is not this district's code %s; a district may send only its own cases",
			la, j.s.Fields[j.iLA].Label(la), j.opt.PartnerGSS)
	}
	if !qed.IsZero() {
		switch {
		case !isQuarterEnd(qed):
			add(j.iQED, RuleConstraintError, "quarter_end_date must be the last day of a quarter: 31 March, 30 June, 30 September or 31 December")
		case qed.After(j.today):
			add(j.iQED, RuleConstraintError, "quarter_end_date is in the future")
		}
	}
	if !app.IsZero() {
		switch {
		case !qed.IsZero() && app.After(qed):
			add(j.iApp, RuleConstraintError, "app_date is after quarter_end_date")
		case app.Before(hclicStart):
			add(j.iApp, RuleConstraintError, "app_date is before 3 April 2018, when H-CLIC began")
		}
	}
	caseRef := vals[j.iCase]
	if la != "" && caseRef != "" && !qed.IsZero() {
		j.buf = append(append(append(append(append(j.buf[:0], la...), 0x1f), caseRef...), 0x1f), vals[j.iQED]...)
		if first, dup := j.seen.add(j.buf, rec.Row); dup {
			add(j.iCase, RuleDuplicateKey, "the same case_ref and quarter_end_date as row %d; send one row per case per quarter", first)
		}
	}
	// An erased case is dropped whatever else is wrong with its row: it is
	// asked about for every row whose la_code and case_ref can be read, so
	// that erasure finds every file that still holds the case.
	if la != "" && caseRef != "" && j.opt.Erased != nil && j.opt.Erased(j.erasure.of(la, caseRef)) {
		res.Rows.Rejected++
		res.Erased++
		j.issue(res, Issue{Row: rec.Row, Field: "case_ref", Rule: RuleErased,
			Message: "this case has been erased from the shared data; remove it from your extract and erase it at source as agreed"})
		return Row{}, false
	}
	if len(issues) > 0 {
		// List a row's issues in field order, as the district reads the row.
		slices.SortStableFunc(issues, func(a, b Issue) int { return cmp.Compare(j.s.Index(a.Field), j.s.Index(b.Field)) })
		res.Rows.Rejected++
		for _, is := range issues {
			j.issue(res, is)
		}
		return Row{}, false
	}
	if j.iFilter < 0 || !j.keep[vals[j.iFilter]] {
		res.Rows.OutOfScope++
		return Row{}, false
	}
	res.Rows.Accepted++
	pseudonym := j.pseudo.of(la, caseRef)
	vals[j.iCase] = pseudonym
	if !qed.Equal(j.lastQED) || j.lastQuarter == "" {
		j.lastQED, j.lastQuarter = qed, QuarterOf(qed)
	}
	// Values are lent to emit, not copied: a copy per row cost 13% of
	// judging's CPU and 60% of its allocation (measured at 1M rows).
	return Row{
		LACode:         la,
		Pseudonym:      pseudonym,
		QuarterEndDate: vals[j.iQED],
		Quarter:        j.lastQuarter,
		SourceRow:      rec.Row,
		Values:         vals,
	}, true
}

// untrimmable reports whether v is empty or begins and ends with an
// ASCII byte above the space, so that strings.TrimSpace would leave it as
// it is. Most cells are: checking first keeps the call to TrimSpace,
// which is not inlined, off the common path (3% of judging's CPU at
// 1,000,000 rows, measured).
func untrimmable(v string) bool {
	// c-'!' < utf8.RuneSelf-'!' is '!' <= c < utf8.RuneSelf, for bytes.
	return v == "" || v[0]-'!' < utf8.RuneSelf-'!' && v[len(v)-1]-'!' < utf8.RuneSelf-'!'
}

func (j *judger) issue(res *Result, is Issue) {
	res.ErrorsTotal++
	if len(res.Errors) < j.max {
		res.Errors = append(res.Errors, is)
	}
}

// lookup matches a coded value against the field's codes, then the
// partner's aliases.
func (j *judger) lookup(fi int, v string) (string, bool) {
	f := &j.s.Fields[fi]
	if f.idx == nil {
		return "", false
	}
	// Most cells are written as a code is spelt in the schema or folded:
	// look them up as they are, without folding them first.
	if c, ok := f.idx.exact.find(v); ok {
		return c, true
	}
	if foldedASCII(v) {
		c, ok := j.aliases[fi][v]
		return c, ok
	}
	j.buf = appendFoldCode(j.buf[:0], v)
	return f.match(j.buf, j.aliases[fi])
}

// estimateAt is the row at which the judge estimates the file's rows
// from the bytes read so far and Options.SizeHint: late enough that the
// reader's read-ahead (64 KiB) is a small part of what was read.
const estimateAt = 4096

// reserveKeys sizes the duplicate-key set for the rows the file seems
// to hold, having read rows rows. It does nothing without a size hint, or
// when the reader took the whole file before the first row (an xlsx),
// which says nothing of the rows to come.
func (j *judger) reserveKeys(rows int) {
	hint, read := j.opt.SizeHint, j.in.n
	if hint <= 0 || read <= 0 || read >= hint {
		return
	}
	// A little over the estimate, so that a file whose later rows are a
	// little shorter does not make the set grow at its very end.
	est := float64(hint) / float64(read) * float64(rows) * 1.05
	if est < 1<<31 {
		j.seen.reserve(int(est))
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// isoDate returns field fi's date t written YYYY-MM-DD: the cell v itself
// when it was written so, else the last string the field gave for t, else
// a new one.
func (j *judger) isoDate(fi int, t time.Time, v string) string {
	if isISODate(v) {
		return v
	}
	if j.lastISO[fi] == "" || !t.Equal(j.lastDate[fi]) {
		j.lastDate[fi], j.lastISO[fi] = t, t.Format("2006-01-02")
	}
	return j.lastISO[fi]
}

// intString returns n in decimal: the cell v itself when it is written
// so already (no sign, leading zero or ".0").
func (j *judger) intString(n int, v string) string {
	if plainDecimal(v) {
		return v // most cells: no need to write n out to compare
	}
	j.buf = strconv.AppendInt(j.buf[:0], int64(n), 10)
	if string(j.buf) == v {
		return v
	}
	return string(j.buf)
}

// plainDecimal reports whether v is ASCII digits with no leading zero
// (or is "0"): a whole number written as strconv.AppendInt writes it.
func plainDecimal(v string) bool {
	if v == "" || v[0] == '0' && len(v) > 1 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

func lengthRange(f *Field) string {
	switch {
	case f.MaxLength > 0 && f.MinLength > 0:
		return fmt.Sprintf("%d to %d", f.MinLength, f.MaxLength)
	case f.MaxLength > 0:
		return fmt.Sprintf("at most %d", f.MaxLength)
	default:
		return fmt.Sprintf("at least %d", f.MinLength)
	}
}

func numberRange(f *Field) string {
	switch {
	case f.Minimum != nil && f.Maximum != nil:
		return fmt.Sprintf("from %d to %d", *f.Minimum, *f.Maximum)
	case f.Minimum != nil:
		return fmt.Sprintf("at least %d", *f.Minimum)
	default:
		return fmt.Sprintf("at most %d", *f.Maximum)
	}
}
