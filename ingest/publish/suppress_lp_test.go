package publish

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// readerRange is the checker, written apart from the suppressor (which
// uses maximum flows, see network) as a linear programme solved by
// gonum's simplex. The variables are the hidden cells, each 0 or more;
// a shown cell is its count. Each row and column equation with a hidden
// cell becomes two inequalities (at most and at least its shown part), a
// "<5" cell one more (at most 4), and "*" gives no bound beyond 0 (the
// mark says only that the cell is hidden). Every inequality has its own
// slack, so the matrix has full row rank however the equations repeat
// one another. It returns the least and most cell (i, j) can hold
// (+Inf unbounded).
func readerRange(t [][]Cell, ci, cj int) (lo, hi float64, err error) {
	r, c := len(t), len(t[0])
	vars := map[[2]int]int{}
	for i := range t {
		for j, cl := range t[i] {
			if cl.Suppressed() {
				vars[[2]int{i, j}] = len(vars)
			}
		}
	}
	type ineq struct {
		coef   map[int]float64
		b      float64
		atMost bool
	}
	var rows []ineq
	line := func(cells [][2]int) {
		// sum(inner) - total = 0, the shown cells moved to the right.
		coef := map[int]float64{}
		b := 0.0
		for k, p := range cells {
			sign := 1.0
			if k == len(cells)-1 {
				sign = -1
			}
			if v, ok := vars[p]; ok {
				coef[v] += sign
			} else {
				b -= sign * float64(t[p[0]][p[1]].N)
			}
		}
		if len(coef) > 0 {
			rows = append(rows, ineq{coef, b, true}, ineq{coef, b, false})
		}
	}
	for i := range r {
		var cells [][2]int
		for j := range c {
			cells = append(cells, [2]int{i, j})
		}
		line(cells)
	}
	for j := range c {
		var cells [][2]int
		for i := range r {
			cells = append(cells, [2]int{i, j})
		}
		line(cells)
	}
	for p, v := range vars {
		if t[p[0]][p[1]].Primary {
			rows = append(rows, ineq{map[int]float64{v: 1}, 4, true})
		}
	}
	// Standard form: a.x + s = b for "at most", a.x - s = b for "at
	// least", one slack each, rows negated where b < 0.
	nv := len(vars) + len(rows)
	a := mat.NewDense(len(rows), nv, nil)
	bs := make([]float64, len(rows))
	for k, q := range rows {
		sign := 1.0
		if q.b < 0 {
			sign = -1
		}
		for v, x := range q.coef {
			a.Set(k, v, sign*x)
		}
		if q.atMost {
			a.Set(k, len(vars)+k, sign)
		} else {
			a.Set(k, len(vars)+k, -sign)
		}
		bs[k] = sign * q.b
	}
	solve := func(dir float64) (float64, error) {
		obj := make([]float64, nv)
		obj[vars[[2]int{ci, cj}]] = dir
		f, _, err := lp.Simplex(obj, a, bs, 1e-10, nil)
		return f, err
	}
	lo, err = solve(1)
	if err != nil {
		return 0, 0, fmt.Errorf("min: %w", err)
	}
	f, err := solve(-1)
	switch {
	case errors.Is(err, lp.ErrUnbounded):
		return lo, math.Inf(1), nil
	case err != nil:
		return 0, 0, fmt.Errorf("max: %w", err)
	}
	return lo, -f, nil
}

// leak returns the first hidden cell a reader can narrow below what its
// mark promises (0 to 4 for "<5", five values or more for "*"), or "".
func leak(t [][]Cell) (string, error) {
	for i := range t {
		for j, cl := range t[i] {
			if !cl.Suppressed() {
				continue
			}
			lo, hi, err := readerRange(t, i, j)
			if err != nil {
				return "", err
			}
			if cl.Primary && (lo > 1e-6 || hi < 4-1e-6) || cl.Secondary && hi-lo < 4-1e-6 {
				return fmt.Sprintf("cell %d,%d (%s, really %d) lies in %g..%g", i, j, cl, cl.N, lo, hi), nil
			}
		}
	}
	return "", nil
}

func checkWholeTable(t *testing.T, counts [][]int) {
	t.Helper()
	got := Suppress(counts)
	for i, row := range counts {
		for j, n := range row {
			if got[i][j].N != n || (n < Smallest) != got[i][j].Primary {
				t.Fatalf("cell %d,%d = %+v for count %d", i, j, got[i][j], n)
			}
		}
	}
	l, err := leak(got)
	if err != nil {
		t.Fatalf("Suppress(%v): checker: %v", counts, err)
	}
	if l != "" {
		t.Fatalf("Suppress(%v) =\n%s\n%s", counts, render(got), l)
	}
}

func TestLeakCatchesLineByLine(t *testing.T) {
	t.Parallel()
	// The line rule alone would hide 3 and 10 in each row, but the first
	// column's total still shows 6, so each "<5" there is at least 2.
	naive := Suppress([][]int{{3, 10}, {3, 10}})
	for i := range naive {
		for j := range naive[i] {
			naive[i][j].Secondary = false
		}
	}
	naive[0][0].Primary, naive[1][0].Primary = true, true
	naive[0][1].Secondary, naive[1][1].Secondary = true, true
	if l, err := leak(naive); err != nil || l == "" {
		t.Fatalf("the checker passed a table whose totals give a cell away (%v)", err)
	}
}

