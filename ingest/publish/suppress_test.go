package publish

import (
	"strings"
	"testing"
)

// render shows a suppressed table one row a line, cells separated by
// spaces, the total last: "<5 * 7 | 12".
func render(t [][]Cell) string {
	var b strings.Builder
	for i, row := range t {
		if i > 0 {
			b.WriteString("\n")
		}
		for j, c := range row {
			switch {
			case j == len(row)-1:
				b.WriteString(" | ")
			case j > 0:
				b.WriteString(" ")
			}
			b.WriteString(c.String())
		}
	}
	return b.String()
}

func TestSuppress(t *testing.T) {
	tests := []struct {
		name   string
		counts [][]int
		want   string
	}{{
		name:   "nothing small",
		counts: [][]int{{10, 20}, {30, 40}},
		want:   "10 20 | 30\n30 40 | 70\n40 60 | 100",
	}, {
		// A zero is hidden as "<5", and "<5" must range over 0 to 4:
		// 12 - 12 would pin the first row's to 0, so the 12 goes, and the
		// 7 for the same reason. The "<5" cells then both range over 0 to
		// 4 (the 12 over 8 to 12, the 7 over 3 to 7), all totals shown.
		name:   "zeros are hidden and protected",
		counts: [][]int{{0, 12}, {7, 0}},
		want:   "<5 * | 12\n* <5 | 7\n7 12 | 19",
	}, {
		name:   "empty table",
		counts: [][]int{},
		want:   " | <5",
	}, {
		name: "one small cell: its row and column each lose their next smallest",
		// 3 alone in row 0 and column 0; then the cells hidden for it
		// protect each other through row 1 / column 1.
		counts: [][]int{{3, 10, 20}, {8, 9, 30}, {11, 12, 40}},
		want:   "<5 * 20 | 33\n* * 30 | 47\n11 12 40 | 63\n22 31 90 | 143",
	}, {
		name:   "small total is hidden as primary",
		counts: [][]int{{2, 0}, {0, 30}},
		// 32 - 30 would give the 2 away, so the 30s go too.
		want: "<5 <5 | <5\n<5 * | *\n<5 * | 32",
	}, {
		// Two "<5" cells of 4 with the total 8 showing: both must be 4, so
		// the total is hidden too, and the 20 and 25 below them, else the
		// column totals give the fours back. "*" says nothing of a count,
		// so each "<5" ranges over 0 to 4 again with the column totals
		// shown.
		name:   "adversarial: two fours and their total",
		counts: [][]int{{4, 4}, {20, 25}},
		want:   "<5 <5 | *\n* * | *\n24 29 | 53",
	}, {
		// A line of a "<5" cell and a "*" cell is safe: 3 + x = 13 gives
		// x from 9 to 12.
		name:   "single row",
		counts: [][]int{{3, 10}},
		want:   "<5 * | 13\n<5 * | 13",
	}, {
		// 1 + 1 + 50 = 52 leaves a + b = 2, so neither "<5" could be 4:
		// the 50 and the totals go, and then the cells that would give
		// those back.
		name:   "ones that add up to their minimum",
		counts: [][]int{{1, 1, 50}, {30, 40, 50}},
		want:   "<5 <5 * | *\n* 40 * | *\n* * 100 | 172",
	}, {
		// Four districts with 1 each and a total of 4: were zeros shown,
		// "<5" would mean 1 to 4 and four of them could only be 1 each.
		name:   "four ones under a small total",
		counts: [][]int{{1}, {1}, {1}, {1}, {0}},
		want:   "<5 | <5\n<5 | <5\n<5 | <5\n<5 | <5\n<5 | <5\n<5 | <5",
	}, {
		// The shapes "*" as "5 or more" could not protect: a "*" total of
		// 5 made each "<5" at least 1. "*" gives no bound now, so each
		// "<5" ranges over 0 to 4 again.
		name:   "one district, two small counts",
		counts: [][]int{{2, 3}},
		want:   "<5 <5 | *\n<5 <5 | *",
	}, {
		name:   "two districts, one category",
		counts: [][]int{{2}, {3}},
		want:   "<5 | <5\n<5 | <5\n* | *",
	}, {
		// a + b + c + d = 10 with each 0 to 4 leaves each free over 0 to
		// 4, and each line total over more than five values.
		name:   "two by two, all small",
		counts: [][]int{{2, 3}, {3, 2}},
		want:   "<5 <5 | *\n<5 <5 | *\n* * | 10",
	}, {
		name:   "all zeros",
		counts: [][]int{{0, 0}, {0, 0}},
		want:   "<5 <5 | <5\n<5 <5 | <5\n<5 <5 | <5",
	}, {
		name:   "one count, nothing small",
		counts: [][]int{{7}},
		want:   "7 | 7\n7 | 7",
	}}
	for _, tt := range tests {
		got := Suppress(tt.counts)
		if s := render(got); s != tt.want {
			t.Errorf("%s: Suppress(%v) =\n%s\nwant\n%s", tt.name, tt.counts, s, tt.want)
		}
		if leak := firstDisclosure(got); leak != "" {
			t.Errorf("%s: %s", tt.name, leak)
		}
		if len(tt.counts) == 0 {
			continue // no rows: a total of nobody, known to be 0
		}
		if l, err := leak(got); err != nil || l != "" {
			t.Errorf("%s: whole table: %s (%v)", tt.name, l, err)
		}
	}
}

