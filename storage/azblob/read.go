package azblob

import (
	"context"
	"fmt"
	"io"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
)

// download opens blobName for reading. The version read is the one
// current at the first request: the SDK's retry reader resumes a dropped
// connection with If-Match on that version's ETag, so a replaced blob
// fails the read instead of mixing versions. object names the blob in
// errors.
func (s *scope) download(ctx context.Context, op, object, blobName string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("azblob %s %s: %w", op, object, err)
	}
	resp, err := s.c.NewBlobClient(blobName).DownloadStream(ctx, nil)
	if err != nil {
		return nil, s.fail(ctx, op, object, err)
	}
	r := &reader{s: s, ctx: ctx, object: object, want: -1}
	if resp.ContentLength != nil {
		r.want = *resp.ContentLength
	}
	if s.readRetries < 0 {
		r.body = resp.Body
	} else {
		r.body = resp.NewRetryReader(ctx, &blob.RetryReaderOptions{
			MaxRetries: int32(s.readRetries),
			OnFailedRead: func(n int32, err error, _ blob.HTTPRange, willRetry bool) {
				text, _, _ := describe(ctx, err, s.ep.container)
				s.log.Warn("blob read interrupted", "object", object, "failures", n, "resuming", willRetry, "cause", s.scrub(text))
			},
		})
	}
	return r, nil
}

// reader counts what it passes on and turns an end of stream before
// Content-Length into an error, so a truncated read is never clean.
type reader struct {
	s      *scope
	ctx    context.Context
	object string
	body   io.ReadCloser
	want   int64 // Content-Length, or -1
	got    int64
	err    error // sticky
}

func (r *reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.body.Read(p)
	r.got += int64(n)
	switch {
	case err == io.EOF && (r.want < 0 || r.got == r.want):
		return n, io.EOF
	case err == io.EOF:
		err = io.ErrUnexpectedEOF
	case err == nil && r.want >= 0 && r.got > r.want:
		err = fmt.Errorf("more data than Content-Length %d", r.want)
	}
	if err != nil {
		r.err = r.s.fail(r.ctx, "read", r.object, err)
		return n, r.err
	}
	return n, nil
}

func (r *reader) Close() error { return r.body.Close() }
