package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"reflect"
	"testing"

	"landingd/config"
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
	for name, open := range openers(l.cfg) {
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

// openers are the three ways to open cfg's state, by name, each
// returning what it opened as an io.Closer (nil when it opened nothing).
func openers(cfg *config.Config) map[string]func() (io.Closer, error) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	return map[string]func() (io.Closer, error){
		"Open": func() (io.Closer, error) { return closer(Open(ctx, cfg, logger, "test")) },
		"OpenDuties": func() (io.Closer, error) {
			return closer(OpenDuties(ctx, cfg, logger, "test", LockSpec{Holder: "test"}))
		},
		"OpenReader": func() (io.Closer, error) { return closer(OpenReader(ctx, cfg, logger, "test")) },
	}
}

func closer[T io.Closer](c T, err error) (io.Closer, error) {
	if err != nil {
		return nil, err
	}
	return c, nil
}

// TestViewCannotChangeState checks that a View, which OpenReader returns
// without the state lock, offers neither the cycle nor a duty: calling one
// does not compile.
func TestViewCannotChangeState(t *testing.T) {
	t.Parallel()
	view := reflect.TypeOf(&View{})
	for _, m := range []string{"Cycle", "Erase", "Restrict", "Purge", "AckIncident", "CloseIncident", "PublishQuarter", "ReleaseLock"} {
		if _, ok := view.MethodByName(m); ok {
			t.Errorf("View has method %s", m)
		}
	}
	duties := reflect.TypeOf(&Duties{})
	if _, ok := duties.MethodByName("Cycle"); ok {
		t.Error("Duties has method Cycle")
	}
}
