package publish

import (
	"context"
	"fmt"

	"landingd/ingest/state"
	"landingd/transform"
)

// layouts maps rows stored under older field list versions onto the
// current field list, by field name: a field the old list did not have is
// blank, and a field the current list dropped is left out.
type layouts struct {
	s       *transform.Schema
	fields  map[string][]string // version -> field names, as recorded
	indexes map[string][]int    // version -> for each current field, its index in the old row or -1
	buf     []string
}

func newLayouts(ctx context.Context, db *state.DB, s *transform.Schema) (*layouts, error) {
	fields, err := db.FieldLists(ctx)
	if err != nil {
		return nil, err
	}
	return &layouts{s: s, fields: fields, indexes: map[string][]int{}, buf: make([]string, len(s.Fields))}, nil
}

// remap returns r's values in the current field list's order. The result
// may share memory with r and is valid until the next call.
func (l *layouts) remap(r state.StoredRow) ([]string, error) {
	if r.SchemaVersion == l.s.Version && len(r.Values) == len(l.s.Fields) {
		return r.Values, nil
	}
	idx, ok := l.indexes[r.SchemaVersion]
	if !ok {
		old, known := l.fields[r.SchemaVersion]
		if !known {
			if len(r.Values) == len(l.s.Fields) {
				return r.Values, nil // stored before versions were recorded: same layout
			}
			return nil, fmt.Errorf("row %d of object %d was judged under field list version %q, whose fields are not recorded",
				r.SourceRow, r.ObjectID, r.SchemaVersion)
		}
		pos := make(map[string]int, len(old))
		for i, name := range old {
			pos[name] = i
		}
		idx = make([]int, len(l.s.Fields))
		for i, f := range l.s.Fields {
			j, ok := pos[f.Name]
			if !ok {
				j = -1
			}
			idx[i] = j
		}
		l.indexes[r.SchemaVersion] = idx
	}
	for i, j := range idx {
		l.buf[i] = ""
		if j >= 0 && j < len(r.Values) {
			l.buf[i] = r.Values[j]
		}
	}
	return l.buf, nil
}
