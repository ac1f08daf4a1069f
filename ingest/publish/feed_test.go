package publish

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
)

func TestSheetFeed(t *testing.T) {
	t.Parallel()
	const width = 3
	errBoom := errors.New("boom")
	tests := []struct {
		name   string
		rows   int
		failAt int // the writer fails on this row (1-based); 0: never
	}{
		{name: "none", rows: 0},
		{name: "one", rows: 1},
		{name: "batch less one", rows: feedRows - 1},
		{name: "one batch", rows: feedRows},
		{name: "many batches", rows: feedRows*feedBatches*3 + 7},
		{name: "fails first", rows: feedRows * 4, failAt: 1},
		{name: "fails late", rows: feedRows*feedBatches*3 + 7, failAt: feedRows*feedBatches*2 + 5},
		{name: "fails on the last", rows: 10, failAt: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got [][]any
			add := func(r []any) error {
				got = append(got, append([]any(nil), r...))
				if len(got) == tt.failAt {
					return errBoom
				}
				return nil
			}
			f := startSheetFeed(add, width)
			var sendErr error
			sent := 0
			for i := range tt.rows {
				cells, err := f.row(context.Background())
				if err != nil {
					sendErr = err
					break
				}
				for j := range cells {
					cells[j] = fmt.Sprint(i, ".", j)
				}
				sent++
			}
			closeErr := f.close()
			if again := f.close(); again != nil {
				t.Errorf("second close = %v, want nil", again)
			}
			if tt.failAt == 0 {
				if sendErr != nil || closeErr != nil {
					t.Fatalf("errors %v, %v; want none", sendErr, closeErr)
				}
				if len(got) != tt.rows {
					t.Fatalf("writer got %d rows, want %d", len(got), tt.rows)
				}
			} else {
				if !errors.Is(sendErr, errBoom) && !errors.Is(closeErr, errBoom) {
					t.Fatalf("errors %v, %v; want %v from row or close", sendErr, closeErr, errBoom)
				}
				if len(got) != tt.failAt {
					t.Fatalf("writer got %d rows after failing on row %d", len(got), tt.failAt)
				}
			}
			for i, r := range got {
				for j, v := range r {
					if want := strconv.Itoa(i) + "." + strconv.Itoa(j); v != want {
						t.Fatalf("row %d cell %d = %q, want %q", i, j, v, want)
					}
				}
			}
		})
	}
}

func TestSheetFeedCancel(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	f := startSheetFeed(func([]any) error { <-block; return nil }, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var err error
	for range feedRows * (feedBatches + 2) {
		if _, err = f.row(ctx); err != nil {
			break
		}
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("row with a stalled writer and an ended ctx = %v, want %v", err, context.Canceled)
	}
	close(block)
	if err := f.close(); err != nil {
		t.Fatalf("close = %v", err)
	}
}
