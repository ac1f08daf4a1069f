package sftp_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pkgsftp "github.com/pkg/sftp"

	"landingd/storage"
	"landingd/storage/sftp"
	"landingd/storage/storagetest"
)

// pipes joins a reader and a writer into the server's connection.
type pipes struct {
	io.Reader
	io.WriteCloser
}

// TestRefusesServerWithoutPosixRename runs a zone over an SFTP server
// that lacks posix-rename@openssh.com (pkg/sftp's own server, told not to
// offer it): Put and Move refuse, naming the extension, and leave the zone
// as it was, rather than replace or move files without atomicity.
func TestRefusesServerWithoutPosixRename(t *testing.T) {
	if err := pkgsftp.SetSFTPExtensions("statvfs@openssh.com", "hardlink@openssh.com"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = pkgsftp.SetSFTPExtensions("hardlink@openssh.com", "posix-rename@openssh.com", "statvfs@openssh.com") // the library's default
	})
	toServer, fromClient := io.Pipe()
	toClient, fromServer := io.Pipe()
	srv, err := pkgsftp.NewServer(pipes{toServer, fromServer})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	c, err := pkgsftp.NewClientPipe(toClient, fromClient)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.HasExtension("posix-rename@openssh.com"); ok {
		t.Fatal("the test server offers posix-rename@openssh.com")
	}
	root := t.TempDir()
	z := sftp.NewZoneFromClient(c, root)
	defer func() {
		srv.Close() // ends the client's reads, so that Close returns
		z.Close()
	}()
	seed(t, z, storage.Top, "q4.csv", []byte("a,b\n"), time.Now())
	seed(t, z, storage.Rejected, "q4.csv.report.txt", []byte("old report\n"), time.Now())

	err = z.Put(t.Context(), storage.Rejected, "q4.csv.report.txt", strings.NewReader("new report\n"))
	if err == nil || !strings.Contains(err.Error(), "posix-rename@openssh.com") {
		t.Errorf("Put = %v, want an error naming posix-rename@openssh.com", err)
	}
	if storage.IsTransient(err) {
		t.Errorf("Put's refusal is marked transient: %v", err)
	}
	_, err = z.Move(t.Context(), storagetest.Listed(t, z, "q4.csv"), storage.Processed)
	if err == nil || !strings.Contains(err.Error(), "posix-rename@openssh.com") {
		t.Errorf("Move = %v, want an error naming posix-rename@openssh.com", err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "rejected", "q4.csv.report.txt")); err != nil || string(b) != "old report\n" {
		t.Errorf("report = %q, %v; want the old one untouched", b, err)
	}
	if _, err := os.Stat(filepath.Join(root, "q4.csv")); err != nil {
		t.Errorf("q4.csv left the top level: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "processed")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("processed/ was made: %v", err)
	}
	ents, _ := os.ReadDir(filepath.Join(root, "rejected"))
	if len(ents) != 1 {
		t.Errorf("rejected/ holds %d entries, want only the old report (no temporary file)", len(ents))
	}
}
