package publish

// What a reader can work out of a hidden cell from every row, column and
// total published together is found here as a network flow, not by
// linear programming: a table with its totals is a circulation, and the
// least and most a hidden cell can hold are two maximum flows. The same
// ranges by gonum's simplex (lp.Simplex, two programmes per hidden cell
// and per candidate cell) took about 1.1 s per Summary sheet of 12
// districts by 3 categories (BenchmarkSuppressSummary); the flows take a
// few milliseconds, and gonum has no maximum-flow solver. The tests check
// these ranges against linear programmes written apart from this file.

// network is a suppressed table as a residual network. The nodes are the
// grand total (0), one node per district row (1..r), one per category
// column (r+1..r+c) and the column totals (r+c+1). Cell (i, j) is an arc:
// an inner cell from row i to column j, a row total from the grand node
// to row i, a column total from column j to the column-totals node, and
// the grand total from there back to the grand node. Each node balances
// exactly one row or column equation (what flows in flows out), so the
// tables that fit what is published are the circulations whose arcs stay
// within what a reader knows of each cell.
//
// The true table is one of them. Any other differs from it by a
// circulation of changes: a hidden cell may rise by up to hi-N and fall
// by up to N-lo, where lo..hi is what its mark says (0 to 4 for "<5", 0
// to unbounded for "*"), and a shown cell cannot change. Each hidden cell
// is thus a pair of arcs, 2k forward (u to v) with room hi-N and 2k+1
// back with room N-lo. Hidden cell k can rise by d exactly when the
// network without it carries d from v to u (the change goes round a
// cycle through the cell), and fall by d when it carries d from u to v.
type network struct {
	adj  [][]int        // arcs out of each node
	to   []int          // head of each arc
	room []int          // room of each arc, before any flow
	arc  map[[2]int]int // pair number k of each hidden cell
	ends [][2]int       // u, v of each pair
	free []int          // working copy of room
	prev []int          // arc into each node on the path found
}

// newNetwork builds the residual network of t, a table from Suppress.
func newNetwork(t [][]Cell) *network {
	r, c := len(t)-1, len(t[0])-1
	nodes := r + c + 2
	n := &network{adj: make([][]int, nodes), arc: map[[2]int]int{}, prev: make([]int, nodes)}
	for i := range t {
		for j, cl := range t[i] {
			if !cl.Suppressed() {
				continue
			}
			var u, v int
			switch {
			case i < r && j < c:
				u, v = 1+i, 1+r+j
			case i < r:
				u, v = 0, 1+i
			case j < c:
				u, v = 1+r+j, r+c+1
			default:
				u, v = r+c+1, 0
			}
			lo, hi := bounds(cl)
			n.arc[[2]int{i, j}] = len(n.ends)
			n.ends = append(n.ends, [2]int{u, v})
			n.adj[u] = append(n.adj[u], len(n.to))
			n.to, n.room = append(n.to, v), append(n.room, hi-cl.N)
			n.adj[v] = append(n.adj[v], len(n.to))
			n.to, n.room = append(n.to, u), append(n.room, cl.N-lo)
		}
	}
	n.free = make([]int, len(n.room))
	return n
}

// flow returns the most the network without pair skip carries from src
// to dst, or limit when it carries limit or more. It augments along
// shortest paths (Edmonds and Karp), so it ends even with unbounded arcs.
func (n *network) flow(src, dst, skip, limit int) int {
	copy(n.free, n.room)
	n.free[2*skip], n.free[2*skip+1] = 0, 0
	total := 0
	queue := make([]int, 0, len(n.adj))
	for total < limit {
		for k := range n.prev {
			n.prev[k] = -1
		}
		queue = append(queue[:0], src)
		for h := 0; h < len(queue) && n.prev[dst] < 0; h++ {
			u := queue[h]
			for _, a := range n.adj[u] {
				if v := n.to[a]; n.free[a] > 0 && v != src && n.prev[v] < 0 {
					n.prev[v] = a
					queue = append(queue, v)
				}
			}
		}
		if n.prev[dst] < 0 {
			return total
		}
		push := limit - total
		for v := dst; v != src; v = n.to[n.prev[v]^1] {
			push = min(push, n.free[n.prev[v]])
		}
		for v := dst; v != src; v = n.to[n.prev[v]^1] {
			n.free[n.prev[v]] -= push
			n.free[n.prev[v]^1] += push
		}
		total += push
	}
	return total
}

// reach returns how far hidden cell p can fall below and rise above
// its count in a table that fits everything published, each capped at
// limit.
func (n *network) reach(p [2]int, limit int) (fall, rise int) {
	k := n.arc[p]
	u, v := n.ends[k][0], n.ends[k][1]
	fall = n.flow(u, v, k, min(limit, n.room[2*k+1]))
	rise = n.flow(v, u, k, min(limit, n.room[2*k]))
	return fall, rise
}

// shortfall returns by how much hidden cell p's range falls short of what
// its mark promises, 0 when it keeps the promise: a "<5" cell must range
// over all of 0 to 4, a "*" cell over at least Smallest values.
func (n *network) shortfall(t [][]Cell, p [2]int) int {
	const need = Smallest - 1
	cl := t[p[0]][p[1]]
	fall, rise := n.reach(p, need)
	if cl.Primary {
		// Reach 0 (a fall of N) and 4 (a rise of 4-N); reach caps each.
		return (cl.N - min(fall, cl.N)) + (need - cl.N - min(rise, need-cl.N))
	}
	return max(0, need-fall-rise)
}

// firstExposed returns the first hidden cell of t, row by row, whose
// range over the whole table falls short of its mark's promise.
func firstExposed(t [][]Cell) (p [2]int, ok bool) {
	n := newNetwork(t)
	for i := range t {
		for j, cl := range t[i] {
			if cl.Suppressed() && n.shortfall(t, [2]int{i, j}) > 0 {
				return [2]int{i, j}, true
			}
		}
	}
	return p, false
}
