package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"testing"

	"landingd/ingest/state"
)

// TestOpenUnreadableKey checks that an unreadable pseudonymisation key is
// reported as ErrKey by both openers, and before the state is touched: a
// held lock does not hide it.
func TestOpenUnreadableKey(t *testing.T) {
	t.Parallel()
	l := newDutyLab(t, "basildon")
	must(t, os.Remove(l.cfg.Pseudonymise.KeyFile))
	must(t, os.MkdirAll(l.cfg.State, 0o700))
	unlock, err := state.Lock(context.Background(), l.cfg.State, "run", 0)
	must(t, err)
	defer unlock()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for name, open := range map[string]func() (*Runner, error){
		"Open":       func() (*Runner, error) { return Open(context.Background(), l.cfg, logger, "test") },
		"OpenReader": func() (*Runner, error) { return OpenReader(context.Background(), l.cfg, logger, "test") },
	} {
		r, err := open()
		if r != nil {
			r.Close()
		}
		if !errors.Is(err, ErrKey) || errors.Is(err, ErrLocked) {
			t.Errorf("%s: err = %v, want ErrKey and not ErrLocked", name, err)
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: err = %v, want the missing file as its cause", name, err)
		}
	}
}
