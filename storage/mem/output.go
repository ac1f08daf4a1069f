package mem

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"landingd/storage"
)

// Output is a storage.Output held in memory, for tests that need
// somewhere to publish without a folder. The zero value is not usable:
// call NewOutput. It is safe for concurrent use.
type Output struct {
	name  string
	mu    sync.Mutex
	files map[string][]byte
}

// NewOutput returns an empty output; name appears in String as
// "mem://name".
func NewOutput(name string) *Output {
	return &Output{name: name, files: map[string][]byte{}}
}

// String names the output: "mem://name".
func (o *Output) String() string { return "mem://" + o.name }

// Close does nothing; it is safe to call more than once.
func (o *Output) Close() error { return nil }

// Put reads r whole and then stores it, so a failed read or a cancelled
// ctx leaves any previous version as it was.
func (o *Output) Put(ctx context.Context, name string, r io.Reader) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", name, err)
	}
	if err := storage.CheckPath(name); err != nil {
		return fmt.Errorf("put %s: %w", name, err)
	}
	data, err := io.ReadAll(storage.ContextReader(ctx, r))
	if err != nil {
		return fmt.Errorf("put %s: %w", name, err)
	}
	o.mu.Lock()
	o.files[name] = data
	o.mu.Unlock()
	return nil
}

// Get returns a reader over name's bytes.
func (o *Output) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get %s: %w", name, err)
	}
	if err := storage.CheckPath(name); err != nil {
		return nil, fmt.Errorf("get %s: %w", name, err)
	}
	o.mu.Lock()
	data, ok := o.files[name]
	o.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("get %s: %w", name, storage.ErrNotExist)
	}
	return io.NopCloser(storage.ContextReader(ctx, bytes.NewReader(data))), nil
}

// List calls fn with every name that starts with prefix, in lexical
// order, with the output unlocked so that fn may call it.
func (o *Output) List(ctx context.Context, prefix string, fn func(name string) error) error {
	o.mu.Lock()
	var names []string
	for n := range o.files {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	o.mu.Unlock()
	slices.Sort(names)
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("list %s: %w", prefix, err)
		}
		if err := fn(n); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Delete removes name.
func (o *Output) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	if err := storage.CheckPath(name); err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.files[name]; !ok {
		return fmt.Errorf("delete %s: %w", name, storage.ErrNotExist)
	}
	delete(o.files, name)
	return nil
}

var _ storage.Output = (*Output)(nil)
