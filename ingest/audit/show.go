package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Show calls fn for every entry in dir whose Time is at or after since
// (every entry when since is zero), oldest first. Data numbers come back
// as json.Number, so an entry marshals back to the same digits.
//
// Show does not check hashes (Verify does). It stops with an error naming
// the file and line at the first line that is not an entry (a line cut
// short by a crash included), after calling fn for every entry before it;
// an error from fn stops it and is returned as is. A missing dir is an
// empty log.
func Show(ctx context.Context, dir string, since time.Time, fn func(Entry) error) error {
	segs, err := segments(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("show audit log %s: %w", dir, err)
	}
	for _, s := range segs {
		// A sealed segment holds no entry later than its year (the live
		// file is sealed as soon as an entry of a later year arrives).
		if s.year != 0 && !since.IsZero() && s.year < since.UTC().Year() {
			continue
		}
		if err := showFile(ctx, filepath.Join(dir, s.name), s.name, since, fn); err != nil {
			return err
		}
	}
	return nil
}

func showFile(ctx context.Context, path, name string, since time.Time, fn func(Entry) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("show audit log %s: %w", name, err)
	}
	defer f.Close()
	lr := newLineReader(f)
	for lineNo := 1; ; lineNo++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("show audit log %s: %w", name, err)
		}
		line, complete, err := lr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("show audit log %s: %w", name, err)
		}
		if !complete {
			return fmt.Errorf("show audit log %s line %d: %w", name, lineNo, ErrPartialTail)
		}
		e, _, err := decode(line)
		if err != nil {
			return fmt.Errorf("show audit log %s line %d: %w", name, lineNo, err)
		}
		if !since.IsZero() && e.Time.Before(since) {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
}
