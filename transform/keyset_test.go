package transform

import (
	"fmt"
	"math"
	"testing"
)

func TestKeySet(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		reserve int // 0: none
		keys    int
	}{
		{name: "few", keys: 10},
		{name: "grows", keys: 50_000},
		{name: "reserved", reserve: 50_000, keys: 50_000},
		{name: "reserved too few", reserve: 3_000, keys: 50_000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newKeySet()
			if tt.reserve > 0 {
				s.reserve(tt.reserve)
			}
			key := func(i int) []byte { return fmt.Appendf(nil, "E07000066\x1fSYN-BAS-%08d\x1f2025-12-31", i) }
			for i := range tt.keys {
				if first, dup := s.add(key(i), i+2); dup {
					t.Fatalf("key %d: reported as a duplicate of row %d", i, first)
				}
			}
			if s.n != tt.keys {
				t.Fatalf("holds %d keys, want %d", s.n, tt.keys)
			}
			if s.n > len(s.rows)/5*4 {
				t.Fatalf("%d keys in %d slots: over 80%% full", s.n, len(s.rows))
			}
			for i := 0; i < tt.keys; i += 7 {
				first, dup := s.add(key(i), tt.keys+i+2)
				if !dup || first != i+2 {
					t.Fatalf("key %d again: got (%d, %v), want (%d, true)", i, first, dup, i+2)
				}
			}
			if s.n != tt.keys {
				t.Fatalf("a repeated key was added: %d keys, want %d", s.n, tt.keys)
			}
		})
	}
}

func TestKeySetReserveAvoidsGrowth(t *testing.T) {
	t.Parallel()
	s := newKeySet()
	s.reserve(20_000)
	slots := len(s.rows)
	for i := range 20_000 {
		s.add(fmt.Appendf(nil, "k%d", i), i+2)
	}
	if len(s.rows) != slots {
		t.Fatalf("grew from %d to %d slots after reserving room", slots, len(s.rows))
	}
}

func TestKeySetHugeRow(t *testing.T) {
	t.Parallel()
	if math.MaxInt == math.MaxInt32 {
		t.Skip("int is 32 bits")
	}
	s := newKeySet()
	row := math.MaxInt32
	s.add([]byte("k"), row+10)
	if first, dup := s.add([]byte("k"), 5); !dup || first != math.MaxInt32 {
		t.Fatalf("got (%d, %v), want (%d, true)", first, dup, math.MaxInt32)
	}
}

func TestRowClone(t *testing.T) {
	t.Parallel()
	r := Row{LACode: "E07000066", Values: []string{"a", "b"}}
	c := r.Clone()
	r.Values[0] = "changed"
	if c.Values[0] != "a" || c.LACode != "E07000066" {
		t.Fatalf("clone shares its values: %+v", c)
	}
}
