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

// Zone is a district's landing zone in a blob container: the blobs
// directly under Config.Prefix, with processed/ and rejected/ as virtual
// folders below it. It implements storage.Zone; see the package doc for
// what is atomic. A Zone is safe for concurrent use.
type Zone struct {
	s *scope
}

var _ storage.Zone = (*Zone)(nil)

// OpenZone checks cfg and opens the zone it names, listing one blob to
// prove that the container exists and the credential works. It never
// creates the container: a missing one is an error naming it. A bad
// configuration is reported in full (errors.Join); an unreachable service
// is an error marked storage.Transient. logger may be nil.
func OpenZone(ctx context.Context, cfg Config, logger *slog.Logger) (*Zone, error) {
	s, err := openScope(ctx, cfg, logger, "open zone")
	if err != nil {
		return nil, err
	}
	return &Zone{s: s}, nil
}

// String names the zone without secrets, for example
// "azblob://127.0.0.1:10000/devstoreaccount1/brentwood/inbox".
func (z *Zone) String() string { return z.s.name }

// Close does nothing: the SDK's HTTP connections are pooled and shared.
// It is safe to call more than once.
func (z *Zone) Close() error { return nil }

// folderPrefix is the blob-name prefix of folder f.
func (z *Zone) folderPrefix(f storage.Folder) string {
	if f == storage.Top {
		return z.s.ep.prefix
	}
	return z.s.ep.prefix + string(f) + "/"
}

// object names folder/name in errors and logs.
func (z *Zone) object(f storage.Folder, name string) string {
	if f == storage.Top {
		return z.s.name + "/" + name
	}
	return z.s.name + "/" + string(f) + "/" + name
}

// List calls fn for each blob directly in folder, in name order, one page
// (up to 5000 blobs) per request. Virtual sub-folders are skipped, and so
// are names no zone may hold (see storage.CheckName), with a warning in
// the log. The listing stops at the first error from fn, which is
// returned as is, or when ctx ends.
func (z *Zone) List(ctx context.Context, folder storage.Folder, fn func(storage.Object) error) error {
	if err := storage.CheckFolder(folder); err != nil {
		return fmt.Errorf("azblob list %s: %w", z.s.name, err)
	}
	prefix := z.folderPrefix(folder)
	where := z.object(folder, "")
	pager := z.s.c.NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{Prefix: &prefix})
	for pager.More() {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("azblob list %s: %w", where, err)
		}
		page, err := pager.NextPage(ctx)
		if err != nil {
			return z.s.fail(ctx, "list", where, err)
		}
		for _, item := range page.Segment.BlobItems {
			if item.Name == nil || item.Properties == nil {
				continue
			}
			// A name CheckName refuses is listed all the same: the caller
			// refuses it on its own, with a report (see storage.Zone).
			name := strings.TrimPrefix(*item.Name, prefix)
			if name == "" {
				continue
			}
			o, p := storage.Object{Name: name}, item.Properties
			if p.ContentLength != nil {
				o.Size = *p.ContentLength
			}
			if p.LastModified != nil {
				o.ModTime = *p.LastModified
			}
			if p.ETag != nil {
				o.ETag = string(*p.ETag)
			}
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("azblob list %s: %w", where, err)
			}
			if err := fn(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// Open streams the blob name in folder. The stream reads the version that
// was current when Open was called (see the package doc) and ends in an
// error, marked storage.Transient, if the connection drops for good or
// the blob is replaced mid-read. Reading stops when ctx ends. A missing
// blob is an error wrapping storage.ErrNotExist.
func (z *Zone) Open(ctx context.Context, folder storage.Folder, name string) (io.ReadCloser, error) {
	if err := z.checkPath(folder, name); err != nil {
		return nil, fmt.Errorf("azblob open %s: %w", z.s.name, err)
	}
	return z.s.download(ctx, "open", z.object(folder, name), z.folderPrefix(folder)+name)
}

// Put writes r to name in folder as a block blob, replacing any blob of
// that name; readers see the old blob or the whole new one. An error
// from r is returned wrapped, and then nothing is written.
func (z *Zone) Put(ctx context.Context, folder storage.Folder, name string, r io.Reader) error {
	if err := z.checkPath(folder, name); err != nil {
		return fmt.Errorf("azblob put %s: %w", z.s.name, err)
	}
	return z.s.upload(ctx, "put", z.object(folder, name), z.folderPrefix(folder)+name, r)
}

// Delete removes the blob name from folder. A missing blob is an error
// wrapping storage.ErrNotExist.
func (z *Zone) Delete(ctx context.Context, folder storage.Folder, name string) error {
	if err := z.checkPath(folder, name); err != nil {
		return fmt.Errorf("azblob delete %s: %w", z.s.name, err)
	}
	return z.s.remove(ctx, z.object(folder, name), z.folderPrefix(folder)+name)
}

func (z *Zone) checkPath(folder storage.Folder, name string) error {
	if err := storage.CheckFolder(folder); err != nil {
		return err
	}
	return storage.CheckName(name)
}
