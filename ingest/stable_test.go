package ingest

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"landingd/storage/local"
)

func TestStableObjectsWaitsForChangingFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	z, err := local.NewZone(dir)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("settled.csv", "a,b\n")
	write("growing.csv", "a,b\n")
	write("upload.csv.part", "a,b\n")
	write(".hidden.csv", "a,b\n")

	// The second file grows while the run waits between its two looks.
	go func() {
		time.Sleep(100 * time.Millisecond)
		f, err := os.OpenFile(filepath.Join(dir, "growing.csv"), os.O_APPEND|os.O_WRONLY, 0)
		if err == nil {
			f.WriteString("1,2\n")
			f.Close()
		}
	}()
	stable, changed, err := stableObjects(context.Background(), z, 400*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if len(stable) != 1 || stable[0].Name != "settled.csv" {
		t.Errorf("stable = %v, want only settled.csv", stable)
	}
	if changed != 1 {
		t.Errorf("changed = %d, want 1 (growing.csv waits for the next cycle)", changed)
	}

	// With nothing changing, the next cycle takes both.
	stable, changed, err = stableObjects(context.Background(), z, 50*time.Millisecond)
	if err != nil || len(stable) != 2 || changed != 0 {
		t.Errorf("second look: %v, %d changed, %v; want both files", stable, changed, err)
	}
}

func TestStableObjectsHonoursCancellation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.csv"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	z, err := local.NewZone(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := stableObjects(ctx, z, time.Hour); err == nil {
		t.Fatal("a cancelled wait returned files")
	}
}

func TestRemoveStaleSpools(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"landingd-xlsx-123", "excelize-456", ".spool-789", "landingd-combined-1.csv", ".landingd-azblob-2", "landingd.db", "audit.jsonl"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	removeStaleSpools(dir, slog.New(slog.DiscardHandler))
	left, _ := os.ReadDir(dir)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != "audit.jsonl" || names[1] != "landingd.db" {
		t.Errorf("left %v, want only the database and the audit log", names)
	}
}
