package retry

import (
	"context"
	"io"

	"landingd/storage"
)

// Output is a storage.Output that retries another under a Policy. It is
// safe for concurrent use when the output it wraps is.
type Output struct {
	o storage.Output
	p Policy
}

var _ storage.Output = (*Output)(nil)

// NewOutput returns o retried under p.
func NewOutput(o storage.Output, p Policy) *Output { return &Output{o: o, p: p} }

// OpenOutput calls open under p until it returns an output, and returns
// that output retried under p.
func OpenOutput(ctx context.Context, p Policy, open func(ctx context.Context) (storage.Output, error)) (*Output, error) {
	var o storage.Output
	err := p.Do(ctx, "open output", func(ctx context.Context) error {
		var err error
		o, err = open(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return NewOutput(o, p), nil
}

// Unwrap returns the output that o retries.
func (o *Output) Unwrap() storage.Output { return o.o }

// Put writes name, retrying only when r is an io.Seeker (see Zone.Put):
// Put is atomic and replaces what is there.
func (o *Output) Put(ctx context.Context, name string, r io.Reader) error {
	return put(ctx, o.p, r, func(ctx context.Context, r io.Reader) error { return o.o.Put(ctx, name, r) })
}

// Get opens name, retrying the open; the stream it returns is not
// retried.
func (o *Output) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	var rc io.ReadCloser
	err := o.p.Do(ctx, "get", func(ctx context.Context) error {
		var err error
		rc, err = o.o.Get(ctx, name)
		return err
	})
	return rc, err
}

// List lists prefix, and again from the start after a transient fault:
// fn may see a name more than once and must be idempotent. An error from
// fn is returned at once.
func (o *Output) List(ctx context.Context, prefix string, fn func(name string) error) error {
	return list(ctx, o.p, func(ctx context.Context, fail func(error) error) error {
		return o.o.List(ctx, prefix, func(name string) error { return fail(fn(name)) })
	})
}

// Delete removes name and retries the delete; a retry that finds it gone
// returns that ErrNotExist error (see Zone.Delete).
func (o *Output) Delete(ctx context.Context, name string) error {
	return o.p.Do(ctx, "delete", func(ctx context.Context) error { return o.o.Delete(ctx, name) })
}

// String names the wrapped output.
func (o *Output) String() string { return o.o.String() }

// Close closes the wrapped output; it is not retried.
func (o *Output) Close() error { return o.o.Close() }
