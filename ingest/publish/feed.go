package publish

import (
	"context"
	"sync/atomic"
)

// sheetFeed hands the quarter's rows to the Data sheet's writer, which
// runs on its own goroutine. Turning a row into workbook cells costs as
// much as reading the quarter back and writing the CSV together, so the
// two halves run side by side (on bench/cycle's quarter, 239,293 rows
// kept, the pass took 5.3 s before, of which 4.1 s in the StreamWriter).
//
// Rows travel in batches of cells, as the reading side made them with
// xlsxWriter.cell: a batch holds feedRows rows of width cells each, end to
// end. A fixed set of batches circulates between the two goroutines, so
// memory stays flat.
type sheetFeed struct {
	width  int
	full   chan []any
	free   chan []any
	cur    []any
	done   chan error
	closed bool
	failed atomic.Bool // the writer failed: stop sending
}

const (
	feedRows    = 256
	feedBatches = 6
)

// startSheetFeed starts a goroutine that writes every row sent to it with
// add. Its caller must call close, which returns the first error of add.
func startSheetFeed(add func([]any) error, width int) *sheetFeed {
	f := &sheetFeed{
		width: width,
		full:  make(chan []any, feedBatches-2),
		free:  make(chan []any, feedBatches),
		done:  make(chan error, 1),
	}
	for range feedBatches {
		f.free <- make([]any, 0, feedRows*width)
	}
	f.cur = <-f.free
	go func() {
		var err error
		for b := range f.full {
			for off := 0; err == nil && off < len(b); off += width {
				if err = add(b[off : off+width]); err != nil {
					f.failed.Store(true)
				}
			}
			clear(b) // drop the strings, so a parked batch holds nothing
			f.free <- b[:0]
		}
		f.done <- err
	}()
	return f
}

// row returns room for one row of width values at the end of the current
// batch, to be filled before the next call; it sends the batch when it is
// full. It fails when ctx ends or the writer failed (then with the
// writer's error).
func (f *sheetFeed) row(ctx context.Context) ([]any, error) {
	if len(f.cur)+f.width > cap(f.cur) {
		if err := f.send(ctx); err != nil {
			return nil, err
		}
	}
	n := len(f.cur)
	f.cur = f.cur[:n+f.width]
	return f.cur[n:], nil
}

func (f *sheetFeed) send(ctx context.Context) error {
	if f.failed.Load() {
		return f.close()
	}
	select {
	case f.full <- f.cur:
	case <-ctx.Done():
		return ctx.Err()
	}
	// There are feedBatches batches and free holds as many, so one is
	// free or about to be.
	f.cur = <-f.free
	return nil
}

// close sends the last rows, waits for the writer and returns its first
// error. It may be called more than once; later calls return nil.
func (f *sheetFeed) close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	if len(f.cur) > 0 && !f.failed.Load() {
		f.full <- f.cur
	}
	close(f.full)
	return <-f.done
}
