package publish

import (
	"sort"
	"strconv"
)

// unbounded stands for "no upper bound" on a "*" cell: large enough that
// no real count reaches it, small enough that sums of a line never overflow.
const unbounded = 1 << 40

// Smallest is the smallest count published as it is: counts from 1 to
// Smallest-1 are suppressed.
const Smallest = 5

// Cell is one count of a summary table after suppression.
type Cell struct {
	N int
	// Primary marks a count from 0 to 4, shown as "<5".
	Primary bool
	// Secondary marks a count of Smallest or more, suppressed only so that
	// no small count can be worked out from the totals; shown as "*", which
	// tells a reader nothing of it (it may be any count).
	Secondary bool
}

// Suppressed reports whether the cell is hidden.
func (c Cell) Suppressed() bool { return c.Primary || c.Secondary }

// String is the cell as published: the count, "<5" or "*".
func (c Cell) String() string {
	switch {
	case c.Primary:
		return "<" + strconv.Itoa(Smallest)
	case c.Secondary:
		return "*"
	}
	return strconv.Itoa(c.N)
}

// Suppress adds row and column totals to counts (r rows of c columns, all
// rows the same length, no negative counts) and hides what could identify
// a household. It returns r+1 rows of c+1 cells: the last column holds the
// row totals, the last row the column totals and the grand total.
//
// Primary suppression hides every count from 0 to 4, totals included.
// Zeros are hidden too: were they shown, a reader would know that every
// "<5" holds 1 to 4, and a line of four "<5" cells whose total is "<5"
// would give each away as 1 (the four cells add up to at least 4, the
// total is at most 4). With zeros hidden, "<5" means 0 to 4 and that
// bound gives nothing away.
//
// Secondary suppression then treats each row and each column (with its
// total) as an equation that a reader can solve, knowing that a "<5" cell
// holds 0 to 4 and a "*" cell any count (0 or more: the mark says only
// that the cell is hidden, so it gives no bound away). While some hidden
// cell of a line can be worked out exactly as a count above 0 (the usual
// case: a line with one hidden cell; also two hidden cells of 4 with a
// total showing 8), the smallest visible cell of that line is hidden too,
// preferring inner cells to the total, and the lines are checked again
// until none gives a count away. This is the conventional line-by-line
// rule.
//
// Then the whole table is solved at once, as a reader combining every
// row, column and total would: for each hidden cell, two maximum flows
// give exactly the least and the most it can hold given everything
// published (see network). While a "<5" cell cannot range over all of 0
// to 4, or a "*" cell over at least Smallest values, one more cell is
// hidden (the smallest visible one in its row or column, inner cells
// first; when those are all hidden, the smallest elsewhere) and the table
// is solved again. This always ends with the promise kept, for tables of
// any shape: each round hides one more cell, and once every cell is
// hidden it holds, because all zeros then fit what is published (every
// hidden cell can be 0), and so does 4 in any one inner cell with 4 in
// its row, column and grand totals and 0 elsewhere (every hidden cell
// can reach 4; a total can, through any inner cell of its line). A table
// with no rows or no columns has only totals of nothing, which are 0.
//
// Last, each "*" is tried shown again, totals and larger counts first,
// and stays shown when every hidden cell still keeps its promise, so no
// "*" is left that could be shown on its own.
func Suppress(counts [][]int) [][]Cell {
	r := len(counts)
	c := 0
	if r > 0 {
		c = len(counts[0])
	}
	t := make([][]Cell, r+1)
	for i := range t {
		t[i] = make([]Cell, c+1)
	}
	for i, row := range counts {
		for j, n := range row {
			if j >= c {
				break
			}
			t[i][j].N = n
			t[i][c].N += n
			t[r][j].N += n
			t[r][c].N += n
		}
	}
	for i := range t {
		for j := range t[i] {
			if t[i][j].N < Smallest {
				t[i][j].Primary = true
			}
		}
	}
	// Each line is a list of coordinates whose last one is the total.
	type pos struct{ i, j int }
	var lines [][]pos
	for i := 0; i <= r; i++ {
		var l []pos
		for j := 0; j <= c; j++ {
			l = append(l, pos{i, j})
		}
		lines = append(lines, l)
	}
	for j := 0; j <= c; j++ {
		var l []pos
		for i := 0; i <= r; i++ {
			l = append(l, pos{i, j})
		}
		lines = append(lines, l)
	}
	for changed := true; changed; {
		changed = false
		for _, l := range lines {
			cells := make([]Cell, len(l))
			for k, p := range l {
				cells[k] = t[p.i][p.j]
			}
			if !disclosive(cells) {
				continue
			}
			best := -1
			for k, cl := range cells {
				if cl.Suppressed() {
					continue
				}
				// Strictly smaller wins, so ties go to the earlier cell and the
				// total (last) only when it is alone the smallest.
				if best < 0 || cl.N < cells[best].N {
					best = k
				}
			}
			if best < 0 {
				continue // nothing left to hide in this line
			}
			t[l[best].i][l[best].j].Secondary = true
			changed = true
		}
	}
	// Then the whole table at once: while some hidden cell's range over
	// every published row, column and total (see network) is narrower
	// than its mark promises, hide one more cell near it and check again.
	// Each round hides a cell, so this ends, at the latest with the whole
	// table hidden, where the promise holds (see above).
	for {
		p, ok := firstExposed(t)
		if !ok {
			break
		}
		q, ok := widen(t, p)
		if !ok {
			break // nothing left to hide: cannot happen, see above
		}
		t[q[0]][q[1]].Secondary = true
	}
	// Give back what the promise does not need: the rounds above hide
	// cells one at a time, and a later one can make an earlier one
	// unnecessary. Try showing each "*" again, totals and larger counts
	// first (the reverse of the order they are hidden in), and keep it
	// shown when every hidden cell still keeps its promise.
	var secs [][2]int
	for i := range t {
		for j := range t[i] {
			if t[i][j].Secondary {
				secs = append(secs, [2]int{i, j})
			}
		}
	}
	sort.SliceStable(secs, func(a, b int) bool {
		pa, pb := secs[a], secs[b]
		ta, tb := pa[0] == r || pa[1] == c, pb[0] == r || pb[1] == c
		if ta != tb {
			return ta
		}
		return t[pa[0]][pa[1]].N > t[pb[0]][pb[1]].N
	})
	for _, q := range secs {
		t[q[0]][q[1]].Secondary = false
		if _, exposed := firstExposed(t); exposed {
			t[q[0]][q[1]].Secondary = true
		}
	}
	return t
}

