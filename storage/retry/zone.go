package retry

import (
	"context"
	"errors"
	"fmt"
	"io"

	"landingd/storage"
)

// Zone is a storage.Zone that retries another under a Policy. It is safe
// for concurrent use when the zone it wraps is.
type Zone struct {
	z storage.Zone
	p Policy
}

var _ storage.Zone = (*Zone)(nil)

// NewZone returns z retried under p.
func NewZone(z storage.Zone, p Policy) *Zone { return &Zone{z: z, p: p} }

// OpenZone calls open under p until it returns a zone, and returns that
// zone retried under p: a zone that cannot be reached at first is tried
// again like any other call.
func OpenZone(ctx context.Context, p Policy, open func(ctx context.Context) (storage.Zone, error)) (*Zone, error) {
	var z storage.Zone
	err := p.Do(ctx, "open zone", func(ctx context.Context) error {
		var err error
		z, err = open(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return NewZone(z, p), nil
}

// Unwrap returns the zone that z retries.
func (z *Zone) Unwrap() storage.Zone { return z.z }

// Policy returns the policy z retries under.
func (z *Zone) Policy() Policy { return z.p }

// List lists folder, and lists it again from the start after a transient
// fault: fn may see an object more than once, and must be idempotent, as
// storage.Zone.List requires. An error from fn is returned at once, even
// one marked transient.
func (z *Zone) List(ctx context.Context, folder storage.Folder, fn func(storage.Object) error) error {
	return list(ctx, z.p, func(ctx context.Context, fail func(error) error) error {
		return z.z.List(ctx, folder, func(o storage.Object) error { return fail(fn(o)) })
	})
}

// list runs one listing per attempt; fail marks fn's errors so that they
// are never retried.
func list(ctx context.Context, p Policy, call func(ctx context.Context, fail func(error) error) error) error {
	var fnErr error
	fail := func(err error) error {
		if err != nil {
			fnErr = err
		}
		return err
	}
	err := p.Do(ctx, "list", func(ctx context.Context) error {
		fnErr = nil
		err := call(ctx, fail)
		if err != nil && fnErr != nil && errors.Is(err, fnErr) {
			return permanent{err}
		}
		return err
	})
	if pe, ok := err.(permanent); ok {
		return pe.err
	}
	return err
}

// permanent hides a transient mark from Policy.Do for an error that must
// not be retried; it is taken off before the error is returned.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }

// Open opens the object, retrying the open: nothing has been read then,
// so a second open is the same request again. The stream it returns is
// not retried (a read cut short fails); Load reads an object with
// retries.
func (z *Zone) Open(ctx context.Context, folder storage.Folder, name string) (io.ReadCloser, error) {
	var rc io.ReadCloser
	err := z.p.Do(ctx, "open", func(ctx context.Context) error {
		var err error
		rc, err = z.z.Open(ctx, folder, name)
		return err
	})
	return rc, err
}

// Load opens the object and calls fn with its stream, and after a
// transient fault (opening, or one fn returns, such as a read cut short)
// opens it again and calls fn again from the start, on a new stream: a
// stream is never resumed, since nothing would say that the object was
// not replaced meanwhile. fn must therefore be restartable: it is given
// a fresh stream each time and must drop whatever it made of an earlier
// one. fn's error is returned as is; Load closes the stream.
func (z *Zone) Load(ctx context.Context, folder storage.Folder, name string, fn func(r io.Reader) error) error {
	return z.p.Do(ctx, "read", func(ctx context.Context) error {
		rc, err := z.z.Open(ctx, folder, name)
		if err != nil {
			return err
		}
		defer rc.Close()
		return fn(rc)
	})
}

// Load reads an object with z's retries when z is a *Zone (see
// Zone.Load), and once otherwise.
func Load(ctx context.Context, z storage.Zone, folder storage.Folder, name string, fn func(r io.Reader) error) error {
	if rz, ok := z.(*Zone); ok {
		return rz.Load(ctx, folder, name, fn)
	}
	rc, err := z.Open(ctx, folder, name)
	if err != nil {
		return err
	}
	defer rc.Close()
	return fn(rc)
}

// Move moves obj and retries the move. That is safe because a Move
// never overwrites and checks the version it moves (storage.ErrChanged,
// never retried): a retry either moves the object, or finds it already
// gone when the failed call did move it, and then returns that
// ErrNotExist error, which the caller must read as "perhaps moved". For
// a backend whose move is not atomic (azblob copies and deletes), a
// retry after a failure between its steps finds its own earlier copy;
// the backend documents how it treats it.
func (z *Zone) Move(ctx context.Context, obj storage.Object, to storage.Folder) (string, error) {
	var got string
	err := z.p.Do(ctx, "move", func(ctx context.Context) error {
		var err error
		got, err = z.z.Move(ctx, obj, to)
		return err
	})
	return got, err
}

// Put writes the object, retrying only when r is an io.Seeker: Put is
// atomic and replaces what is there, so a second Put of the same bytes
// is the same request again, but only when r can be rewound to where it
// was. Any other reader is written once.
func (z *Zone) Put(ctx context.Context, folder storage.Folder, name string, r io.Reader) error {
	return put(ctx, z.p, r, func(ctx context.Context, r io.Reader) error { return z.z.Put(ctx, folder, name, r) })
}

// put calls fn with r, and again after rewinding r when r is a Seeker.
func put(ctx context.Context, p Policy, r io.Reader, fn func(ctx context.Context, r io.Reader) error) error {
	s, ok := r.(io.Seeker)
	if !ok {
		return fn(ctx, r)
	}
	at, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return fn(ctx, r)
	}
	first := true
	return p.Do(ctx, "put", func(ctx context.Context) error {
		if !first {
			if _, err := s.Seek(at, io.SeekStart); err != nil {
				return fmt.Errorf("rewinding the data: %w", err)
			}
		}
		first = false
		return fn(ctx, r)
	})
}

// Delete deletes the object and retries the delete. A retry that finds
// it gone returns that ErrNotExist error: the failed call may have
// deleted it.
func (z *Zone) Delete(ctx context.Context, folder storage.Folder, name string) error {
	return z.p.Do(ctx, "delete", func(ctx context.Context) error { return z.z.Delete(ctx, folder, name) })
}

// String names the wrapped zone.
func (z *Zone) String() string { return z.z.String() }

// Close closes the wrapped zone; it is not retried.
func (z *Zone) Close() error { return z.z.Close() }
