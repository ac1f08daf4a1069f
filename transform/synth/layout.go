package synth

import (
	"math/bits"
	"math/rand/v2"
)

// Which cases a quarter holds. Quarter i has rows cases: a block of new
// cases numbered from (i+2)*newPer, then cases carried over from the new
// blocks of the two quarters before. So consecutive quarters share cases,
// some cases appear in three quarters, and within a quarter every case
// appears once. The +2 gives the first quarter earlier blocks to carry.

// blocks splits a quarter's rows into new cases and cases carried over
// from one and two quarters before.
func blocks(rows int) (newPer, carry1, carry2 int) {
	c := rows * 2 / 5
	return rows - c, c - c/3, c / 3
}

// caseNumber is the case at position p (0 <= p < rows) of quarter qi.
func caseNumber(qi, p, rows int) int {
	newPer, carry1, _ := blocks(rows)
	base := func(b int) int { return (b + 2) * newPer }
	switch k := p - newPer; {
	case k < 0:
		return base(qi) + p + 1
	case k < carry1:
		return base(qi-1) + k + 1
	default:
		return base(qi-2) + k - carry1 + 1
	}
}

// caseFirstQuarter is the quarter case n was first reported in.
func caseFirstQuarter(n, rows int) quarter {
	newPer, _, _ := blocks(rows)
	return quarterAt(max((n-1)/newPer-2, 0))
}

// permutation is a seeded bijection of [0, n) in constant memory:
// j -> (a*j + c) mod n with a prime to n.
type permutation struct{ a, c, n uint64 }

func newPermutation(n int, r *rand.Rand) permutation {
	if n <= 1 {
		return permutation{1, 0, 1}
	}
	p := permutation{n: uint64(n)}
	for {
		p.a = 1 + r.Uint64N(p.n-1)
		if gcd(p.a, p.n) == 1 {
			break
		}
	}
	p.c = r.Uint64N(p.n)
	return p
}

func (p permutation) at(j int) int {
	hi, lo := bits.Mul64(p.a, uint64(j))
	return int((bits.Rem64(hi, lo, p.n) + p.c) % p.n)
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// spread returns count positions spread evenly through [0, total), in
// increasing order; count <= total.
func spread(count, total int) []int {
	out := make([]int, count)
	for i := range out {
		out[i] = (2*i + 1) * total / (2 * count)
	}
	return out
}
