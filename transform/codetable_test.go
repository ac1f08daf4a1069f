package transform

import (
	"strings"
	"testing"
)

func TestCodeTable(t *testing.T) {
	t.Parallel()
	pairs := map[string]string{
		"da_victim": "da_victim", "domesticabuse-victim": "da_victim",
		"a": "a", "ab": "ab", "abcdefgh": "x8",
		// The same length and first and last eight bytes: one hash.
		"prevention_56_days": "p56", "prevention_57_days": "p57", "prevention_58_days": "p58",
	}
	tab := newCodeTable(pairs)
	tests := []struct {
		In     string
		Code   string
		Wanted bool
	}{
		{"da_victim", "da_victim", true},
		{"domesticabuse-victim", "da_victim", true},
		{"a", "a", true},
		{"ab", "ab", true},
		{"abcdefgh", "x8", true},
		{"prevention_56_days", "p56", true},
		{"prevention_57_days", "p57", true},
		{"prevention_58_days", "p58", true},
		{"prevention_59_days", "", false},
		{"da_victi", "", false},
		{"Da_victim", "", false},
		{"b", "", false},
		{"abcdefgh ", "", false},
		{strings.Repeat("z", 1000), "", false},
	}
	for _, tt := range tests {
		if code, ok := tab.find(tt.In); code != tt.Code || ok != tt.Wanted {
			t.Errorf("find(%q) = %q, %v; want %q, %v", tt.In, code, ok, tt.Code, tt.Wanted)
		}
	}
	if n := len(tab.slots); n < 2*len(pairs) || n&(n-1) != 0 {
		t.Errorf("%d slots for %d keys: want a power of two at least twice as many", n, len(pairs))
	}
}

// TestCodeTableSpellings checks each coded field of the shipped schema:
// its table finds every ASCII key of its map and every code, label and
// alias as written, and each spelling it holds gives the code that
// folding the spelling finds in the map, as the long way would.
func TestCodeTableSpellings(t *testing.T) {
	t.Parallel()
	s := loadTestSchema(t)
	coded := 0
	for i := range s.Fields {
		f := &s.Fields[i]
		x := f.idx
		if x == nil {
			continue
		}
		coded++
		for k, c := range x.byFolded {
			if got, ok := x.exact.find(k); foldedASCII(k) && (got != c || !ok) {
				t.Errorf("%s: find(%q) = %q, %v; want %q", f.Name, k, got, ok, c)
			}
		}
		for _, code := range f.Codes {
			for _, v := range append([]string{code.Value, code.Label}, code.Aliases...) {
				if v == "" {
					continue
				}
				if got, ok := x.exact.find(v); got != code.Value || !ok {
					t.Errorf("%s: find(%q) = %q, %v; want %q", f.Name, v, got, ok, code.Value)
				}
			}
		}
		for _, sl := range x.exact.slots {
			if sl.key != "" && x.byFolded[FoldCode(sl.key)] != sl.code {
				t.Errorf("%s: %q gives %q, but folded it gives %q", f.Name, sl.key, sl.code, x.byFolded[FoldCode(sl.key)])
			}
		}
	}
	if coded == 0 {
		t.Fatal("no coded field")
	}
}

// FuzzCodeTable checks the table against a map: keys are the fuzzer's
// text split at commas, and every key and a few near misses are looked up.
func FuzzCodeTable(f *testing.F) {
	f.Add("da_victim,da_alleged_perpetrator,da_retired", "da_victim")
	f.Add("prevention_56_days,prevention_57_days,a,ab,abc", "prevention_5")
	f.Fuzz(func(t *testing.T, keys, probe string) {
		pairs := map[string]string{}
		for i, k := range strings.Split(keys, ",") {
			if k != "" {
				pairs[k] = keys[:i%len(keys)]
			}
		}
		tab := newCodeTable(pairs)
		for _, v := range append(strings.Split(keys, ","), probe, keys, probe+"x", strings.ToUpper(probe)) {
			if v == "" {
				continue
			}
			want, wok := pairs[v]
			if got, ok := tab.find(v); got != want || ok != wok {
				t.Fatalf("find(%q) = %q, %v; the map has %q, %v", v, got, ok, want, wok)
			}
		}
	})
}

// BenchmarkCodeLookup compares the table with the map it stands in front
// of, on every ASCII key of the shipped schema's coded fields' maps.
func BenchmarkCodeLookup(b *testing.B) {
	s := loadTestSchema(b)
	var idx []*fieldIndex
	var vals [][]string
	for i := range s.Fields {
		if x := s.Fields[i].idx; x != nil {
			idx = append(idx, x)
			var vs []string
			for k := range x.byFolded {
				if foldedASCII(k) {
					vs = append(vs, k)
				}
			}
			vals = append(vals, vs)
		}
	}
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			for i, x := range idx {
				for _, v := range vals[i] {
					if _, ok := x.exact.find(v); !ok {
						b.Fatal(v)
					}
				}
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		for b.Loop() {
			for i, x := range idx {
				for _, v := range vals[i] {
					if _, ok := x.byFolded[v]; !ok {
						b.Fatal(v)
					}
				}
			}
		}
	})
}
