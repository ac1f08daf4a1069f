package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"landingd/internal/atomicfile"
)

// SegmentInfo describes a sealed segment that PurgeBefore removed.
type SegmentInfo struct {
	Name      string    // e.g. "audit-2025.jsonl"
	FirstSeq  int64     // seq of its first entry
	LastSeq   int64     // seq of its last entry
	Entries   int64     // number of entries
	FirstTime time.Time // earliest entry time
	LastTime  time.Time // latest entry time
	LastHash  string    // hash of its last entry, which the next segment's first prev names
}

// PurgeBefore deletes whole sealed segments all of whose entries are older
// than cutoff, oldest first, stopping at the first segment that holds a
// newer entry; the live file is never deleted. For each segment it first
// appends (and fsyncs) a checkpoint entry, whose Data holds segment,
// first_seq, last_seq, entries, first_time, last_time and last_hash, and
// only then removes the file, so Verify accepts a chain that begins right
// after it. A crash between the two leaves the segment in place and a
// checkpoint that does no harm; the next purge writes another.
//
// When a segment is due, PurgeBefore first verifies the whole chain (as
// Verify does, against the log's own head) and refuses, with an error
// wrapping ErrCorrupt that names the first bad entry, when it is not
// whole, so that retention never destroys or vouches for evidence of
// tampering. It returns the segments removed before any error.
func (l *Log) PurgeBefore(ctx context.Context, cutoff time.Time) (removed []SegmentInfo, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	segs, err := segments(l.dir)
	if err != nil {
		return nil, fmt.Errorf("purge audit log %s: %w", l.dir, err)
	}
	if len(segs) == 0 || segs[0].year == 0 {
		return nil, nil
	}
	// Only the oldest segment need be read to know whether anything is
	// due; when something is, the whole chain is verified first, so that
	// a purge never launders damage (such as an oldest segment deleted by
	// hand, which the new checkpoint would otherwise vouch for).
	oldest, err := scanSegment(filepath.Join(l.dir, segs[0].name), segs[0].name)
	if err != nil {
		return nil, fmt.Errorf("purge audit %s: %w", segs[0].name, err)
	}
	if oldest.Entries > 0 && !oldest.LastTime.Before(cutoff) {
		return nil, nil
	}
	p, err := Verify(ctx, l.dir, l.hash)
	if err != nil {
		return nil, fmt.Errorf("purge audit log %s: %w", l.dir, err)
	}
	if p != nil {
		return nil, fmt.Errorf("purge audit log %s: %w: %s", l.dir, ErrCorrupt, p)
	}
	for _, s := range segs {
		if s.year == 0 {
			break // the live file
		}
		if err := ctx.Err(); err != nil {
			return removed, fmt.Errorf("purge audit %s: %w", s.name, err)
		}
		path := filepath.Join(l.dir, s.name)
		info, err := scanSegment(path, s.name)
		if err != nil {
			return removed, fmt.Errorf("purge audit %s: %w", s.name, err)
		}
		if info.Entries > 0 && !info.LastTime.Before(cutoff) {
			break
		}
		cp := Entry{Event: EventCheckpoint, Object: s.name, Data: map[string]any{
			"segment":    s.name,
			"first_seq":  info.FirstSeq,
			"last_seq":   info.LastSeq,
			"entries":    info.Entries,
			"first_time": info.FirstTime.UTC().Format(timeLayout),
			"last_time":  info.LastTime.UTC().Format(timeLayout),
			"last_hash":  info.LastHash,
			"cutoff":     cutoff.UTC().Format(timeLayout),
		}}
		if info.Entries == 0 {
			// An empty sealed file vouches for nothing; remove it quietly.
			cp = Entry{}
		}
		if cp.Event != "" {
			if _, err := l.appendLocked(ctx, cp); err != nil {
				return removed, fmt.Errorf("purge audit %s: %w", s.name, err)
			}
		}
		if err := os.Remove(path); err != nil {
			return removed, fmt.Errorf("purge audit %s: %w", s.name, err)
		}
		if err := atomicfile.SyncDir(l.dir); err != nil {
			return removed, fmt.Errorf("purge audit %s: %w", s.name, err)
		}
		removed = append(removed, info)
	}
	return removed, nil
}

// DueSegments lists, oldest first, the names of the sealed segments in dir
// that PurgeBefore(ctx, cutoff) would delete: those whose last entry is
// older than cutoff (and empty ones), stopping at the first that is not.
// It reads only each segment's last line and changes nothing, so it suits
// a dry run; it does not verify the chain, which PurgeBefore does and may
// then refuse. It fails when dir cannot be listed or a segment's last line
// is not a whole entry matching its hash.
func DueSegments(dir string, cutoff time.Time) ([]string, error) {
	segs, err := segments(dir)
	if err != nil {
		return nil, fmt.Errorf("list audit log %s: %w", dir, err)
	}
	out := []string{}
	for _, s := range segs {
		if s.year == 0 {
			break // the live file
		}
		e, err := tail(filepath.Join(dir, s.name))
		switch {
		case errors.Is(err, errNoEntries):
		case err != nil:
			return nil, fmt.Errorf("read audit segment %s: %w", s.name, err)
		case !e.Time.Before(cutoff):
			return out, nil
		}
		out = append(out, s.name)
	}
	return out, nil
}

// scanSegment reads a sealed segment whole and checks its own chain:
// every line an entry matching its hash, seqs one apart, prevs linked.
func scanSegment(path, name string) (SegmentInfo, error) {
	info := SegmentInfo{Name: name}
	f, err := os.Open(path)
	if err != nil {
		return info, err
	}
	defer f.Close()
	lr := newLineReader(f)
	var last Entry
	for lineNo := 1; ; lineNo++ {
		line, complete, err := lr.next()
		if errors.Is(err, io.EOF) {
			return info, nil
		}
		if err != nil {
			return info, err
		}
		if !complete {
			return info, fmt.Errorf("%w: line %d has no newline", ErrCorrupt, lineNo)
		}
		e, ok, err := decode(line)
		switch {
		case err != nil:
			return info, fmt.Errorf("%w: line %d: %v", ErrCorrupt, lineNo, err)
		case !ok:
			return info, fmt.Errorf("%w: line %d (seq %d) does not match its hash", ErrCorrupt, lineNo, e.Seq)
		case info.Entries > 0 && (e.Seq != last.Seq+1 || e.Prev != last.Hash):
			return info, fmt.Errorf("%w: line %d (seq %d) does not follow seq %d", ErrCorrupt, lineNo, e.Seq, last.Seq)
		}
		if info.Entries == 0 {
			info.FirstSeq, info.FirstTime, info.LastTime = e.Seq, e.Time, e.Time
		}
		if e.Time.Before(info.FirstTime) {
			info.FirstTime = e.Time
		}
		if e.Time.After(info.LastTime) {
			info.LastTime = e.Time
		}
		info.LastSeq, info.LastHash = e.Seq, e.Hash
		info.Entries++
		last = e
	}
}
