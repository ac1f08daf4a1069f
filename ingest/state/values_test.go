package state

import (
	"reflect"
	"strings"
	"testing"
)

func TestValuesRoundTrip(t *testing.T) {
	for _, vs := range [][]string{
		{},
		{""},
		{"", ""},
		{"a", "", "ccc"},
		{"\x1f\x00\n,\"", strings.Repeat("x", 300)},
	} {
		got, err := decodeValues(nil, appendValues(nil, vs))
		if err != nil || !reflect.DeepEqual(got, vs) && !(len(got) == 0 && len(vs) == 0) {
			t.Errorf("round trip of %q = %q, %v", vs, got, err)
		}
	}
}

func TestDecodeValuesCorrupt(t *testing.T) {
	for _, b := range [][]byte{
		{5, 'a'},       // length past the end
		{0x80},         // unfinished varint
		{1, 'a', 0xff}, // trailing unfinished varint
	} {
		if _, err := decodeValues(nil, b); err != errBadValues {
			t.Errorf("decodeValues(%x) = %v, want errBadValues", b, err)
		}
	}
}

func FuzzDecodeValues(f *testing.F) {
	f.Add(appendValues(nil, []string{"a", "", "E07000067"}))
	f.Add([]byte{0x80, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		vs, err := decodeValues(nil, b)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to the same bytes.
		if got := appendValues(nil, vs); string(got) != string(b) {
			// Non-minimal varints decode but re-encode shorter; that is fine
			// only when the values survive a second round trip.
			again, err := decodeValues(nil, got)
			if err != nil || !reflect.DeepEqual(again, vs) {
				t.Fatalf("re-encoding changed the values")
			}
		}
	})
}