// TestLeakStarIsAnyCount: "*" tells a reader nothing of a count, so the
// checker must not bound it. A row of 2 and 3 hidden whole, total
// included, is safe; were "*" at least 5, each "<5" under the "*" total
// would be at least 1.
func TestLeakStarIsAnyCount(t *testing.T) {
	t.Parallel()
	lt, st := Cell{N: 2, Primary: true}, Cell{N: 3, Primary: true}
	all := [][]Cell{
		{lt, st, {N: 5, Secondary: true}},
		{lt, st, {N: 5, Secondary: true}},
	}
	if l, err := leak(all); err != nil || l != "" {
		t.Fatalf("the checker bounds a \"*\": %s (%v)", l, err)
	}
	// With the row totals shown, 2 + 3 = 5 leaves each "<5" at least 1,
	// so the checker must flag it.
	all[0][2].Secondary, all[1][2].Secondary = false, false
	if l, err := leak(all); err != nil || l == "" {
		t.Fatalf("the checker passed a row whose shown total pins its cells (%v)", err)
	}
}

// TestSuppressWholeTable checks Suppress against the checker on a fixed
// sweep of tables, one to four districts by one to four categories, many
// small counts, and that no "*" could be shown on its own (the checker's linear programmes are slow; the fuzz target
// goes further).
func TestSuppressWholeTable(t *testing.T) {
	if testing.Short() {
		t.Skip("solves hundreds of linear programmes")
	}
	t.Parallel()
	next := xorshift(88172645)
	for range 40 {
		counts := randomCounts(next, 4, func() int { return next() % 12 })
		checkWholeTable(t, counts)
		// Nothing is hidden that need not be: showing any one "*" again
		// gives some hidden cell away.
		got := Suppress(counts)
		for i := range got {
			for j := range got[i] {
				if !got[i][j].Secondary {
					continue
				}
				got[i][j].Secondary = false
				if l, err := leak(got); err != nil || l == "" {
					t.Fatalf("Suppress(%v) =\n%s\ncell %d,%d could be shown (%v)", counts, render(got), i, j, err)
				}
				got[i][j].Secondary = true
			}
		}
	}
}

// FuzzSuppressWholeTable proves the whole-table promise on arbitrary
// tables of one to four rows and one to four columns, so every shape the
// promise once had to exempt (one or two districts or categories) is in.
func FuzzSuppressWholeTable(f *testing.F) {
	f.Add([]byte{3, 10, 0, 8, 9, 30, 1, 1, 1}, uint8(2))
	f.Add([]byte{4, 4, 0, 20, 25, 0, 3, 2, 7}, uint8(2))
	f.Add([]byte{0, 12, 0, 7, 0, 0, 0, 0, 6, 2, 2, 2}, uint8(3))
	f.Add([]byte{4, 4, 20, 25}, uint8(1))
	f.Add([]byte{2, 3}, uint8(1))
	f.Add([]byte{1, 1, 1, 1}, uint8(0))
	f.Add([]byte{7}, uint8(0))
	if testing.Short() {
		f.Skip("solves hundreds of linear programmes")
	}
	f.Fuzz(func(t *testing.T, data []byte, cols uint8) {
		c := 1 + int(cols%4)
		if len(data) < c || len(data) > 4*c {
			return
		}
		var counts [][]int
		for i := 0; i+c <= len(data); i += c {
			row := make([]int, c)
			for j := range row {
				row[j] = int(data[i+j] % 16)
			}
			counts = append(counts, row)
		}
		checkWholeTable(t, counts)
	})
}

// TestNetworkMatchesChecker: the suppressor's ranges (maximum flows in
// network) agree with the checker's linear programmes, on tables hidden at
// random as well as the way Suppress hides them.
func TestNetworkMatchesChecker(t *testing.T) {
	t.Parallel()
	next := xorshift(1732584193)
	n := 60
	if testing.Short() {
		n = 10
	}
	for range n {
		counts := randomCounts(next, 4, func() int { return next() % 12 })
		tb := Suppress(counts)
		if next()%2 == 0 {
			for i := range tb {
				for j := range tb[i] {
					tb[i][j].Secondary = !tb[i][j].Primary && next()%2 == 0
				}
			}
		}
		net := newNetwork(tb)
		for i := range tb {
			for j, cl := range tb[i] {
				if !cl.Suppressed() {
					continue
				}
				fall, rise := net.reach([2]int{i, j}, unbounded)
				lo, hi := float64(cl.N-fall), float64(cl.N+rise)
				if cl.N+rise >= unbounded/2 { // no real count comes near

					hi = math.Inf(1)
				}
				wlo, whi, err := readerRange(tb, i, j)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(lo-wlo) > 1e-6 || !(math.IsInf(hi, 1) && math.IsInf(whi, 1) || math.Abs(hi-whi) <= 1e-6) {
					t.Fatalf("%s\ncell %d,%d: network gives %g..%g, the checker %g..%g", render(tb), i, j, lo, hi, wlo, whi)
				}
			}
		}
	}
}

// TestWholeTableHiddenKeepsPromise: hiding every cell, totals included,
// always keeps the promise, whatever the shape, so Suppress, which hides
// one more cell each round until the promise holds, always ends with it
// kept.
func TestWholeTableHiddenKeepsPromise(t *testing.T) {
	t.Parallel()
	next := xorshift(362436069)
	n := 40
	if testing.Short() {
		n = 8
	}
	for range n {
		counts := randomCounts(next, 4, func() int { return next() % (3 + next()%20) })
		tb := Suppress(counts)
		for i := range tb {
			for j := range tb[i] {
				tb[i][j].Secondary = !tb[i][j].Primary
			}
		}
		if l, err := leak(tb); err != nil || l != "" {
			t.Fatalf("%v hidden whole:\n%s\n%s (%v)", counts, render(tb), l, err)
		}
	}
}
