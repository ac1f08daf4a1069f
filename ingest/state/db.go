package state

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// FileName is the database's name inside the state folder.
const FileName = "landingd.db"

// busyTimeout is how long a statement waits for another process's lock
// (a status command reading during a run) before it fails.
const busyTimeout = 30 * time.Second

// DB is the state database. Its methods are safe for concurrent use.
// Writes are serialised inside the process: a FileTx holds the write lock
// from BeginFile to Commit or Rollback, and every other writing method
// waits for it (or for its ctx). Reads never wait for writes.
type DB struct {
	db   *sql.DB
	path string
	// wlock serialises writers in this process, so that concurrent files
	// queue here (cancellable by ctx) instead of on SQLite's busy timeout.
	wlock chan struct{}
}

// Option tunes Open.
type Option func(*options)

type options struct {
	cacheKiB int // caps each connection's page cache
}

// defaultCacheKiB is each connection's page cache. Reads (publishing a
// quarter, the duties) walk the key in order, and a file's rows are
// stored in key order, a few thousand at a time (see FileTx.Put), so
// neither gains from a large cache. A page cached takes about twice its
// size in memory (the engine's allocator rounds a page and its header up
// to a power of two), and a connection keeps its cache between uses. On
// the cycle benchmark (bench/cycle: one quarter, 12 x 50,000 rows), 32 MiB
// for every connection peaked at 148 to 232 MB RSS; 2 MiB for reads and
// 32 MiB while a file was staged, given back when it ended, at 84 to 86
// MB; 2 MiB for every connection at 82 to 87 MB and about 1 s faster
// (medians of 4 interleaved runs: 14.1 s against 15.1 s), since growing
// and giving back the larger cache for each file cost more than it saved.
const defaultCacheKiB = 2 << 10

// SmallCache keeps every connection's page cache to 256 KiB: for a
// process that only reads the state between cycles (the service). The
// database engine keeps the memory its caches grew to after they are
// closed, so the cap is what the idle service holds.
func SmallCache() Option { return func(o *options) { o.cacheKiB = 256 } }

// Open opens (creating it if needed) the state database at path and
// migrates it forward to the current schema. It fails when the file cannot
// be opened or is not a SQLite database, when a migration fails (the
// database is left at the last complete version), or when the database was
// written by a newer landingd (its version is higher than this binary's).
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	o := options{cacheKiB: defaultCacheKiB}
	for _, opt := range opts {
		opt(&o)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Statement journals and sorts stay in memory, and a large file's
	// staged pages stay in the cache rather than spilling mid-transaction.
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", o.cacheKiB))
	// Deleted content is overwritten, so that an erased or expired case
	// does not linger in free pages or the WAL.
	q.Add("_pragma", "secure_delete(ON)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	// The database holds pseudonymised case rows: it is created 0600
	// whatever the umask, and SQLite gives its -wal and -shm files the
	// database file's mode.
	created := false
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		created = true
		_ = f.Close()
	}
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	d := &DB{db: sdb, path: path, wlock: make(chan struct{}, 1)}
	if err := d.migrate(ctx); err != nil {
		_ = sdb.Close()
		if created {
			_ = os.Remove(path) // never leave an empty database behind
		}
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	// A database made by an older landingd, or outside systemd, may have
	// followed the umask: tighten it and its companions.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(p, 0o600)
		}
	}
	return d, nil
}

// Path returns the database file's path.
func (d *DB) Path() string { return d.path }

// Close closes the database. Uncommitted FileTx are rolled back by SQLite.
func (d *DB) Close() error {
	if err := d.db.Close(); err != nil {
		return fmt.Errorf("close state %s: %w", d.path, err)
	}
	return nil
}

// lock takes the process-wide write lock, or returns ctx's error.
func (d *DB) lock(ctx context.Context) error {
	select {
	case d.wlock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *DB) unlock() { <-d.wlock }

// write runs fn in one write transaction under the write lock.
func (d *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := d.lock(ctx); err != nil {
		return err
	}
	defer d.unlock()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// timeText formats t for storage: UTC, RFC 3339 with nanoseconds, so that
// text order is time order. The zero time is stored as "".
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
}

// parseTime reads a value written by timeText.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad stored time: %w", err)
	}
	return t, nil
}
