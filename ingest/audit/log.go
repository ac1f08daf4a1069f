package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"landingd/internal/atomicfile"
)

// ErrPartialTail is returned (wrapped) by Open when the log's last line
// has no newline: a write was cut short by a crash, so the entry it held
// was never acknowledged. Repair removes that line.
var ErrPartialTail = errors.New("audit log ends with an incomplete line")

// ErrCorrupt is returned (wrapped) by Open when the log's last entry is
// not a whole, correctly hashed entry, and by PurgeBefore for a damaged
// segment. Verify names the damage.
var ErrCorrupt = errors.New("audit log is damaged")

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("audit log is closed")

// Log appends entries to the audit log in one folder. Its methods are safe
// for concurrent use inside one process; the caller guarantees that only
// one process writes a folder at a time (the state lock).
type Log struct {
	// Now is the clock for entry times; nil means time.Now. Set it before
	// the first Append.
	Now func() time.Time

	dir string

	mu       sync.Mutex
	seq      int64
	hash     string
	live     *os.File // opened at the first Append
	liveSize int64    // bytes of whole lines in the live file
	liveHas  bool     // the live file holds at least one entry
	liveYear int      // the year the live file will be sealed as, once liveHas
	newestYr int      // the year of the newest sealed segment, 0 if none
	broken   error    // set when a failed write may have left the file unusable
	halted   error    // set by Halt
	closed   bool
}

// Open opens the audit log in dir, creating dir if needed, and finds its
// head by reading the last line. It reads no more than the last and first
// lines; Verify checks the whole chain.
//
// Open fails with an error wrapping ErrPartialTail when the last line was
// cut short by a crash (run Repair), with one wrapping ErrCorrupt when the
// last entry is damaged (run Verify to see where), and with the
// underlying error when dir cannot be read.
func Open(ctx context.Context, dir string) (*Log, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open audit log %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open audit log %s: %w", dir, err)
	}
	segs, err := segments(dir)
	if err != nil {
		return nil, fmt.Errorf("open audit log %s: %w", dir, err)
	}
	l := &Log{dir: dir, hash: ZeroHash}
	for _, s := range segs {
		l.newestYr = max(l.newestYr, s.year)
	}
	// The head is the last entry of the newest file that has one.
	for i := len(segs) - 1; i >= 0; i-- {
		e, err := tail(filepath.Join(dir, segs[i].name))
		if errors.Is(err, errNoEntries) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("open audit log %s: %w", dir, err)
		}
		l.seq, l.hash = e.Seq, e.Hash
		break
	}
	if len(segs) > 0 && segs[len(segs)-1].name == LiveName {
		path := filepath.Join(dir, LiveName)
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("open audit log %s: %w", dir, err)
		}
		l.liveSize = st.Size()
		if l.liveSize > 0 {
			// Only whether the live file has entries and its first year
			// matter here; a damaged first line falls back to the head's
			// year and is left for Verify to report.
			l.liveHas = true
			year := l.newestYr + 1
			if e, err := first(path); err == nil {
				year = max(year, e.Time.Year())
			} else if e, err := tail(path); err == nil {
				year = max(year, e.Time.Year())
			}
			l.liveYear = year
		}
	}
	return l, nil
}

// Head returns the last entry's seq and hash: (0, ZeroHash) for a log with
// no entries. Callers keep the hash in the state database and in each
// manifest, so that Verify can tell when entries were cut from the end.
func (l *Log) Head() (seq int64, hash string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq, l.hash
}

