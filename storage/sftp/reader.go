package sftp

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pkg/sftp"

	"landingd/storage"
)

// readAhead is how much reader asks the server for at once: pkg/sftp
// splits a large read into concurrent requests, so small reads by the
// caller (a CSV parser's 4 KiB) do not each wait for a round trip.
const readAhead = 1 << 20

// newReader returns the stream Open hands out.
func newReader(r *reader) io.ReadCloser {
	return bufferedReader{bufio.NewReaderSize(r, readAhead), r}
}

type bufferedReader struct {
	*bufio.Reader
	r *reader
}

func (b bufferedReader) Close() error { return b.r.Close() }

// reader streams one remote file and turns a short read into an error.
type reader struct {
	ctx     context.Context
	f       *sftp.File
	cn      *conn
	size    int64 // at Open
	n       int64 // read so far
	timeout time.Duration
	label   string
	err     error // sticky once set
}

func (r *reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if err := r.ctx.Err(); err != nil {
		return 0, fmt.Errorf("read %s: %w", r.label, err)
	}
	w := r.cn.watch(r.ctx, r.timeout)
	n, err := r.f.Read(p)
	w.stop()
	r.n += int64(n)
	switch {
	case err == io.EOF && r.n < r.size:
		// A dropped connection must never look like the end of the file.
		if cerr := w.result(r.ctx, err); cerr != nil && !storage.IsTransient(cerr) {
			err = cerr
		} else {
			err = storage.Transient(fmt.Errorf("ended after %d of %d bytes: %w", r.n, r.size, io.ErrUnexpectedEOF))
		}
		r.err = fmt.Errorf("read %s: %w", r.label, err)
	case err == io.EOF:
		return n, io.EOF
	case err != nil:
		err = w.result(r.ctx, err)
		if !storage.IsTransient(err) && r.ctx.Err() == nil && r.cn.dead.Load() {
			err = storage.Transient(err)
		}
		r.err = fmt.Errorf("read %s: %w", r.label, err)
	}
	return n, r.err
}

// Close closes the remote file. Closing after a dropped connection
// returns nil: the read already reported the fault.
func (r *reader) Close() error {
	err := r.f.Close()
	if r.cn.dead.Load() || r.err != nil {
		return nil
	}
	return err
}
