package transform

import (
	"testing"
	"time"
)

func TestQuarters(t *testing.T) {
	tests := []struct {
		date                          time.Time
		id, label, fin, next, lastCmp string
	}{
		{time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), "2025Q4", "October to December 2025", "2025/26 Q3", "2026Q1", "2025Q3"},
		{time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC), "2025Q4", "October to December 2025", "2025/26 Q3", "2026Q1", "2025Q3"},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2026Q1", "January to March 2026", "2025/26 Q4", "2026Q2", "2025Q4"},
		{time.Date(2026, 4, 7, 6, 0, 0, 0, time.UTC), "2026Q2", "April to June 2026", "2026/27 Q1", "2026Q3", "2026Q1"},
		{time.Date(2099, 9, 30, 0, 0, 0, 0, time.UTC), "2099Q3", "July to September 2099", "2099/00 Q2", "2099Q4", "2099Q2"},
	}
	for _, tt := range tests {
		if got := QuarterOf(tt.date); got != tt.id {
			t.Errorf("QuarterOf(%s) = %s, want %s", tt.date, got, tt.id)
		}
		if got := QuarterLabel(tt.id); got != tt.label {
			t.Errorf("QuarterLabel(%s) = %s, want %s", tt.id, got, tt.label)
		}
		if got := FinancialQuarter(tt.id); got != tt.fin {
			t.Errorf("FinancialQuarter(%s) = %s, want %s", tt.id, got, tt.fin)
		}
		if got := NextQuarter(tt.id); got != tt.next {
			t.Errorf("NextQuarter(%s) = %s, want %s", tt.id, got, tt.next)
		}
		if got := LastCompletedQuarter(tt.date); got != tt.lastCmp {
			t.Errorf("LastCompletedQuarter(%s) = %s, want %s", tt.date, got, tt.lastCmp)
		}
		start, end, err := ParseQuarter(tt.id)
		if err != nil || QuarterOf(start) != tt.id || QuarterOf(end) != tt.id || QuarterOf(end.AddDate(0, 0, 1)) != tt.next {
			t.Errorf("ParseQuarter(%s) = %s, %s, %v", tt.id, start, end, err)
		}
		if !isQuarterEnd(end) {
			t.Errorf("%s does not end on a quarter end", tt.id)
		}
		if got := PrevQuarter(tt.next); got != tt.id {
			t.Errorf("PrevQuarter(%s) = %s, want %s", tt.next, got, tt.id)
		}
		if got := PrevQuarter(tt.id); got != tt.lastCmp {
			t.Errorf("PrevQuarter(%s) = %s, want %s", tt.id, got, tt.lastCmp)
		}
	}
	for _, bad := range []string{"", "2025Q0", "2025Q5", "2025-Q1", "25Q1", "0999Q1", "2025q1", "abcdQ1"} {
		if _, _, err := ParseQuarter(bad); err == nil {
			t.Errorf("ParseQuarter(%q) succeeded", bad)
		}
		if PrevQuarter(bad) != "" {
			t.Errorf("PrevQuarter(%q) not empty", bad)
		}
		if NextQuarter(bad) != "" {
			t.Errorf("NextQuarter(%q) not empty", bad)
		}
	}
}

// FuzzParseQuarter checks that any id ParseQuarter accepts is the
// canonical id of the quarter it returns, which starts on the 1st and ends
// the day before the next quarter starts.
func FuzzParseQuarter(f *testing.F) {
	for _, s := range []string{"2025Q4", "2018Q2", "1000Q1", "9999Q4", "0999Q1", "2025Q5", "+025Q4", "2025q4", "20x5Q4", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		start, end, err := ParseQuarter(id)
		if err != nil {
			if NextQuarter(id) != "" {
				t.Fatalf("NextQuarter(%q) = %q for an id ParseQuarter rejects", id, NextQuarter(id))
			}
			return
		}
		if QuarterOf(start) != id || QuarterOf(end) != id || start.Day() != 1 || !isQuarterEnd(end) {
			t.Fatalf("ParseQuarter(%q) = %s, %s", id, start, end)
		}
		q, err := ParseQuarterID(id)
		if err != nil || q.String() != id || q.Next().Prev() != q || QuarterAt(q.Index()) != q || !q.Prev().Before(q) {
			t.Fatalf("ParseQuarterID(%q) = %v, %v: does not round-trip", id, q, err)
		}
		if next, _, err := ParseQuarter(NextQuarter(id)); err == nil && !next.Equal(end.AddDate(0, 0, 1)) {
			t.Fatalf("ParseQuarter(%q) ends %s but the next quarter starts %s", id, end, next)
		}
	})
}
