package synth

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"landingd/transform"
)

// Spec describes one synthetic file. The zero value of every field except
// District, Quarters and Rows picks a sensible default.
type Spec struct {
	District District
	// Quarters are quarter ids like "2025Q4", from 2018Q2 on. Each gets
	// Rows data rows, written quarter by quarter in this order (a backfill
	// file covers many).
	Quarters []string
	Rows     int    // data rows per quarter, before Duplicates
	Format   string // "csv" (default) or "xlsx"
	// Encoding is the CSV text encoding: "utf-8" (default), "utf-8-bom" or
	// "windows-1252". Windows-1252 output holds a character that differs
	// from UTF-8 whenever a written label or title row has one (the
	// domestic abuse labels carry an en dash).
	Encoding  string
	Delimiter rune // CSV field separator: ',' (default), ';' or '\t'
	CRLF      bool // CSV lines end in CRLF
	// TitleRows are written above the header, one cell each (e.g.
	// "Basildon H-CLIC extract", "Produced 2026-01-08").
	TitleRows []string
	// DateStyle is "iso" (default, 2025-12-31), "uk" (31/12/2025) or, for
	// xlsx only, "excel": real date cells with a dd/mm/yyyy number format.
	DateStyle string
	// Spelling is how coded values are written: "codes" (default),
	// "labels", or "mixed" (codes, labels, aliases, case and space
	// variants; the first data row always uses labels). la_code is always
	// written as its GSS code.
	Spelling string
	// Headers is "names" (default), "titles", or "mixed" (e.g. "Case Ref",
	// "REASONLOSS", "Main-App Age", titles and header aliases).
	Headers string
	// Filter is the protocol's row filter, which decides the rows in
	// scope. The zero value is the H-CLIC domestic abuse filter:
	// reasonloss, keeping DACodes.
	Filter Filter
	// DAShare is the share of cases in scope of Filter (for H-CLIC, whose
	// reasonloss is domestic abuse); 0 means 0.4 and a negative value
	// means none.
	DAShare float64
	// Optional lists the optional fields to include. nil means a realistic
	// default set; an empty, non-nil slice means none.
	Optional []string
	// Extra columns are not on the agreed list (e.g. "nino", "postcode");
	// their values are obviously fake (NI numbers "QQ123456C").
	Extra []string
	// Drop lists agreed columns to leave out, e.g. "main_app_sex".
	Drop []string
	// Shuffle writes the columns in a seeded random order instead of the
	// schema's.
	Shuffle bool
	// BadRows spreads rows with one bad value through the file, cycling
	// through an unknown code, an impossible date and an out-of-range age.
	// Bad rows are always in scope of Filter (for H-CLIC, a domestic
	// abuse reasonloss), so they must be rejected. Stats.BadRows gives their row numbers.
	BadRows int
	// Duplicates adds rows that repeat the key (la_code, case_ref,
	// quarter_end_date) of an earlier in-scope row of the same quarter.
	Duplicates int
	Seed       int64
	// CaseOffset is added to every case number, so that two files for
	// one district and quarter (a main extract and a supplementary one)
	// can hold different cases. Must not be negative.
	CaseOffset int
	// Now refuses quarters ending after it; zero means don't check.
	Now time.Time
}

// Stats describes what Write wrote, for tests to compare with a judgement.
type Stats struct {
	Rows    int // data rows written, duplicates included
	InScope int // rows in scope of the filter (bad and duplicate rows included)
	// Clean counts the in-scope rows that are neither bad nor duplicates:
	// the rows a judge should accept.
	Clean      int
	Bad        int
	Duplicates int
	// BadRows and DuplicateRows are 1-based row numbers as a spreadsheet
	// shows them (title rows and the header count).
	BadRows       []int
	DuplicateRows []int
	// ReasonLoss counts rows by canonical code of the filter's field
	// (reasonloss for H-CLIC).
	ReasonLoss map[string]int
}

