package storage

import (
	"context"
	"fmt"
	"time"
)

// Retry calls fn until it succeeds, returns an error that is not
// transient (see IsTransient), or has been called attempts times. It
// waits backoff before the second call and doubles the wait each time
// after, up to a minute. It returns the last error from fn, or ctx's
// error (wrapped together with the last error) when ctx ends while it
// waits. attempts below 1 count as 1.
func Retry(ctx context.Context, attempts int, backoff time.Duration, fn func(ctx context.Context) error) error {
	var err error
	for i := 0; ; i++ {
		if err = fn(ctx); err == nil || !IsTransient(err) || i+1 >= attempts {
			return err
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("retrying: %w (after %w)", ctx.Err(), err)
		case <-t.C:
		}
		backoff = min(2*backoff, time.Minute)
	}
}
