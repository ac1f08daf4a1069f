package transform

// This file states the contract that the ingest package builds on.
// Bodies live in the other files of the package.

import (
	"slices"
	"time"

	"landingd/transform/table"
)

// Verdict is the judgement on a whole file.
type Verdict string

// Verdicts.
const (
	Accepted Verdict = "accepted"
	Rejected Verdict = "rejected"
)

// Frictionless-style rule names used in Issue.Rule.
const (
	RuleExtraLabel      = "extra-label"
	RuleMisspeltLabel   = "misspelt-label" // file level: a heading near an agreed one; not a breach
	RuleMissingLabel    = "missing-label"
	RuleDuplicateLabel  = "duplicate-label"
	RuleBlankLabel      = "blank-label"
	RuleEncodingError   = "encoding-error"
	RuleFormatError     = "format-error"
	RuleEmptyFile       = "empty-file"
	RuleTypeError       = "type-error"
	RuleConstraintError = "constraint-error"
	RulePartnerMismatch = "partner-mismatch"
	RuleDuplicateKey    = "duplicate-key"
	RuleErrorRate       = "error-rate"   // file level: too many rejected rows
	RuleErased          = "erased-case"  // row level: the case was erased; erase it at source
	RuleDateOrder       = "date-order"   // file level: slash dates in the other order than agreed
	RuleMissingCell     = "missing-cell" // row level: fewer cells than the header
	RuleExtraCell       = "extra-cell"   // row level: a value beyond the header's last column
)

// RuleLimitExceeded is the file-level rule of a file past a reading
// budget (Options.Limits and FileTimeout, the protocol's limits).
const RuleLimitExceeded = table.RuleLimitExceeded

// Issue is one problem found in a file. Row is 0 for file-level issues,
// otherwise the 1-based row number as Excel shows it. Message never holds
// a cell value, except the bad code of a coded field.
type Issue struct {
	Row     int    `json:"row,omitempty"`
	Field   string `json:"field,omitempty"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Counts are a file's row counts. Read counts data rows (blank rows are
// skipped and not counted). Read = Accepted + OutOfScope + Rejected.
type Counts struct {
	Read       int `json:"read"`
	Accepted   int `json:"accepted"`
	OutOfScope int `json:"out_of_scope"`
	Rejected   int `json:"rejected"`
}

// Result is the judgement on one file.
type Result struct {
	File        string  `json:"file"`
	Partner     string  `json:"partner"`
	Format      string  `json:"format"` // csv | xlsx | "" when unknown
	Verdict     Verdict `json:"verdict"`
	Rows        Counts  `json:"rows"`
	FileErrors  []Issue `json:"file_errors"`
	Errors      []Issue `json:"errors"` // row-level issues, at most MaxIssues kept
	ErrorsTotal int     `json:"errors_total"`
	// PartnerMismatch counts rows that carried another district's la_code
	// (a possible breach: issue 6 opens an incident on it).
	PartnerMismatch int `json:"partner_mismatch,omitempty"`
	// Erased counts rows dropped because their case is on the erasure list.
	Erased int `json:"erased,omitempty"`
	// ExtraColumns are the columns not on the agreed list (extra-label),
	// in file order, and DataRows the number of data rows of such a file,
	// counted but not judged: what a breach incident records.
	ExtraColumns []ExtraColumn `json:"extra_columns,omitempty"`
	DataRows     int           `json:"data_rows,omitempty"`
	// TimesDropped counts date cells whose time of day, other than
	// midnight, was dropped: only the date is kept.
	TimesDropped int `json:"times_dropped,omitempty"`
	// SchemaVersion is the field list version the file was judged under.
	SchemaVersion string `json:"-"`
	// Scope is the title of the field the protocol's filter reads (such
	// as "Main reason for loss of last settled home"), which the report
	// names for rows out of scope; "" when the field list has none.
	Scope string `json:"-"`
}

// ExtraColumn is a column not on the agreed field list: its heading (a
// header name, never a cell value) cut to MaxColumnName runes, and the
// kind of personal data the heading suggests, "" for none (see
// PersonalColumn).
type ExtraColumn struct {
	Name     string       `json:"name"`
	Personal PersonalKind `json:"personal,omitempty"`
}

// MaxColumnName is how many runes of a column's heading ExtraColumn keeps.
const MaxColumnName = 64

// Row is one accepted, in-scope, pseudonymised row, ready to store.
// Values are canonical (codes, ISO dates, plain integers, true/false),
// one per schema field in schema order, "" where the district did not
// send the field. The case_ref value holds the pseudonym, never the raw
// reference.
//
// Judge reuses the Values slice from row to row: it is valid only during
// the emit call that receives the Row (its strings stay valid). A caller
// that keeps a Row past that call keeps Clone's copy.
type Row struct {
	LACode         string
	Pseudonym      string
	QuarterEndDate string // YYYY-MM-DD
	Quarter        string // e.g. 2025Q4
	SourceRow      int
	Values         []string
}

// Clone returns a copy of r with its own Values, to keep past the emit
// call that received r.
func (r Row) Clone() Row {
	r.Values = slices.Clone(r.Values)
	return r
}

// Options are what the Judge needs about the submitting partner and the
// protocol. Zero values are safe defaults except where noted.
type Options struct {
	PartnerID       string
	PartnerGSS      string                       // la_code must equal this
	Encoding        string                       // "" detects; "utf-8" or "windows-1252" pins
	Sheet           string                       // xlsx sheet; "" picks the first with a header
	Aliases         map[string]map[string]string // field -> their value -> canonical code
	Keep            []string                     // filter.keep codes of the filter field
	FilterField     string                       // filter.field, usually reasonloss
	MaxRowErrorRate float64
	Now             time.Time // for "quarter_end_date is in the future"; zero means time.Now()
	MaxIssues       int       // cap on Result.Errors kept; 0 means 1000
	// DateOrder is how the partner writes slash dates: DayFirst (also
	// when "") or MonthFirst. A file whose slash dates can only be read
	// in the other order is rejected whole (RuleDateOrder).
	DateOrder DateOrder
	// Erased reports whether the case's erasure token is on the erasure
	// list. It is called for every row whose la_code and case_ref can be
	// read, valid or not, before the row's other rules decide. nil means
	// none are.
	Erased func(token string) bool
	// TempDir is where an xlsx is spooled while it is read; "" means
	// os.TempDir().
	TempDir string
	// Limits are the reading budgets (zero fields mean
	// table.DefaultLimits), and FileTimeout the time one file may take to
	// read and judge (0 means no limit). Past either, the file is
	// rejected with RuleLimitExceeded.
	Limits      table.Limits
	FileTimeout time.Duration
	// SizeHint is the file's size in bytes when the caller knows it; 0
	// means unknown. Judge sizes its duplicate-key set from it, and an
	// estimate never changes a judgement.
	SizeHint int64
}
