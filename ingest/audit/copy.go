package audit

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// CopySegments calls fn once for each file of the log, oldest first, with
// the file's name (e.g. "audit-2025.jsonl", "audit.jsonl") and a reader of
// its content, so that a run can copy the log to an output at the end of
// each cycle, for example with out.Put(ctx, "audit/"+name, r).
//
// The files are opened and their sizes taken under the log's lock, so the
// live file is copied up to a whole line even while other goroutines
// append; the copying itself does not hold the lock. Sealed segments never
// change once written, so a caller may skip names it copied before. An
// error from fn stops the copy and is returned as is; the remaining files
// are not copied.
func (l *Log) CopySegments(ctx context.Context, fn func(name string, r io.Reader) error) error {
	type snap struct {
		name string
		f    *os.File
		size int64
	}
	var snaps []snap
	defer func() {
		for _, s := range snaps {
			_ = s.f.Close()
		}
	}()
	l.mu.Lock()
	segs, err := segments(l.dir)
	if err == nil {
		for _, s := range segs {
			var f *os.File
			f, err = os.Open(filepath.Join(l.dir, s.name))
			if err != nil {
				break
			}
			var st os.FileInfo
			st, err = f.Stat()
			if err != nil {
				_ = f.Close()
				break
			}
			snaps = append(snaps, snap{s.name, f, st.Size()})
		}
	}
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("copy audit log %s: %w", l.dir, err)
	}
	for _, s := range snaps {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("copy audit %s: %w", s.name, err)
		}
		if err := fn(s.name, io.NewSectionReader(s.f, 0, s.size)); err != nil {
			return err
		}
	}
	return nil
}