// widen picks the visible cell to hide for exposed cell p: the first, in
// order of preference (inner cells before totals, smaller counts first,
// then row by row), of the visible cells in p's row or column whose
// hiding narrows p's shortfall, else the first of them; when p's row and
// column are all hidden, the same among the cells elsewhere. ok is false
// only when every cell is hidden.
func widen(t [][]Cell, p [2]int) (q [2]int, ok bool) {
	r, c := len(t)-1, len(t[0])-1
	was := newNetwork(t).shortfall(t, p)
	// p's own row and column first; when those are all hidden, the rest
	// of the table, which can pin p through other lines.
	for _, near := range []bool{true, false} {
		var cands [][2]int
		for i := range t {
			for j := range t[i] {
				if !t[i][j].Suppressed() && (i == p[0] || j == p[1]) == near {
					cands = append(cands, [2]int{i, j})
				}
			}
		}
		sort.SliceStable(cands, func(a, b int) bool {
			pa, pb := cands[a], cands[b]
			ta, tb := pa[0] == r || pa[1] == c, pb[0] == r || pb[1] == c
			if ta != tb {
				return !ta
			}
			return t[pa[0]][pa[1]].N < t[pb[0]][pb[1]].N
		})
		for _, q := range cands {
			t[q[0]][q[1]].Secondary = true
			now := newNetwork(t).shortfall(t, p)
			t[q[0]][q[1]].Secondary = false
			if now < was {
				return q, true
			}
		}
		// No one cell helps alone (it may take two): hide the first.
		if len(cands) > 0 {
			return cands[0], true
		}
	}
	return q, false
}

// bounds is what a reader knows of a cell: its exact value when shown, 0
// to Smallest-1 for "<5", and any count for "*".
func bounds(c Cell) (lo, hi int) {
	switch {
	case c.Primary:
		return 0, Smallest - 1
	case c.Secondary:
		return 0, unbounded
	}
	return c.N, c.N
}

// disclosive reports whether some hidden cell of a line (inner cells, then
// the total last) can be worked out exactly, as a count above 0, from the
// visible cells, the equation sum(inner) = total and the bounds of the
// hidden cells.
func disclosive(line []Cell) bool {
	// Write the line as sum(inner) - total = 0, with coefficient +1 for
	// inner cells and -1 for the total, and bound each hidden cell.
	last := len(line) - 1
	hidden := 0
	minSum, maxSum := 0, 0 // bounds of sum(coef * value) over all cells
	for k, c := range line {
		lo, hi := bounds(c)
		if c.Suppressed() {
			hidden++
		}
		if k == last {
			minSum -= hi
			maxSum -= lo
		} else {
			minSum += lo
			maxSum += hi
		}
	}
	if hidden == 0 {
		return false
	}
	// For each hidden cell, the others' range fixes its feasible range.
	for k, c := range line {
		if !c.Suppressed() {
			continue
		}
		lo, hi := bounds(c)
		var restMin, restMax int
		if k == last {
			// total = sum(inner): rest = minSum + hi .. maxSum + lo
			restMin, restMax = minSum+hi, maxSum+lo
		} else {
			restMin, restMax = minSum-lo, maxSum-hi
		}
		// The cell equals -(rest) for an inner cell, +(rest) for the total.
		var flo, fhi int
		if k == last {
			flo, fhi = restMin, restMax
		} else {
			flo, fhi = -restMax, -restMin
		}
		if flo < lo {
			flo = lo
		}
		if fhi > hi {
			fhi = hi
		}
		if flo >= fhi && flo > 0 {
			return true
		}
	}
	return false
}
