package state

import (
	"encoding/binary"
	"errors"
)

// Values are stored compactly in one BLOB: for each value its length as a
// uvarint followed by its bytes. Any byte may appear in a value, so no
// separator needs escaping, and decoding is a single pass.

// errBadValues reports a vals BLOB that does not decode. It never quotes
// the blob, which holds cell values.
var errBadValues = errors.New("stored values are corrupt")

// appendValues encodes vs onto buf.
func appendValues(buf []byte, vs []string) []byte {
	for _, v := range vs {
		buf = binary.AppendUvarint(buf, uint64(len(v)))
		buf = append(buf, v...)
	}
	return buf
}

// decodeValues decodes a BLOB written by appendValues, reusing dst.
func decodeValues(dst []string, b []byte) ([]string, error) {
	dst = dst[:0]
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return nil, errBadValues
		}
		dst = append(dst, string(b[k:k+int(n)]))
		b = b[k+int(n):]
	}
	return dst, nil
}
