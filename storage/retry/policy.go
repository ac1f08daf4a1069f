package retry

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"landingd/storage"
)

// Defaults used for zero Policy fields.
const (
	DefaultAttempts = 4
	DefaultBase     = time.Second
	DefaultCap      = 30 * time.Second
	DefaultBudget   = 2 * time.Minute
)

// Policy says how often, and after how long, a call that failed with a
// transient error (storage.IsTransient) is made again. The zero value
// uses the defaults.
type Policy struct {
	// Attempts bounds the calls of one operation, the first included;
	// 0 means DefaultAttempts, and 1 turns retrying off.
	Attempts int
	// Base bounds the wait before the first retry; the bound doubles for
	// each later one, up to Cap. The wait itself is drawn uniformly from
	// zero to the bound (full jitter), so that zones failing together do
	// not retry together. 0 means DefaultBase.
	Base time.Duration
	// Cap bounds any single wait; 0 means DefaultCap.
	Cap time.Duration
	// Budget bounds one operation from its first call: no wait is begun
	// that would end past it, so the last fault is returned instead. 0
	// means DefaultBudget.
	Budget time.Duration
	// Logger gets one warning per retry, with the operation, the attempt
	// that failed and the wait, and never the error: its text names
	// objects that a district chose, which the caller escapes where it
	// logs the error it finally gets. nil means no log.
	Logger *slog.Logger

	// Sleep waits d or until ctx ends, returning ctx.Err() then; nil
	// means a timer. Tests replace it (and Jitter and Now) to run
	// without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a duration from 0 to bound inclusive; nil means
	// uniformly random.
	Jitter func(bound time.Duration) time.Duration
	// Now is the clock Budget is measured on; nil means time.Now.
	Now func() time.Time
}

func (p Policy) attempts() int {
	if p.Attempts <= 0 {
		return DefaultAttempts
	}
	return p.Attempts
}

func (p Policy) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Bound returns the upper bound of the wait before retry n (counting
// from 1): Base·2^(n-1), capped at Cap.
func (p Policy) Bound(n int) time.Duration {
	base, limit := p.Base, p.Cap
	if base <= 0 {
		base = DefaultBase
	}
	if limit <= 0 {
		limit = DefaultCap
	}
	b := base
	for i := 1; i < n && b < limit; i++ {
		b *= 2
	}
	return min(b, limit)
}

// wait draws the wait before retry n.
func (p Policy) wait(n int) time.Duration {
	bound := p.Bound(n)
	var d time.Duration
	if p.Jitter != nil {
		d = p.Jitter(bound)
	} else {
		d = time.Duration(rand.Int64N(int64(bound) + 1))
	}
	// A test's jitter is held to the contract too.
	return max(0, min(d, bound))
}

func (p Policy) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Do calls fn until it returns nil or an error that is not transient,
// Attempts calls have been made, or the next wait would end past Budget,
// and returns fn's last error unchanged. op names the operation in the
// log ("list", "move"). When ctx ends during a wait, Do returns at once
// with an error wrapping both ctx's error and fn's last one; a transient
// error that fn returns after ctx ended is returned without a wait.
func (p Policy) Do(ctx context.Context, op string, fn func(ctx context.Context) error) error {
	start := p.now()
	budget := p.Budget
	if budget <= 0 {
		budget = DefaultBudget
	}
	for n := 1; ; n++ {
		err := fn(ctx)
		if err == nil || !storage.IsTransient(err) || n >= p.attempts() || ctx.Err() != nil {
			return err
		}
		d := p.wait(n)
		if p.now().Add(d).Sub(start) > budget {
			return err
		}
		if p.Logger != nil {
			p.Logger.Warn("retrying after a transient fault", "op", op, "attempt", n, "wait", d)
		}
		if serr := p.sleep(ctx, d); serr != nil {
			return fmt.Errorf("retrying %s: %w (after %w)", op, serr, err)
		}
	}
}
