package table

import "testing"

// A trailing cell holding only a non-breaking space (as Excel exports
// leave behind) is blank, like one holding a plain space.
func TestTrailingNonBreakingSpaceIsBlank(t *testing.T) {
	t.Parallel()
	for _, tail := range []string{" ", "\u00a0"} {
		tab, err := openBytes(t, "x.csv", []byte("a,b,"+tail+"\n1,2,"+tail+"\n"), ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(tab.Header().Cells); got != 2 {
			t.Errorf("tail %q: header has %d cells, want 2", tail, got)
		}
		recs, err := readAll(tab)
		if err != nil || len(recs) != 1 || len(recs[0].Cells) != 2 {
			t.Errorf("tail %q: records %+v, %v", tail, recs, err)
		}
		tab.Close()
	}
}
