package sftp_test

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"landingd/storage"
	"landingd/storage/sftp"
	"landingd/storage/storagetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storagetest.StopSSHD()
	os.Exit(code)
}

// seed writes a file straight onto the disk under the zone, the way a
// district's upload lands: the servers in these tests run on this
// machine as this user.
func seed(t *testing.T, z storage.Zone, f storage.Folder, name string, data []byte, mtime time.Time) {
	t.Helper()
	dir := filepath.Join(z.(*sftp.Zone).Root(), string(f))
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

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
