package transform

import (
	"hash/maphash"
	"math"
	"math/bits"
)

// keySet is the set of primary keys a file has shown so far, each with
// the row it first appeared on. It holds no key, only a 128-bit hash of
// it under two random seeds drawn for the set, so duplicate detection
// never holds raw case references.
//
// Two distinct keys are taken for one only when both 64-bit hashes
// agree. maphash is seeded: with seeds drawn at random per set and never
// shown outside the process, the chance that a given pair of distinct
// keys collides is about 2^-128, and that any pair among n keys does is
// below n²/2^129: about 1.5e-27 for a million rows. No district can aim
// at a collision without the seeds, and the only harm one could do is a
// row of its own reported as a duplicate.
//
// It is an open-addressing table with linear probing, hand-written
// because a Go map of 16-byte keys and int32 rows holds about 44.5 bytes
// per key at a million keys (measured), against 20 bytes a slot here at
// up to 80% load, and because it can be sized from an estimate of the
// file's rows. Slot i is empty when rows[i] is 0 (rows are 1-based).
type keySet struct {
	seeds [2]maphash.Seed
	keys  [][2]uint64
	rows  []int32
	n     int
}

// keySetMinSlots is the smallest table.
const keySetMinSlots = 1024

func newKeySet() *keySet {
	return &keySet{
		seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		keys:  make([][2]uint64, keySetMinSlots),
		rows:  make([]int32, keySetMinSlots),
	}
}

// hash returns key's 128-bit hash.
func (s *keySet) hash(key []byte) [2]uint64 {
	return [2]uint64{maphash.Bytes(s.seeds[0], key), maphash.Bytes(s.seeds[1], key)}
}

// slot returns the slot where a probe for h begins: h's first word
// scaled to the table (Lemire's multiply-shift range reduction, so the
// table need not be a power of two).
func (s *keySet) slot(h [2]uint64) int {
	hi, _ := bits.Mul64(h[0], uint64(len(s.rows)))
	return int(hi)
}

// add records that key appears on row. When the key was seen before it
// returns that first row and true, and keeps the first row. Rows beyond
// math.MaxInt32 are recorded as math.MaxInt32 (no file the readers accept
// comes near).
func (s *keySet) add(key []byte, row int) (first int, dup bool) {
	h := s.hash(key)
	i := s.slot(h)
	for s.rows[i] != 0 {
		if s.keys[i] == h {
			return int(s.rows[i]), true
		}
		if i++; i == len(s.rows) {
			i = 0
		}
	}
	if s.n+1 > len(s.rows)/5*4 {
		s.resize(2 * len(s.rows))
		return s.add(key, row)
	}
	s.keys[i], s.rows[i] = h, int32(min(row, math.MaxInt32))
	s.n++
	return 0, false
}

// reserve makes room for n keys in all, so that the set need not grow
// while they are added.
func (s *keySet) reserve(n int) {
	if slots := n/4*5 + 1; slots > len(s.rows) {
		s.resize(slots)
	}
}

// resize moves the keys into a table of slots slots.
func (s *keySet) resize(slots int) {
	keys, rows := s.keys, s.rows
	s.keys, s.rows = make([][2]uint64, slots), make([]int32, slots)
	for j, r := range rows {
		if r == 0 {
			continue
		}
		i := s.slot(keys[j])
		for s.rows[i] != 0 {
			if i++; i == slots {
				i = 0
			}
		}
		s.keys[i], s.rows[i] = keys[j], r
	}
}
