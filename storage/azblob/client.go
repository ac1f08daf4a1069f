package azblob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	azb "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// scope is what a Zone and an Output share: one container, a prefix and
// a client.
type scope struct {
	ep          *endpoint
	c           *container.Client
	log         *slog.Logger
	name        string // ep.String(), cached
	readRetries int
	tempDir     string
}

// newScope resolves cfg and builds the container client without any I/O.
func newScope(cfg Config, logger *slog.Logger) (*scope, error) {
	ep, err := cfg.resolve()
	if err != nil {
		return nil, fmt.Errorf("azblob config %s: %w", cfg.Container, err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &scope{ep: ep, log: logger, name: ep.String(), readRetries: cfg.ReadRetries, tempDir: cfg.TempDir}
	if s.readRetries == 0 {
		s.readRetries = 3
	}
	tryTimeout := cfg.TryTimeout
	if tryTimeout == 0 {
		tryTimeout = 5 * time.Minute
	}
	opts := &container.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry: policy.RetryOptions{
			MaxRetries: int32(cfg.MaxRetries),
			TryTimeout: tryTimeout,
		},
		InsecureAllowCredentialWithHTTP: cfg.AllowHTTP,
	}}
	url := ep.containerURL()
	switch ep.kind {
	case credSharedKey:
		cred, err := azb.NewSharedKeyCredential(ep.account, ep.key)
		if err != nil {
			// The SDK's message may describe the key; say it in words.
			return nil, fmt.Errorf("azblob config %s: account key is not valid base64", s.name)
		}
		s.c, err = container.NewClientWithSharedKeyCredential(url, cred, opts)
		if err != nil {
			return nil, fmt.Errorf("azblob config %s: %s", s.name, s.scrub(err.Error()))
		}
	case credSAS:
		s.c, err = container.NewClientWithNoCredential(url+"?"+ep.sas, opts)
		if err != nil {
			return nil, fmt.Errorf("azblob config %s: %s", s.name, s.scrub(err.Error()))
		}
	case credDefault:
		cred, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, fmt.Errorf("azblob config %s: default credential: %s", s.name, s.scrub(err.Error()))
		}
		s.c, err = container.NewClient(url, cred, opts)
		if err != nil {
			return nil, fmt.Errorf("azblob config %s: %s", s.name, s.scrub(err.Error()))
		}
	default:
		return nil, errors.New("azblob config: no credential")
	}
	return s, nil
}

// openScope is newScope followed by a listing of at most one blob under
// the prefix, so that a missing container, a bad credential or an
// unreachable service is reported when the zone or output is opened
// (op), not on first use.
func openScope(ctx context.Context, cfg Config, logger *slog.Logger, op string) (*scope, error) {
	s, err := newScope(cfg, logger)
	if err != nil {
		return nil, err
	}
	pager := s.c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &s.ep.prefix, MaxResults: new(int32(1))})
	if _, err := pager.NextPage(ctx); err != nil {
		return nil, s.fail(ctx, op, s.name, err)
	}
	return s, nil
}

// remove deletes blobName; object names it in errors. A missing blob is
// an error wrapping storage.ErrNotExist.
func (s *scope) remove(ctx context.Context, object, blobName string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("azblob delete %s: %w", object, err)
	}
	if _, err := s.c.NewBlobClient(blobName).Delete(ctx, nil); err != nil {
		return s.fail(ctx, "delete", object, err)
	}
	return nil
}

// CreateContainer creates the container cfg names, for tests and set-up
// scripts; a container that already exists is not an error. It returns
// the same errors as OpenZone.
func CreateContainer(ctx context.Context, cfg Config) error {
	s, err := newScope(cfg, nil)
	if err != nil {
		return err
	}
	if _, err := s.c.Create(ctx, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return s.fail(ctx, "create container", s.name, err)
	}
	return nil
}