// Append writes e as the next entry and returns it as written, with Seq,
// Time (from l.Now, in UTC to the millisecond), Prev and Hash filled in;
// whatever the caller put in those fields is ignored. The line is written
// with O_APPEND and fsynced before Append returns, so a returned entry
// survives a crash.
//
// Append fails when ctx is done, when e is malformed (an event name not
// matching [a-z][a-z0-9._-]*, a reserved event such as EventCheckpoint,
// a Data value that is not a string, bool, finite number, nil or
// []string, or an entry longer than MaxEntryBytes), or when the write or
// fsync fails. After a failed write or fsync every later Append fails
// too: the file may hold a partial line, and the process must reopen the
// log (Open, then Repair if it reports ErrPartialTail).
//
// When the entry's year is later than the live file's, the live file is
// first sealed as audit-YYYY.jsonl (see the package doc).
func (l *Log) Append(ctx context.Context, e Entry) (Entry, error) {
	if e.Event == EventCheckpoint || e.Event == EventRepair {
		return Entry{}, fmt.Errorf("append audit %s: event is reserved", e.Event)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appendLocked(ctx, e)
}

func (l *Log) appendLocked(ctx context.Context, e Entry) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, fmt.Errorf("append audit %s: %w", e.Event, err)
	}
	switch {
	case l.closed:
		return Entry{}, fmt.Errorf("append audit %s: %w", e.Event, ErrClosed)
	case l.broken != nil:
		return Entry{}, fmt.Errorf("append audit %s: an earlier write failed: %w", e.Event, l.broken)
	case l.halted != nil:
		return Entry{}, fmt.Errorf("append audit %s: the log was halted: %w", e.Event, l.halted)
	}
	if err := checkEntry(e); err != nil {
		return Entry{}, fmt.Errorf("append audit %s: %w", e.Event, err)
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	e.Time = now().UTC().Truncate(time.Millisecond)
	e.Seq, e.Prev = l.seq+1, l.hash
	line, err := encode(&e)
	if err != nil {
		return Entry{}, fmt.Errorf("append audit %s: %w", e.Event, err)
	}
	line = append(line, '\n')

	if l.liveHas && e.Time.Year() > l.liveYear {
		if err := l.seal(); err != nil {
			return Entry{}, fmt.Errorf("append audit %s: %w", e.Event, err)
		}
	}
	if l.live == nil {
		if err := l.openLive(); err != nil {
			return Entry{}, fmt.Errorf("append audit %s: %w", e.Event, err)
		}
	}
	if !l.liveHas {
		l.liveYear = max(e.Time.Year(), l.newestYr+1)
	}
	if _, err := l.live.Write(line); err != nil {
		// Cut back whatever part of the line reached the file, so the log
		// stays whole; if that fails too, refuse further appends.
		if terr := l.live.Truncate(l.liveSize); terr != nil {
			l.broken = err
		}
		return Entry{}, fmt.Errorf("append audit %s: %w", e.Event, err)
	}
	if err := l.live.Sync(); err != nil {
		// After a failed fsync the page cache state is unknown.
		l.broken = err
		return Entry{}, fmt.Errorf("append audit %s: %w", e.Event, err)
	}
	l.liveSize += int64(len(line))
	l.liveHas = true
	l.seq, l.hash = e.Seq, e.Hash
	return e, nil
}

// Halt makes every later Append (and PurgeBefore's checkpoints) in this
// process fail with an error wrapping cause; the first cause is kept. A
// caller halts the log when it cannot keep the log and what it stores
// about it in step (an entry was appended but recording that failed):
// appending more would hide the gap. The entries already written stay;
// a process that opens the log again starts afresh.
func (l *Log) Halt(cause error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.halted == nil {
		l.halted = cause
	}
}

// openLive opens (creating) the live file for appending.
func (l *Log) openLive() error {
	path := filepath.Join(l.dir, LiveName)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		if err := atomicfile.SyncDir(l.dir); err != nil {
			_ = f.Close()
			return err
		}
	}
	l.live = f
	return nil
}

// seal renames the live file to its yearly segment name. A crash after the
// rename leaves no live file, which Open and Verify accept: the head is
// then the sealed segment's last entry.
func (l *Log) seal() error {
	if l.live != nil {
		if err := l.live.Close(); err != nil {
			return err
		}
		l.live = nil
	}
	name := SealedName(l.liveYear)
	to := filepath.Join(l.dir, name)
	if _, err := os.Lstat(to); err == nil {
		return fmt.Errorf("seal %s: %w", name, fs.ErrExist)
	}
	if err := os.Rename(filepath.Join(l.dir, LiveName), to); err != nil {
		return fmt.Errorf("seal %s: %w", name, err)
	}
	if err := atomicfile.SyncDir(l.dir); err != nil {
		return fmt.Errorf("seal %s: %w", name, err)
	}
	l.newestYr = l.liveYear
	l.liveHas, l.liveSize, l.liveYear = false, 0, 0
	return nil
}

// Close closes the live file. Entries are already durable, so Close only
// releases the descriptor; it is safe to call more than once.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.live == nil {
		return nil
	}
	err := l.live.Close()
	l.live = nil
	if err != nil {
		return fmt.Errorf("close audit log %s: %w", l.dir, err)
	}
	return nil
}
