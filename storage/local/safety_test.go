package local_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"landingd/storage"
	"landingd/storage/local"
	"landingd/storage/storagetest"
)

// TestSymlinksRefused checks links and special files planted in a zone
// never lead out of it.
func TestSymlinksRefused(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	z, err := local.NewZone(root)
	if err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "secret.csv")
	if err := os.WriteFile(secret, []byte("not for the zone"), 0o600); err != nil {
		t.Fatal(err)
	}
	symlink(t, secret, filepath.Join(root, "link.csv"))
	symlink(t, t.TempDir(), filepath.Join(root, "rejected"))
	special(t, filepath.Join(root, "fifo.csv"))
	must(t, os.Mkdir(filepath.Join(root, "sub"), 0o750))
	must(t, os.WriteFile(filepath.Join(root, "real.csv"), []byte("r"), 0o600))
	must(t, os.WriteFile(filepath.Join(root, ".landingd-1.tmp"), []byte("t"), 0o600))
	ctx := t.Context()

	var names []string
	must(t, z.List(ctx, storage.Top, func(o storage.Object) error { names = append(names, o.Name); return nil }))
	if len(names) != 1 || names[0] != "real.csv" {
		t.Errorf("List = %q, want only real.csv", names)
	}
	for _, n := range []string{"link.csv", "fifo.csv", "sub"} {
		if rc, err := z.Open(ctx, storage.Top, n); !errors.Is(err, storage.ErrUnsafeName) {
			if err == nil {
				rc.Close()
			}
			t.Errorf("Open %s: err = %v, want ErrUnsafeName", n, err)
		}
		if _, err := z.Move(ctx, storage.Object{Name: n}, storage.Processed); !errors.Is(err, storage.ErrUnsafeName) {
			t.Errorf("Move %s: err = %v, want ErrUnsafeName", n, err)
		}
		if err := z.Delete(ctx, storage.Top, n); !errors.Is(err, storage.ErrUnsafeName) {
			t.Errorf("Delete %s: err = %v, want ErrUnsafeName", n, err)
		}
	}
	if _, err := z.Move(ctx, storagetest.Listed(t, z, "real.csv"), storage.Rejected); !errors.Is(err, storage.ErrUnsafeName) {
		t.Errorf("Move into a linked folder: err = %v, want ErrUnsafeName", err)
	}
	if err := z.Put(ctx, storage.Rejected, "r.txt", strings.NewReader("x")); !errors.Is(err, storage.ErrUnsafeName) {
		t.Errorf("Put into a linked folder: err = %v, want ErrUnsafeName", err)
	}
	if err := z.Put(ctx, storage.Top, "link.csv", strings.NewReader("x")); !errors.Is(err, storage.ErrUnsafeName) {
		t.Errorf("Put over a link: err = %v, want ErrUnsafeName", err)
	}
	if b, _ := os.ReadFile(secret); string(b) != "not for the zone" {
		t.Error("the link's target was changed")
	}
}

// TestMoveNames checks the timestamped name a clash gets, and the mode
// and durability-relevant layout Move leaves.
func TestMoveNames(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	z, err := local.NewZone(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	stamp := regexp.MustCompile(`^data\.\d{8}T\d{6}Z(-\d+)?\.csv$`)
	for i := range 3 {
		must(t, os.WriteFile(filepath.Join(root, "data.csv"), []byte{byte(i)}, 0o600))
		got, err := z.Move(ctx, storagetest.Listed(t, z, "data.csv"), storage.Processed)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && got != "data.csv" || i > 0 && !stamp.MatchString(got) {
			t.Errorf("Move %d named it %q", i, got)
		}
		b, err := os.ReadFile(filepath.Join(root, "processed", got))
		if err != nil || len(b) != 1 || b[0] != byte(i) {
			t.Errorf("processed/%s = %v, %v; want [%d]", got, b, err, i)
		}
	}
	fi, err := os.Stat(filepath.Join(root, "processed"))
	if err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o750 {
		t.Errorf("processed folder: %v, %v; want mode 0750", fi.Mode(), err)
	}
}

func TestNewZoneErrors(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "file")
	must(t, os.WriteFile(f, nil, 0o600))
	for _, root := range []string{filepath.Join(t.TempDir(), "missing"), f} {
		if _, err := local.NewZone(root); err == nil || !strings.Contains(err.Error(), root) {
			t.Errorf("NewZone(%s) = %v, want an error naming it", root, err)
		}
		if _, err := local.NewOutput(root); err == nil {
			t.Errorf("NewOutput(%s) succeeded", root)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
