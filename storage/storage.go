package storage

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"time"
)

// Folder names a disposition folder inside a landing zone.
type Folder string

// The disposition folders every landing zone has. They sit inside the
// zone, so a district sees what happened to each file it sent.
const (
	Top       Folder = ""          // the zone's top level, where districts drop files
	Processed Folder = "processed" // accepted files, and reports on their rejected rows
	Rejected  Folder = "rejected"  // rejected files with <name>.report.txt beside them
)

// Object describes one file or blob.
type Object struct {
	Name    string    // base name, no folder
	Size    int64     // bytes
	ModTime time.Time // modification time (Last-Modified for blobs)
	ETag    string    // "" where the backend has none
}

// ErrNotExist is returned (wrapped) when an object is missing.
// errors.Is(err, fs.ErrNotExist) also holds for it.
var ErrNotExist = fs.ErrNotExist

// ErrChanged is returned (wrapped) by Zone.Move when the object at the name
// is no longer the version that was listed and read.
var ErrChanged = errors.New("object changed since it was listed")

// SameVersion reports whether now, an object as a backend describes it
// at present, is the version read: the same ETag when both have one, or
// else the same size and modification time. Backends without ETags can
// miss a replacement of the same size within their clock's resolution
// (a second on SFTP).
func SameVersion(read, now Object) bool {
	if read.ETag != "" && now.ETag != "" {
		// A listing may spell an ETag without the quotes its header has.
		return strings.Trim(read.ETag, `"`) == strings.Trim(now.ETag, `"`)
	}
	return read.Size == now.Size && read.ModTime.Equal(now.ModTime)
}

// ErrUnsafeName is returned (wrapped) for a name that could leave the zone:
// one containing "/", "\", "..", a NUL, or naming a symbolic link.
var ErrUnsafeName = errors.New("unsafe object name")

// Zone is one district's landing zone.
//
// Every method takes ctx first and returns ctx.Err() (wrapped) once it is
// cancelled. Errors read "op object: cause". A backend marks each fault a
// retry may cure with Transient (a dropped connection, a timeout, a busy
// service); everything else (a missing object, permission, ErrChanged,
// ErrUnsafeName, ctx's error) it leaves unmarked. Backends do not retry:
// one policy decides, in package storage/retry, which wraps a Zone and
// reads only that mark. A missing object satisfies errors.Is(err,
// ErrNotExist).
type Zone interface {
	// List calls fn for each regular file in folder, non-recursively, in no
	// particular order. Symbolic links and sub-folders are skipped. A file
	// whose name CheckName refuses (one holding a backslash) is listed all the same,
	// so that the caller can refuse it on its own; Open, Move, Put and
	// Delete refuse such a name. List may be retried after an error, so fn
	// must be idempotent. An error from fn stops the listing and is
	// returned as is.
	List(ctx context.Context, folder Folder, fn func(Object) error) error

	// Open returns a stream of the object's bytes. The caller closes it.
	// A connection dropped mid-read surfaces as a Read error, never as a
	// short, clean EOF.
	Open(ctx context.Context, folder Folder, name string) (io.ReadCloser, error)

	// Move moves obj, a top-level object as List described it, into folder
	// to (Processed or Rejected) and returns the name it got there: the
	// same name, or with a timestamp added when that name is taken.
	// Nothing is ever overwritten. When the object now at obj.Name is not
	// the version obj describes (SameVersion), because the district
	// replaced it after it was listed, Move leaves it where it is and
	// returns an ErrChanged error: the new version was never read, so it
	// must not be filed as if it had been. Each backend documents how
	// atomic its move and its check are.
	Move(ctx context.Context, obj Object, to Folder) (string, error)

	// Put writes an object into folder atomically: readers see the old
	// object or all of the new one, never a part. It is used for reports.
	Put(ctx context.Context, folder Folder, name string, r io.Reader) error

	// Delete removes an object from folder (retention and erasure only; a
	// run never deletes what a district sent). A missing object is an
	// ErrNotExist error.
	Delete(ctx context.Context, folder Folder, name string) error

	// String names the zone for logs and errors without any secret, for
	// example "sftp://braintree@host:22/upload".
	String() string

	// Close releases connections. It is safe to call more than once.
	Close() error
}

// Output is where combined datasets go. Names are slash-separated paths
// such as "2025Q4/combined.csv". Its errors follow Zone's rules: faults
// a retry may cure are marked with Transient, and storage/retry decides.
type Output interface {
	// Put writes name atomically: a reader sees the previous version or the
	// whole new one; a failed Put leaves the previous version whole.
	Put(ctx context.Context, name string, r io.Reader) error
	// Get opens name for reading. A missing name is an ErrNotExist error.
	Get(ctx context.Context, name string) (io.ReadCloser, error)
	// List calls fn with every name under prefix, recursively. List may
	// be retried after an error, so fn must be idempotent. An error from
	// fn stops the listing and is returned as is.
	List(ctx context.Context, prefix string, fn func(name string) error) error
	// Delete removes name. A missing name is an ErrNotExist error.
	Delete(ctx context.Context, name string) error
	String() string
	Close() error
}

// transient marks an error as worth retrying.
type transient struct{ err error }

func (t transient) Error() string { return t.err.Error() }
func (t transient) Unwrap() error { return t.err }

// Transient marks err as a transient fault that a retry may cure: the
// backend that returns err decides, since only it knows what its errors
// mean (see Zone). The mark survives wrapping with %w.
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return transient{err}
}

// IsTransient reports whether err, or any error it wraps, was marked with
// Transient.
func IsTransient(err error) bool {
	var t transient
	return errors.As(err, &t)
}