// firstDisclosure checks every row and column of a suppressed table for a
// hidden cell that the line's equation pins to one count above 0, the way
// a reader would, independently of disclosive: for each hidden cell and
// each value a reader thinks possible for it (0 to 4 for "<5", any count
// for "*"), it asks whether the other hidden cells can make up the rest.
// Their ranges are runs of whole numbers, so they can exactly when the
// rest lies between the sums of their lowest and highest values.
func firstDisclosure(t [][]Cell) string {
	var lines [][]Cell
	lines = append(lines, t...)
	for j := range t[0] {
		var col []Cell
		for i := range t {
			col = append(col, t[i][j])
		}
		lines = append(lines, col)
	}
	// Well above any true value, so the checker knows no tighter bound
	// than a reader does.
	grand := 2*t[len(t)-1][len(t[0])-1].N + 10
	rng := func(c Cell) (int, int) {
		if c.Primary {
			return 0, 4
		}
		return 0, grand
	}
	for _, l := range lines {
		total := len(l) - 1
		// sum(inner) - total = 0, split into shown and hidden cells.
		shown, lo, hi := 0, 0, 0
		sign := func(k int) int {
			if k == total {
				return -1
			}
			return 1
		}
		var hidden []int
		for k, c := range l {
			if !c.Suppressed() {
				shown += sign(k) * c.N
				continue
			}
			hidden = append(hidden, k)
			a, b := rng(c)
			if sign(k) > 0 {
				lo, hi = lo+a, hi+b
			} else {
				lo, hi = lo-b, hi-a
			}
		}
		for _, k := range hidden {
			a, b := rng(l[k])
			// The others' part, without cell k.
			olo, ohi := lo-a, hi-b
			if sign(k) < 0 {
				olo, ohi = lo+b, hi+a
			}
			var possible []int
			for v := a; v <= b; v++ {
				if rest := -shown - sign(k)*v; rest >= olo && rest <= ohi {
					possible = append(possible, v)
				}
			}
			if len(possible) == 1 && possible[0] > 0 {
				return "line " + render([][]Cell{l}) + " gives away a hidden count"
			}
		}
	}
	return ""
}

// xorshift returns Marsaglia's xorshift32 sequence from seed, each value
// below 1024: a fixed pseudo-random sweep, the same on every run (no
// math/rand seed drift).
func xorshift(seed uint32) func() int {
	x := seed
	return func() int {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		return int(x % 1024)
	}
}

// randomCounts returns a table of 1 to most districts by 1 to most
// categories, its sizes drawn from next and each count from count.
func randomCounts(next func() int, most int, count func() int) [][]int {
	r, c := 1+next()%most, 1+next()%most
	counts := make([][]int, r)
	for i := range counts {
		counts[i] = make([]int, c)
		for j := range counts[i] {
			counts[i][j] = count()
		}
	}
	return counts
}

func TestSuppressRandomTablesNeverDisclose(t *testing.T) {
	// A fixed pseudo-random sweep (no math/rand seed drift): small tables
	// with many small counts.
	next := xorshift(2463534242)
	for n := 0; n < 300; n++ {
		counts := randomCounts(next, 3, func() int { return next() % 8 })
		got := Suppress(counts)
		if leak := firstDisclosure(got); leak != "" {
			t.Fatalf("Suppress(%v) =\n%s\n%s", counts, render(got), leak)
		}
		for i := range counts {
			for j, v := range counts[i] {
				if v < 5 && !got[i][j].Primary {
					t.Fatalf("count %d at %d,%d shown", v, i, j)
				}
				if got[i][j].N != v {
					t.Fatalf("count changed at %d,%d", i, j)
				}
			}
		}
	}
}

func TestDisclosureCheckerCatchesPrimaryOnly(t *testing.T) {
	// Primary suppression alone leaves 3 = 13 - 10: the checker must say so.
	naive := [][]Cell{{{N: 3, Primary: true}, {N: 10}, {N: 13}}, {{N: 3, Primary: true}, {N: 10}, {N: 13}}}
	if firstDisclosure(naive) == "" {
		t.Fatal("the brute-force checker missed a single hidden cell")
	}
	if !disclosive(naive[0]) {
		t.Fatal("disclosive missed a single hidden cell")
	}
}

// FuzzSuppress checks Suppress's promises on arbitrary tables of one to
// four rows by one to four columns, line by line and so cheaply
// (FuzzSuppressWholeTable solves the whole table): counts and totals are
// kept, every count from 0 to 4 is hidden as "<5", and no row or column
// gives a hidden cell away.
func FuzzSuppress(f *testing.F) {
	f.Add([]byte{3, 10, 20, 8, 9, 30}, uint8(3))
	f.Add([]byte{4, 4, 20, 25}, uint8(2))
	f.Add([]byte{1, 1, 50, 30, 40, 50}, uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, cols uint8) {
		c := int(cols%4) + 1
		if len(data) < c || len(data) > 4*c {
			return
		}
		var counts [][]int
		for i := 0; i+c <= len(data); i += c {
			row := make([]int, c)
			for j := range row {
				row[j] = int(data[i+j] % 10)
			}
			counts = append(counts, row)
		}
		got := Suppress(counts)
		for i, row := range counts {
			for j, v := range row {
				if got[i][j].N != v || (v < Smallest) != got[i][j].Primary {
					t.Fatalf("cell %d,%d = %+v for count %d", i, j, got[i][j], v)
				}
			}
		}
		if leak := firstDisclosure(got); leak != "" {
			t.Fatalf("Suppress(%v) =\n%s\n%s", counts, render(got), leak)
		}
	})
}
