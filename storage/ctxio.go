package storage

import (
	"context"
	"io"
)

// ContextReader returns a reader that reads from r and returns ctx's
// error, unwrapped, from the first Read after ctx ends. It lets a copy
// loop over a reader that ignores ctx stop promptly on cancellation; a
// Read already blocked in r is not interrupted.
func ContextReader(ctx context.Context, r io.Reader) io.Reader {
	return ctxReader{ctx, r}
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
