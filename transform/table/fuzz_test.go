package table

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// seed adds every testdata file whose name matches pattern to f.
func seed(f *testing.F, pattern string) {
	names, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(names) == 0 {
		f.Fatalf("no seeds for %s: %v", pattern, err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkTable reads t to the end and checks what every reader promises:
// rows rise, records are non-blank with no trailing blank cell, and every
// error is a *FileError or ctx's.
func checkTable(t *testing.T, tab Table, err error) {
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("Open error %v (%T) is not a *FileError", err, err)
		}
		return
	}
	defer tab.Close()
	last := tab.Header().Row
	if last < 1 || len(tab.Header().Cells) == 0 {
		t.Fatalf("header %+v", tab.Header())
	}
	for {
		rec, err := tab.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) && !errors.Is(err, context.Canceled) {
				t.Fatalf("Next error %v (%T) is not a *FileError", err, err)
			}
			return
		}
		if rec.Row <= last {
			t.Fatalf("row %d after row %d", rec.Row, last)
		}
		last = rec.Row
		if n := len(rec.Cells); n == 0 || isBlank(rec.Cells[n-1]) {
			t.Fatalf("row %d has cells %q", rec.Row, rec.Cells)
		}
	}
}

func FuzzOpenCSV(f *testing.F) {
	seed(f, "*.csv")
	f.Add([]byte("a,b\n1,\"x\ny\"\n\n2,3\n"))
	f.Add([]byte("t\n\ncase_ref;la_code\n1;2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, enc := range []string{"", "utf-8"} {
			tab, err := Open(context.Background(), "f.csv", bytes.NewReader(data), ReadOptions{Encoding: enc, IsHeader: hasLabels})
			checkTable(t, tab, err)
		}
	})
}

func FuzzOpenXLSX(f *testing.F) {
	seed(f, "*.xlsx")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Open(context.Background(), "f.xlsx", bytes.NewReader(data),
			ReadOptions{IsHeader: hasLabels, TempDir: dir, MaxUnzippedBytes: 64 << 20, MaxEntryBytes: 32 << 20})
		checkTable(t, tab, err)
		if left, _ := os.ReadDir(dir); len(left) != 0 && tab == nil {
			t.Fatalf("%d temp files left after a rejected file", len(left))
		}
	})
}
