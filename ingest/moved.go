package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"landingd/ingest/state"
	"landingd/storage"
	"landingd/storage/retry"
)

// findMoved looks in folder for the file of ledger entry o once a move
// found it gone from the top level. A move whose answer was lost (the
// connection dropped just after the server moved the file) leaves it
// there, under its own name or a clash name (storage.ClashName), and a
// retry of the move then finds nothing to move. A file of o's size under
// one of those names, that the ledger places nowhere else, and whose
// content has o's SHA-256 is taken for it. It returns "" when there is
// none: the district took the file away.
func (r *Runner) findMoved(ctx context.Context, z storage.Zone, o state.Object, folder storage.Folder) (string, error) {
	files, err := r.DB.ZoneFiles(ctx, o.Partner, string(folder), time.Time{})
	if err != nil {
		return "", err
	}
	known := map[string]bool{}
	for _, f := range files {
		known[f.DisposedName] = true
	}
	ext := path.Ext(o.Name)
	if ext == o.Name || len(ext) > 16 { // as ClashName reads an extension
		ext = ""
	}
	stem := strings.TrimSuffix(o.Name, ext)
	found := map[string]bool{} // a set: the listing may be retried
	err = z.List(ctx, folder, func(obj storage.Object) error {
		if obj.Size == o.Size && !known[obj.Name] &&
			(obj.Name == o.Name || strings.HasPrefix(obj.Name, stem+".") && strings.HasSuffix(obj.Name, ext)) {
			found[obj.Name] = true
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(found))
	for n := range found {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		h := sha256.New()
		err := retry.Load(ctx, z, folder, n, func(rd io.Reader) error {
			h.Reset()
			_, err := io.Copy(h, rd)
			return err
		})
		switch {
		case errors.Is(err, storage.ErrNotExist):
			continue
		case err != nil:
			return "", err
		}
		if hex.EncodeToString(h.Sum(nil)) == o.SHA256 {
			return n, nil
		}
	}
	return "", nil
}
