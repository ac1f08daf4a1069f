package config

import (
	"time"

	"landingd/transform"

	"landingd/storage/azblob"
	"landingd/storage/local"
	"landingd/storage/sftp"
)

// Config is one protocol file: the information sharing agreement that a
// landingd instance enforces. Paths in it are absolute after Load: relative
// paths resolve against the folder of the protocol file.
type Config struct {
	// Path is the protocol file it was loaded from ("embedded:..." for the
	// embedded default). Dir is the folder relative paths resolve against.
	Path string `yaml:"-"`
	Dir  string `yaml:"-"`
	// Hash is the SHA-256 (lowercase hex) of the protocol file's bytes.
	Hash string `yaml:"-"`
	// SchemaData is the field list file's bytes (read by Load from
	// Schema), and SchemaHash its SHA-256 in lowercase hex.
	SchemaData []byte `yaml:"-"`
	SchemaHash string `yaml:"-"`
	// src records where each setting sits in the file, for messages.
	src *source

	Protocol        Protocol     `yaml:"protocol"`
	Schema          string       `yaml:"schema"`
	Filter          Filter       `yaml:"filter"`
	Pseudonymise    Pseudonymise `yaml:"pseudonymise"`
	MaxRowErrorRate float64      `yaml:"max_row_error_rate"`
	Limits          Limits       `yaml:"limits"`
	StableAfter     Duration     `yaml:"stable_after"`
	Concurrency     int          `yaml:"concurrency"`
	State           string       `yaml:"state"`
	Output          Output       `yaml:"output"`
	Collection      Collection   `yaml:"collection"`
	Schedule        Schedule     `yaml:"schedule"`
	ShutdownTimeout Duration     `yaml:"shutdown_timeout"`
	HTTP            HTTP         `yaml:"http"`
	Alerts          Alerts       `yaml:"alerts"`
	Retention       Retention    `yaml:"retention"`
	Breach          Breach       `yaml:"breach"`
	Partners        []Partner    `yaml:"partners"`
}

// Protocol identifies the agreement. Number, Theme and Purpose are what a
// forum's register of protocols shows beside the title, lead, partners
// and review date.
type Protocol struct {
	ID         string `yaml:"id"`
	Title      string `yaml:"title"`
	Number     string `yaml:"number"`  // the forum's register number, such as "0075"
	Theme      string `yaml:"theme"`   // the register's theme, such as "Safer Community"
	Purpose    string `yaml:"purpose"` // one paragraph
	Lead       Org    `yaml:"lead"`
	ReviewDate Date   `yaml:"review_date"`
	// OnReviewOverdue is what happens once the review date has passed:
	// ReviewWarn (the default) alerts and shows it; ReviewPause also
	// stops cycles from taking files until the date is moved.
	OnReviewOverdue ReviewAction `yaml:"on_review_overdue"`
}

// ReviewAction is what a protocol does once its review date has passed.
type ReviewAction string

// The review actions.
const (
	ReviewWarn  ReviewAction = "warn"
	ReviewPause ReviewAction = "pause"
)

// Org is an organisation with its ONS GSS code.
type Org struct {
	Name string `yaml:"name"`
	GSS  string `yaml:"gss"`
}

// Filter keeps rows whose Field holds one of the Keep codes.
type Filter struct {
	Field string   `yaml:"field"`
	Keep  []string `yaml:"keep"`
}

// Pseudonymise names the HMAC key file. The key itself is never in the
// protocol file.
type Pseudonymise struct {
	KeyFile string `yaml:"key_file"`
}

// Collection bounds the quarters that status reports.
type Collection struct {
	// FirstQuarter is a quarter id such as "2021Q2" (the default).
	FirstQuarter string `yaml:"first_quarter"`
}

// Schedule is when serve runs cycles.
type Schedule struct {
	Cron       string   `yaml:"cron"`        // default "0 6 7 1,4,7,10 *"
	Timezone   string   `yaml:"timezone"`    // default Europe/London
	RetryEvery Duration `yaml:"retry_every"` // default 24h
	Deadline   Duration `yaml:"deadline"`    // default 42d after quarter end
}

// HTTP is the operators' endpoint.
type HTTP struct {
	Listen    string `yaml:"listen"`     // default 127.0.0.1:8080
	TokenFile string `yaml:"token_file"` // required off loopback
}

// Alerts configures the webhook. At most one of the two is set.
type Alerts struct {
	WebhookURLEnv  string `yaml:"webhook_url_env"`
	WebhookURLFile string `yaml:"webhook_url_file"`
}

// Retention says how long each kind of data is kept.
type Retention struct {
	Cases          Duration `yaml:"cases"`           // default 7y
	ProcessedFiles Duration `yaml:"processed_files"` // default 90d
	RejectedFiles  Duration `yaml:"rejected_files"`  // default 90d
	Audit          Duration `yaml:"audit"`           // default 8y
}

// Breach sets the notification deadlines from detection.
type Breach struct {
	NotifyPartners Duration `yaml:"notify_partners"` // default 48h
	ICO            Duration `yaml:"ico"`             // default 72h, at most 72h
}

// Partner is one district council.
type Partner struct {
	ID          string    `yaml:"id"`
	Name        string    `yaml:"name"`
	GSS         string    `yaml:"gss"`
	DPOEmail    string    `yaml:"dpo_email"`
	Landing     Location  `yaml:"landing"`
	StableAfter *Duration `yaml:"stable_after"` // nil: the top-level value
	Encoding    string    `yaml:"encoding"`     // "" (detect), utf-8, windows-1252
	Sheet       string    `yaml:"sheet"`
	// DateOrder is how the partner writes slash dates: DateOrderDMY (the
	// default) or DateOrderMDY.
	DateOrder string `yaml:"date_order"`
	// Aliases maps field name to {their value: canonical code}.
	Aliases     map[string]map[string]string `yaml:"aliases"`
	Disposition string                       `yaml:"disposition"` // move (default) | keep
	Withdrawn   *Date                        `yaml:"withdrawn"`
}

// Date orders a partner may declare for its slash dates.
const (
	DateOrderDMY = "dmy" // day first, 31/12/2025: the default
	DateOrderMDY = "mdy" // month first, 12/31/2025
)

// CheckDateOrder returns an error saying what is accepted when o is not
// a date order a partner may declare (see transform.ParseDateOrder).
func CheckDateOrder(o string) error {
	_, err := transform.ParseDateOrder(o)
	return err
}

// Location is a landing zone or an output. Kind selects the backend,
// and the location's other keys are that backend's own Settings, decoded
// into the one field that matches Kind (the others stay nil). Each
// backend validates its settings itself (storage.Settings.Check).
type Location struct {
	Kind   string           // local | sftp | azblob
	Local  *local.Settings  // kind local
	SFTP   *sftp.Settings   // kind sftp
	Azblob *azblob.Settings // kind azblob
}

// Output is where combined datasets are written.
type Output = Location

// Duration is a time.Duration that also accepts "d" (24h days) and "y"
// (365-day years) units, for example "90d" or "7y".
type Duration struct{ time.Duration }

// Date is a calendar date written YYYY-MM-DD.
type Date struct{ time.Time }