// Filter is a protocol's row filter: a row is in scope when its coded
// field Field holds one of the codes in Keep (config.Filter, which this
// package does not import).
type Filter struct {
	Field string
	Keep  []string
}

// hclicFilter is the filter of the H-CLIC domestic abuse protocol, the
// default.
var hclicFilter = Filter{Field: "reasonloss", Keep: DACodes}

// The domestic abuse codes of reasonloss.
const (
	CodeDAVictim      = "da_victim"
	CodeDAPerpetrator = "da_alleged_perpetrator"
	CodeDARetired     = "da_retired"
)

// DACodes are the reasonloss codes that count as domestic abuse.
var DACodes = []string{CodeDAVictim, CodeDAPerpetrator, CodeDARetired}

// errSpec marks an invalid Spec.
var errSpec = errors.New("invalid spec")

// badSpec returns an errSpec error with a message.
func badSpec(format string, args ...any) error {
	return fmt.Errorf("synth spec: %w: %s", errSpec, fmt.Sprintf(format, args...))
}

// normalise fills defaults and checks sp against s. It returns the parsed
// quarters.
func (sp *Spec) normalise(s *transform.Schema) ([]quarter, error) {
	bad := badSpec
	if s == nil {
		return nil, bad("no schema")
	}
	if sp.District.GSS == "" {
		return nil, bad("no district")
	}
	if len(sp.Quarters) == 0 {
		return nil, bad("no quarters")
	}
	if sp.Rows < 0 || sp.BadRows < 0 || sp.Duplicates < 0 || sp.CaseOffset < 0 {
		return nil, bad("negative row count")
	}
	qs := make([]quarter, 0, len(sp.Quarters))
	for _, id := range sp.Quarters {
		q, err := parseQuarter(id)
		if err != nil {
			return nil, fmt.Errorf("synth spec: %w: %w", errSpec, err)
		}
		if slices.Contains(qs, q) {
			return nil, bad("quarter %s given twice", q)
		}
		if !sp.Now.IsZero() && q.End().After(sp.Now) {
			return nil, bad("quarter %s ends after %s", q, sp.Now.Format(time.DateOnly))
		}
		qs = append(qs, q)
	}
	total := sp.Rows * len(qs)
	if sp.BadRows > total {
		return nil, bad("%d bad rows but only %d rows", sp.BadRows, total)
	}
	if sp.Duplicates > total {
		return nil, bad("%d duplicates but only %d rows", sp.Duplicates, total)
	}
	def := func(p *string, v string, allowed ...string) error {
		if *p == "" {
			*p = v
		}
		if !slices.Contains(allowed, *p) {
			return bad("unknown value %q (want one of %v)", *p, allowed)
		}
		return nil
	}
	if err := errors.Join(
		def(&sp.Format, "csv", "csv", "xlsx"),
		def(&sp.Encoding, "utf-8", "utf-8", "utf-8-bom", "windows-1252"),
		def(&sp.DateStyle, "iso", "iso", "uk", "excel"),
		def(&sp.Spelling, "codes", "codes", "labels", "mixed"),
		def(&sp.Headers, "names", "names", "titles", "mixed"),
	); err != nil {
		return nil, err
	}
	if sp.DateStyle == "excel" && sp.Format != "xlsx" {
		return nil, bad("date style excel needs xlsx")
	}
	if sp.Delimiter == 0 {
		sp.Delimiter = ','
	}
	if !slices.Contains([]rune{',', ';', '\t'}, sp.Delimiter) {
		return nil, bad("delimiter %q (want ',', ';' or tab)", sp.Delimiter)
	}
	if sp.Filter.Field == "" {
		sp.Filter = hclicFilter
	}
	if len(sp.Filter.Keep) == 0 {
		return nil, bad("filter on %s keeps no code", sp.Filter.Field)
	}
	switch {
	case sp.DAShare == 0:
		sp.DAShare = 0.4
	case sp.DAShare < 0:
		sp.DAShare = 0
	case sp.DAShare > 1:
		return nil, bad("DA share %v above 1", sp.DAShare)
	}
	return qs, nil
}
