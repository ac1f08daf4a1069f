package ingest

import (
	"context"
	"sort"
	"time"

	"landingd/storage"
)

// listTop lists the candidates at a zone's top level, keyed by name.
func listTop(ctx context.Context, z storage.Zone) (map[string]storage.Object, error) {
	seen := map[string]storage.Object{}
	err := z.List(ctx, storage.Top, func(o storage.Object) error {
		if !ignored(o.Name) {
			seen[o.Name] = o
		}
		return nil
	})
	return seen, err
}

// stableObjects looks at the zone twice, wait apart, and returns the
// objects whose size, modification time and ETag did not change, so that
// a file still being uploaded waits for the next cycle. With wait 0 it
// looks once.
func stableObjects(ctx context.Context, z storage.Zone, wait time.Duration) (stable []storage.Object, changed int, err error) {
	first, err := listTop(ctx, z)
	if err != nil {
		return nil, 0, err
	}
	if len(first) == 0 {
		return nil, 0, nil
	}
	second := first
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, 0, ctx.Err()
		case <-t.C:
		}
		if second, err = listTop(ctx, z); err != nil {
			return nil, 0, err
		}
	}
	for name, a := range first {
		b, ok := second[name]
		if !ok {
			continue // gone: a district took it back
		}
		if a.Size != b.Size || !a.ModTime.Equal(b.ModTime) || a.ETag != b.ETag {
			changed++
			continue
		}
		stable = append(stable, b)
	}
	sortObjects(stable)
	return stable, changed, nil
}

func sortObjects(objs []storage.Object) {
	sort.Slice(objs, func(i, j int) bool { return objs[i].Name < objs[j].Name })
}
