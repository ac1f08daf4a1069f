package sftp_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"landingd/storage"
	"landingd/storage/storagetest"
)

// BenchmarkSSHD measures the zone against a real sshd on loopback:
//
//	go test -run XXX -bench SSHD ./storage/sftp
func BenchmarkSSHD(b *testing.B) {
	s := storagetest.StartSSHD(b)
	z := open(b, config(b, s))
	data := storagetest.Bytes(1, 32<<20)
	if err := os.WriteFile(filepath.Join(z.Root(), "big.csv"), data, 0o600); err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		if err := os.WriteFile(filepath.Join(z.Root(), fmt.Sprintf("f%03d.csv", i)), []byte("x"), 0o600); err != nil {
			b.Fatal(err)
		}
	}

	b.Run("Read32MiB", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			rc, err := z.Open(b.Context(), storage.Top, "big.csv")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, rc); err != nil {
				b.Fatal(err)
			}
			rc.Close()
		}
	})
	b.Run("Read32MiBIn4KiB", func(b *testing.B) {
		// As a CSV parser reads: 4 KiB at a time, no WriteTo.
		b.SetBytes(int64(len(data)))
		buf := make([]byte, 4096)
		for b.Loop() {
			rc, err := z.Open(b.Context(), storage.Top, "big.csv")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, struct{ io.Reader }{rc}, buf); err != nil {
				b.Fatal(err)
			}
			rc.Close()
		}
	})
	b.Run("Put32MiB", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if err := z.Put(b.Context(), storage.Processed, "big.report.txt", bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("List101", func(b *testing.B) {
		for b.Loop() {
			if err := z.List(b.Context(), storage.Top, func(storage.Object) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
}
