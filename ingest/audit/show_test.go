package audit

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestShowSince(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var times []time.Time
	for y := 2022; y <= 2025; y++ {
		times = append(times, date(y, 2, 1), date(y, 8, 1))
	}
	l, es := build(t, t.TempDir(), times)
	tests := []struct {
		since time.Time
		want  []int64
	}{
		{time.Time{}, []int64{1, 2, 3, 4, 5, 6, 7, 8}},
		{date(2023, 8, 1), []int64{4, 5, 6, 7, 8}},
		{date(2023, 8, 1).Add(time.Millisecond), []int64{5, 6, 7, 8}},
		{date(2024, 1, 1), []int64{5, 6, 7, 8}},
		{date(2025, 8, 1), []int64{8}},
		{date(2026, 1, 1), nil},
		{time.Date(2023, 8, 1, 13, 0, 0, 0, time.FixedZone("CET", 3600)), []int64{4, 5, 6, 7, 8}},
	}
	for _, tt := range tests {
		var got []int64
		if err := Show(ctx, l.dir, tt.since, func(e Entry) error { got = append(got, e.Seq); return nil }); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Show since %v = %v, want %v", tt.since, got, tt.want)
		}
	}
	// An error from fn stops Show and comes back as is.
	stop := errors.New("stop")
	n := 0
	err := Show(ctx, l.dir, time.Time{}, func(e Entry) error {
		n++
		if e.Seq == es[2].Seq {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Fatalf("Show = %v after %d entries", err, n)
	}
}
