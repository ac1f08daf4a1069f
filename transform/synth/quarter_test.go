package synth

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestParseQuarter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string // end date, or "" for an error
		wantErr string
	}{
		{"2018Q2", "2018-06-30", ""},
		{"2023Q3", "2023-09-30", ""},
		{"2024Q1", "2024-03-31", ""},
		{"2025Q4", "2025-12-31", ""},
		{"2018Q1", "", "before H-CLIC"},
		{"2025Q0", "", "n from 1 to 4"},
		{"2025q4", "", "want YYYYQn"},
		{"2025-Q4", "", "want YYYYQn"},
		{"", "", "want YYYYQn"},
		{"+025Q4", "", "bad year"},
		{"20x5Q4", "", "bad year"},
	}
	for _, tt := range tests {
		q, err := parseQuarter(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseQuarter(%q) = %v, %v; want error with %q", tt.in, q, err, tt.wantErr)
			}
			continue
		}
		if err != nil || q.End().Format("2006-01-02") != tt.want || q.String() != tt.in {
			t.Errorf("parseQuarter(%q) = %v (ends %s), %v; want end %s", tt.in, q, q.End().Format("2006-01-02"), err, tt.want)
		}
		if got := quarterAt(index(q)); got != q {
			t.Errorf("quarterAt(index(%v)) = %v", q, got)
		}
	}
}

// FuzzParseQuarter checks that any accepted quarter id round-trips and
// ends on a quarter's last day.
func FuzzParseQuarter(f *testing.F) {
	for _, s := range []string{"2025Q4", "2018Q2", "2018Q1", "9999Q4", "2025Q5", "+025Q4", "2025q4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := parseQuarter(s)
		if err != nil {
			return
		}
		if q.String() != s {
			t.Fatalf("parseQuarter(%q).String() = %q", s, q.String())
		}
		end := q.End()
		if end.AddDate(0, 0, 1).Day() != 1 || int(end.Month())%3 != 0 {
			t.Fatalf("parseQuarter(%q) ends %s", s, end)
		}
	})
}

// TestCaseLayout checks, for many row counts, that a quarter's cases are
// distinct and that consecutive quarters share some.
func TestCaseLayout(t *testing.T) {
	t.Parallel()
	for rows := 1; rows <= 60; rows++ {
		prev := map[int]bool{}
		for qi := 0; qi < 6; qi++ {
			seen := map[int]bool{}
			shared := 0
			for p := range rows {
				n := caseNumber(qi, p, rows)
				if n <= 0 || seen[n] {
					t.Fatalf("rows %d quarter %d: case %d at position %d repeats or is not positive", rows, qi, n, p)
				}
				seen[n] = true
				if prev[n] {
					shared++
				}
				if first := caseFirstQuarter(n, rows); index(first) > qi {
					t.Fatalf("rows %d quarter %d: case %d first reported later, in %v", rows, qi, n, first)
				}
			}
			if qi > 0 && rows >= 5 && shared == 0 {
				t.Errorf("rows %d quarter %d: no case carried over", rows, qi)
			}
			prev = seen
		}
	}
}

func TestPermutation(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3, 10, 97, 100, 1000} {
		p := newPermutation(n, newTestRand())
		seen := make([]bool, n)
		for j := range n {
			k := p.at(j)
			if k < 0 || k >= n || seen[k] {
				t.Fatalf("n %d: at(%d) = %d repeats or is out of range", n, j, k)
			}
			seen[k] = true
		}
	}
}

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }
