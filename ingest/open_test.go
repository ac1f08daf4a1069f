package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"reflect"
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
	for name, open := range map[string]func() (io.Closer, error){
		"Open": func() (io.Closer, error) {
			return closer(Open(context.Background(), l.cfg, logger, "test"))
		},
		"OpenDuties": func() (io.Closer, error) {
			return closer(OpenDuties(context.Background(), l.cfg, logger, "test", LockSpec{Holder: "test"}))
		},
		"OpenReader": func() (io.Closer, error) {
			return closer(OpenReader(context.Background(), l.cfg, logger, "test"))
		},
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

// closer returns what an Open function opened as an io.Closer, nil when
// it opened nothing.
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
