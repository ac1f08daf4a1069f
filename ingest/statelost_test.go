package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"landingd/ingest/state"
	"landingd/transform/synth"
)

// A state database that is empty, or missing from a state folder with
// history, is refused by every opener before anything is written: the
// next cycle would otherwise republish the quarters from an empty store.
func TestOpenRefusesLostState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		harm func(t *testing.T, stateDir string)
	}{
		{"empty database", func(t *testing.T, dir string) {
			must(t, os.Truncate(filepath.Join(dir, state.FileName), 0))
		}},
		{"missing database, audit trail kept", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, state.FileName)))
		}},
		{"missing database and audit trail, outputs kept", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, state.FileName)))
			segs, _ := filepath.Glob(filepath.Join(dir, "audit*.jsonl"))
			for _, s := range segs {
				must(t, os.Remove(s))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newDutyLab(t, "basildon")
			l.set(utc("2026-01-08 06:00"))
			l.drop(t, "basildon", "q4.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, DAShare: 1})
			r := l.open(t)
			if sum := cycle(t, r); len(sum.Quarters) == 0 {
				t.Fatal("the cycle published nothing")
			}
			must(t, r.Close())
			for _, side := range []string{"-wal", "-shm"} {
				_ = os.Remove(filepath.Join(l.cfg.State, state.FileName+side))
			}
			tt.harm(t, l.cfg.State)
			before, _ := os.Stat(filepath.Join(l.cfg.State, state.FileName))

			for name, open := range openers(l.cfg) {
				r, err := open()
				if r != nil {
					r.Close()
				}
				if !errors.Is(err, ErrStateLost) {
					t.Errorf("%s: err = %v, want ErrStateLost", name, err)
				}
			}
			after, _ := os.Stat(filepath.Join(l.cfg.State, state.FileName))
			if (before == nil) != (after == nil) || (after != nil && after.Size() != before.Size()) {
				t.Errorf("the refused database was touched: before %v, after %v", before, after)
			}
		})
	}
}
