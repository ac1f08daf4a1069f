package publish

import (
	"time"
)

// Partner names one district for the outputs.
type Partner struct {
	ID   string // the protocol's partner id, as the ledger records it
	Name string // e.g. "Braintree"
	GSS  string // the la_code its rows carry
}

// Meta is what Quarter needs besides the store and the field list.
type Meta struct {
	ProtocolID      string
	LandingdVersion string
	GeneratedAt     time.Time
	// Partners are listed in this order in the manifest and the summary.
	Partners []Partner
	// AuditHead is the hash at the head of the audit log ("" until the
	// audit log exists).
	AuditHead string
	// CategoryField is the field the Summary counts by (the protocol's
	// filter field, usually reasonloss); Categories are its codes to show,
	// one column each, in this order.
	CategoryField string
	Categories    []string
	// TempDir is where the datasets are built before they are written to
	// the output (the state folder); "" means os.TempDir().
	TempDir string
}

// Manifest is <q>/manifest.json. Its fields are in a fixed order, so two
// generations from the same store differ only in GeneratedAt.
type Manifest struct {
	Quarter          string    `json:"quarter"`           // e.g. 2025Q4
	Label            string    `json:"label"`             // e.g. October to December 2025
	FinancialQuarter string    `json:"financial_quarter"` // e.g. 2025/26 Q3
	Protocol         string    `json:"protocol"`
	FieldList        FieldList `json:"field_list"`
	// RowsJudgedUnder lists the field list versions the quarter's rows
	// were judged under (gathered as the rows are written), so that a
	// reader sees when a quarter mixes rows from before and after a
	// change of the list.
	RowsJudgedUnder []string          `json:"rows_judged_under,omitempty"`
	LandingdVersion string            `json:"landingd_version"`
	GeneratedAt     string            `json:"generated_at"` // RFC 3339, UTC
	AuditHead       string            `json:"audit_head"`
	Cases           int               `json:"cases"`
	Outputs         []OutputFile      `json:"outputs"`
	Partners        []ManifestPartner `json:"partners"`
}

// FieldList identifies the agreed field list the outputs follow.
type FieldList struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

// OutputFile is one dataset the manifest vouches for.
type OutputFile struct {
	Name   string `json:"name"` // e.g. 2025Q4/combined.csv
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// ManifestPartner is one district's part of the quarter.
type ManifestPartner struct {
	ID    string         `json:"id"`
	Name  string         `json:"name"`
	GSS   string         `json:"gss"`
	Cases int            `json:"cases"`
	Files []ManifestFile `json:"files"`
}

// ManifestFile is one source file whose rows are in the quarter.
type ManifestFile struct {
	Name             string `json:"name"`
	SHA256           string `json:"sha256"`
	RowsRead         int    `json:"rows_read"`
	RowsAccepted     int    `json:"rows_accepted"`
	RowsOutOfScope   int    `json:"rows_out_of_scope"`
	RowsRejected     int    `json:"rows_rejected"`
	RowsInThisOutput int    `json:"rows_in_this_output"`
}
