package azblob

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"landingd/storage"
)

// Output keeps combined datasets in a blob container under Config.Prefix;
// a name such as "2025Q4/combined.csv" is the blob prefix+name. It
// implements storage.Output and is safe for concurrent use.
type Output struct {
	s *scope
}

var _ storage.Output = (*Output)(nil)

// OpenOutput checks cfg and opens the output it names, listing one blob
// to prove that the container exists and the credential works. Like
// OpenZone it never creates the container, and its errors are the same.
func OpenOutput(ctx context.Context, cfg Config, logger *slog.Logger) (*Output, error) {
	s, err := openScope(ctx, cfg, logger, "open output")
	if err != nil {
		return nil, err
	}
	return &Output{s: s}, nil
}

// String names the output without secrets.
func (o *Output) String() string { return o.s.name }

// Close does nothing; it is safe to call more than once.
func (o *Output) Close() error { return nil }

func (o *Output) object(name string) string { return o.s.name + "/" + name }

// Put writes r to name as a block blob with Content-MD5 set, spooling it
// to a temporary file first (see the package doc). Readers see the
// previous blob or the whole new one; a failed Put leaves the previous
// one whole. A name that is not a clean relative path is an error
// wrapping storage.ErrUnsafeName.
func (o *Output) Put(ctx context.Context, name string, r io.Reader) error {
	if err := storage.CheckPath(name); err != nil {
		return fmt.Errorf("azblob put %s: %w", o.s.name, err)
	}
	return o.s.upload(ctx, "put", o.object(name), o.s.ep.prefix+name, r)
}

// Get opens name for reading, with the same guarantees as Zone.Open. A
// missing name is an error wrapping storage.ErrNotExist.
func (o *Output) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := storage.CheckPath(name); err != nil {
		return nil, fmt.Errorf("azblob get %s: %w", o.s.name, err)
	}
	return o.s.download(ctx, "get", o.object(name), o.s.ep.prefix+name)
}

// List calls fn with the name of every blob whose name starts with
// prefix, recursively, in name order. It stops at the first error from
// fn, which is returned as is, or when ctx ends.
func (o *Output) List(ctx context.Context, prefix string, fn func(name string) error) error {
	if strings.ContainsAny(prefix, "\\\x00") || strings.HasPrefix(prefix, "/") {
		return fmt.Errorf("azblob list %s: prefix %q: %w", o.s.name, prefix, storage.ErrUnsafeName)
	}
	full := o.s.ep.prefix + prefix
	where := o.object(prefix)
	pager := o.s.c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &full})
	for pager.More() {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("azblob list %s: %w", where, err)
		}
		page, err := pager.NextPage(ctx)
		if err != nil {
			return o.s.fail(ctx, "list", where, err)
		}
		for _, item := range page.Segment.BlobItems {
			if item.Name == nil {
				continue
			}
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("azblob list %s: %w", where, err)
			}
			if err := fn(strings.TrimPrefix(*item.Name, o.s.ep.prefix)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Delete removes name. A missing name is an error wrapping
// storage.ErrNotExist.
func (o *Output) Delete(ctx context.Context, name string) error {
	if err := storage.CheckPath(name); err != nil {
		return fmt.Errorf("azblob delete %s: %w", o.s.name, err)
	}
	return o.s.remove(ctx, o.object(name), o.s.ep.prefix+name)
}
