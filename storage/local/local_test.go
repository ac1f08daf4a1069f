package local_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"landingd/storage"
	"landingd/storage/local"
	"landingd/storage/storagetest"
)

func newZone(t *testing.T) storage.Zone {
	z, err := local.NewZone(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// seed writes a file the way a district's upload would land, not through
// the zone.
func seed(t *testing.T, z storage.Zone, f storage.Folder, name string, data []byte, mtime time.Time) {
	t.Helper()
	dir := filepath.Join(z.(*local.Zone).Root(), string(f))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestZoneSuite(t *testing.T) {
	t.Parallel()
	storagetest.RunZoneSuite(t, storagetest.ZoneHarness{New: newZone, Seed: seed})
}

func TestOutputSuite(t *testing.T) {
	t.Parallel()
	storagetest.RunOutputSuite(t, storagetest.OutputHarness{New: func(t *testing.T) storage.Output {
		o, err := local.NewOutput(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return o
	}})
}
