package mem_test

import (
	"errors"
	"io"
	"io/fs"
	"testing"
	"time"

	"landingd/storage"
	"landingd/storage/mem"
	"landingd/storage/storagetest"
)

func TestZoneSuite(t *testing.T) {
	t.Parallel()
	storagetest.RunZoneSuite(t, storagetest.ZoneHarness{
		New: func(t *testing.T) storage.Zone { return mem.NewZone(t.Name()) },
		Seed: func(t *testing.T, z storage.Zone, folder storage.Folder, name string, data []byte, mtime time.Time) {
			z.(*mem.Zone).Seed(folder, name, data, mtime)
		},
	})
}

func TestOutputSuite(t *testing.T) {
	t.Parallel()
	storagetest.RunOutputSuite(t, storagetest.OutputHarness{
		New: func(t *testing.T) storage.Output { return mem.NewOutput(t.Name()) },
	})
}

// TestFaults checks each kind of fault on the call it names, and only
// there.
func TestFaults(t *testing.T) {
	t.Parallel()
	data := []byte("la_code,case_ref\nE07000066,1\n")
	when := time.Date(2026, 1, 7, 6, 0, 0, 0, time.UTC)
	reset := storage.Transient(errors.New("connection reset"))
	tests := []struct {
		name  string
		fault mem.Fault
		// what the second Open of q.csv, and a Move of the version listed
		// before it, give
		openErr error // errors.Is
		read    string
		readErr error // errors.Is; nil for a whole read
		moveErr error // errors.Is
	}{
		{"none", mem.Fault{Op: mem.OpOpen, Call: 3, Err: reset}, nil, string(data), nil, nil},
		{"error", mem.Fault{Op: mem.OpOpen, Call: 2, Err: reset}, reset, "", nil, nil},
		{"other name", mem.Fault{Op: mem.OpOpen, Name: "other.csv", Err: reset}, nil, string(data), nil, nil},
		{"short read", mem.Fault{Op: mem.OpOpen, Call: 2, ShortRead: 5}, nil, "la_co", io.ErrUnexpectedEOF, nil},
		{"clean short read", mem.Fault{Op: mem.OpOpen, Call: 2, ShortRead: 5, ReadErr: io.EOF}, nil, "la_co", nil, nil},
		{"vanished", mem.Fault{Op: mem.OpOpen, Call: 2, Vanish: true}, fs.ErrNotExist, "", nil, fs.ErrNotExist},
		{"replaced", mem.Fault{Op: mem.OpOpen, Call: 2, Replace: []byte("new")}, nil, "new", nil, storage.ErrChanged},
		{"move fails", mem.Fault{Op: mem.OpMove, Err: fs.ErrPermission}, nil, string(data), nil, fs.ErrPermission},
		{"move's answer lost", mem.Fault{Op: mem.OpMove, Err: reset, Lost: true}, nil, string(data), nil, reset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			z := mem.NewZone("z")
			z.Seed(storage.Top, "q.csv", data, when)
			z.Inject(tt.fault)
			listed := storagetest.Listed(t, z, "q.csv")
			if rc, err := z.Open(ctx, storage.Top, "q.csv"); err != nil {
				t.Fatalf("first Open: %v", err)
			} else {
				rc.Close()
			}
			rc, err := z.Open(ctx, storage.Top, "q.csv")
			if !errors.Is(err, tt.openErr) || (err != nil) != (tt.openErr != nil) {
				t.Fatalf("second Open: err = %v, want %v", err, tt.openErr)
			}
			if err == nil {
				got, err := io.ReadAll(rc)
				rc.Close()
				if string(got) != tt.read || !errors.Is(err, tt.readErr) || (err != nil) != (tt.readErr != nil) {
					t.Errorf("read %q, %v; want %q, %v", got, err, tt.read, tt.readErr)
				}
				if tt.readErr != nil && !storage.IsTransient(err) {
					t.Errorf("a cut stream's error is not transient: %v", err)
				}
			}
			_, err = z.Move(ctx, listed, storage.Processed)
			if !errors.Is(err, tt.moveErr) || (err != nil) != (tt.moveErr != nil) {
				t.Errorf("Move: err = %v, want %v", err, tt.moveErr)
			}
			if tt.fault.Lost {
				if _, ok := z.Content(storage.Processed, "q.csv"); !ok {
					t.Error("a move whose answer was lost was not done")
				}
			}
			if n := z.Calls(mem.OpOpen); n != 2 {
				t.Errorf("Calls(open) = %d, want 2", n)
			}
		})
	}
}
