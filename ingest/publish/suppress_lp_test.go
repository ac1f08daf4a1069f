package publish

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// readerRange is the checker, written apart from hiddenRanges and in
// another form: every cell of the table (shown ones too) is a variable;
// a shown cell is pinned to its count, a "<5" cell bounded to 0..4 and a
// "*" cell to 0 or more (the mark gives no bound), all by inequalities; each row and column
// equation is two inequalities; lp.Convert brings it to standard form.
// It returns the least and most cell (i, j) can hold (+Inf unbounded).
func readerRange(t [][]Cell, ci, cj int) (lo, hi float64, err error) {
	r, c := len(t), len(t[0])
	nv := r * c
	v := func(i, j int) int { return i*c + j }
	var g [][]float64
	var h []float64
	le := func(coef map[int]float64, b float64) {
		row := make([]float64, nv)
		for k, x := range coef {
			row[k] = x
		}
		g, h = append(g, row), append(h, b)
	}
	for i := range t {
		for j, cl := range t[i] {
			k := v(i, j)
			switch {
			case cl.Primary:
				le(map[int]float64{k: -1}, 0)
				le(map[int]float64{k: 1}, 4)
			case cl.Secondary:
				le(map[int]float64{k: -1}, 0)
			default:
				le(map[int]float64{k: 1}, float64(cl.N))
				le(map[int]float64{k: -1}, -float64(cl.N))
			}
		}
	}
	eq := func(coef map[int]float64) {
		le(coef, 0)
		neg := map[int]float64{}
		for k, x := range coef {
			neg[k] = -x
		}
		le(neg, 0)
	}
	for i := range r {
		coef := map[int]float64{v(i, c-1): -1}
		for j := 0; j < c-1; j++ {
			coef[v(i, j)] = 1
		}
		eq(coef)
	}
	for j := range c {
		coef := map[int]float64{v(r-1, j): -1}
		for i := 0; i < r-1; i++ {
			coef[v(i, j)] = 1
		}
		eq(coef)
	}
	G := mat.NewDense(len(g), nv, nil)
	for k, row := range g {
		G.SetRow(k, row)
	}
	solve := func(sign float64) (float64, error) {
		obj := make([]float64, nv)
		obj[v(ci, cj)] = sign
		cs, as, bs := lp.Convert(obj, G, h, nil, nil)
		f, _, err := lp.Simplex(cs, as, bs, 1e-10, nil)
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
// sweep of tables: one to four districts by one to four categories, many
// small counts (the checker's linear programmes are slow; the fuzz target
// goes further).
func TestSuppressWholeTable(t *testing.T) {
	if testing.Short() {
		t.Skip("solves hundreds of linear programmes")
	}
	t.Parallel()
	x := uint32(88172645)
	next := func() int {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		return int(x % 1024)
	}
	for range 40 {
		r, c := 1+next()%4, 1+next()%4
		counts := make([][]int, r)
		for i := range counts {
			counts[i] = make([]int, c)
			for j := range counts[i] {
				counts[i][j] = next() % 12
			}
		}
		checkWholeTable(t, counts)
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
