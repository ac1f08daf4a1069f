package publish

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// cellRange is what a reader can work out of a hidden cell from every
// row, column and total published together: the least and the most it
// can hold (hi is +Inf when unbounded).
type cellRange struct{ lo, hi float64 }

// safe reports whether a hidden cell's range hides it: 0 to 4 whole for
// a "<5" cell, at least Smallest values for a "*" one.
func (r cellRange) safe(c Cell) bool {
	const eps = 1e-6
	if c.Primary {
		return r.lo <= eps && r.hi >= Smallest-1-eps
	}
	return r.hi-r.lo >= Smallest-1-eps
}

// lpTol is the simplex's tolerance; the counts are small integers.
const lpTol = 1e-9

// hiddenRanges solves, for each hidden cell of t (a table from Suppress,
// totals last), the linear programmes min x and max x over non-negative
// values subject to every row and column equation, the visible cells, and
// what the marks say of the hidden ones (0 to 4 for "<5", any count for
// "*"). The system has totally unimodular constraints, so
// the bounds are whole numbers and the range holds every value between
// them. It returns the ranges by position.
func hiddenRanges(t [][]Cell) (map[[2]int]cellRange, error) {
	return rangesOf(t, nil)
}

// rangesOf is hiddenRanges for the hidden cells in only (all when nil).
func rangesOf(t [][]Cell, only map[[2]int]bool) (map[[2]int]cellRange, error) {
	r := len(t) - 1
	if r < 0 {
		return nil, nil
	}
	c := len(t[0]) - 1
	// Variables: v = x - lower bound for each hidden cell, then a slack
	// for each "<5" cell (v + s = 4). Standard form: A v = b, v >= 0.
	idx := map[[2]int]int{}
	var cells [][2]int
	for i := range t {
		for j := range t[i] {
			if t[i][j].Suppressed() {
				idx[[2]int{i, j}] = len(cells)
				cells = append(cells, [2]int{i, j})
			}
		}
	}
	if len(cells) == 0 {
		return nil, nil
	}
	// Every hidden cell may be 0 ("<5" is 0 to 4, "*" any count).
	lower := func(Cell) float64 { return 0 }
	n := len(cells)
	var slackOf []int // variable index of each primary cell's slack, -1 for none
	nv := n
	for _, p := range cells {
		if t[p[0]][p[1]].Primary {
			slackOf = append(slackOf, nv)
			nv++
		} else {
			slackOf = append(slackOf, -1)
		}
	}
	var rows [][]float64
	var rhs []float64
	line := func(ps [][2]int) {
		row := make([]float64, nv)
		b := 0.0
		any := false
		for k, p := range ps {
			coef := 1.0
			if k == len(ps)-1 {
				coef = -1 // the total
			}
			cl := t[p[0]][p[1]]
			if v, ok := idx[p]; ok {
				row[v] += coef
				b -= coef * lower(cl)
				any = true
			} else {
				b -= coef * float64(cl.N)
			}
		}
		if any {
			rows, rhs = append(rows, row), append(rhs, b)
		}
	}
	for i := 0; i <= r; i++ {
		var ps [][2]int
		for j := 0; j <= c; j++ {
			ps = append(ps, [2]int{i, j})
		}
		line(ps)
	}
	for j := 0; j <= c; j++ {
		var ps [][2]int
		for i := 0; i <= r; i++ {
			ps = append(ps, [2]int{i, j})
		}
		line(ps)
	}
	for k, p := range cells {
		if s := slackOf[k]; s >= 0 {
			row := make([]float64, nv)
			row[k], row[s] = 1, 1
			rows, rhs = append(rows, row), append(rhs, Smallest-1-lower(t[p[0]][p[1]]))
		}
	}
	rows, rhs = independentRows(rows, rhs)
	for k := range rhs {
		if rhs[k] < 0 {
			for j := range rows[k] {
				rows[k][j] = -rows[k][j]
			}
			rhs[k] = -rhs[k]
		}
	}
	out := make(map[[2]int]cellRange, n)
	if len(rows) == 0 {
		for _, p := range cells {
			out[p] = cellRange{lower(t[p[0]][p[1]]), math.Inf(1)}
		}
		return out, nil
	}
	a := mat.NewDense(len(rows), nv, nil)
	for k, row := range rows {
		a.SetRow(k, row)
	}
	obj := make([]float64, nv)
	for k, p := range cells {
		if only != nil && !only[p] {
			continue
		}
		lo := lower(t[p[0]][p[1]])
		obj[k] = 1
		minV, _, err := lp.Simplex(obj, a, rhs, lpTol, nil)
		if err != nil {
			return nil, err
		}
		obj[k] = -1
		maxV, _, err := lp.Simplex(obj, a, rhs, lpTol, nil)
		hi := math.Inf(1)
		switch {
		case errors.Is(err, lp.ErrUnbounded):
		case err != nil:
			return nil, err
		default:
			hi = lo - maxV
		}
		obj[k] = 0
		out[p] = cellRange{lo + minV, hi}
	}
	return out, nil
}

// independentRows drops the equations of A x = b that are combinations of
// earlier ones (the row, column and grand totals always repeat one
// another), because the simplex needs A of full row rank. Elimination by
// hand: the matrix is tens of rows of small integers, and gonum offers no
// rank-revealing row selection.
func independentRows(rows [][]float64, rhs []float64) ([][]float64, []float64) {
	const eps = 1e-9
	var basis [][]float64 // reduced rows with rhs appended, each with a pivot
	var pivots []int
	var keptRows [][]float64
	var keptRHS []float64
	for k, row := range rows {
		v := append(append([]float64(nil), row...), rhs[k])
		for bi, b := range basis {
			if f := v[pivots[bi]]; f != 0 {
				for j := range v {
					v[j] -= f * b[j]
				}
			}
		}
		p := -1
		for j := 0; j < len(row); j++ {
			if math.Abs(v[j]) > eps {
				p = j
				break
			}
		}
		if p < 0 {
			continue // a combination of earlier rows (consistent: the true table satisfies all)
		}
		f := v[p]
		for j := range v {
			v[j] /= f
		}
		basis = append(basis, v)
		pivots = append(pivots, p)
		keptRows, keptRHS = append(keptRows, row), append(keptRHS, rhs[k])
	}
	return keptRows, keptRHS
}

// exposedCells returns the hidden cells (row by row) whose range, solved
// over the whole table, gives them away, and every hidden cell's range.
func exposedCells(t [][]Cell) ([][2]int, map[[2]int]cellRange, error) {
	ranges, err := hiddenRanges(t)
	if err != nil {
		return nil, nil, err
	}
	var out [][2]int
	for i := range t {
		for j := range t[i] {
			if t[i][j].Suppressed() && !ranges[[2]int{i, j}].safe(t[i][j]) {
				out = append(out, [2]int{i, j})
			}
		}
	}
	return out, ranges, nil
}
