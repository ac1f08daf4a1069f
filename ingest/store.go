package ingest

import (
	"context"
	"sync"
	"time"

	"landingd/config"
	"landingd/ingest/alert"
	"landingd/ingest/audit"
	"landingd/storage"
)

// store is a protocol's state opened for writing, under the state
// folder's lock: the View, and the audit trail, the output and the zones
// that a cycle (Runner) and the duties (Duties) both write to. Open
// creates it; Runner and Duties share it, and Close releases it.
type store struct {
	*View

	Output storage.Output
	// OpenZone opens a partner's landing zone; nil means OpenZone.
	OpenZone func(ctx context.Context, p *config.Partner) (storage.Zone, error)
	// Getenv reads secrets named in the protocol; nil means os.Getenv.
	Getenv func(string) string
	// Retries is how many times the zones and the output retry a
	// transient fault (storage/retry); 0 means 3. Backoff bounds the
	// first wait, doubled for each later one; 0 means one second. The
	// output takes them when Open opens it, a zone each time one is
	// opened.
	Retries int
	Backoff time.Duration

	// Audit is the audit trail; Open sets it.
	Audit   *audit.Log
	auditMu sync.Mutex

	// Alert sends breach alerts; nil means one built from the protocol's
	// alerts settings on first use (none when they are empty).
	Alert     *alert.Client
	alertOnce sync.Once
	alerts    sync.WaitGroup

	unlock func() error
}
