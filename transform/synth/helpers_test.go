package synth_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"sync"
	"testing"

	"landingd/transform"
	"landingd/transform/synth"
)

// schemaPath is the shipped field list, relative to this package.
const schemaPath = "../../deploy/protocols/da-needs-assessment/hclic-da.schema.json"

var (
	schemaOnce sync.Once
	schemaVal  *transform.Schema
	schemaErr  error
)

// loadSchema returns the shipped field list.
func loadSchema(tb testing.TB) *transform.Schema {
	tb.Helper()
	schemaOnce.Do(func() {
		data, err := os.ReadFile(schemaPath)
		if err != nil {
			schemaErr = err
			return
		}
		schemaVal, schemaErr = transform.LoadSchema(data)
	})
	if schemaErr != nil {
		tb.Fatalf("load schema: %v", schemaErr)
	}
	return schemaVal
}

func district(tb testing.TB, id string) synth.District {
	tb.Helper()
	d, ok := synth.DistrictByID(id)
	if !ok {
		tb.Fatalf("no district %q", id)
	}
	return d
}

// write writes spec to memory with the shipped schema.
func write(tb testing.TB, spec synth.Spec) ([]byte, synth.Stats) {
	tb.Helper()
	var buf bytes.Buffer
	st, err := synth.WriteStats(&buf, loadSchema(tb), spec)
	if err != nil {
		tb.Fatalf("write: %v", err)
	}
	return buf.Bytes(), st
}

// table is a parsed CSV: its header and data records by column name.
type table struct {
	header []string
	rows   [][]string
}

func (t *table) col(tb testing.TB, name string) int {
	tb.Helper()
	for i, h := range t.header {
		if h == name {
			return i
		}
	}
	tb.Fatalf("no column %q in %v", name, t.header)
	return -1
}

// parseCSV parses UTF-8 CSV written with a comma, skipping titles rows.
func parseCSV(tb testing.TB, data []byte, comma rune, titles int) *table {
	tb.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		tb.Fatalf("parse csv: %v", err)
	}
	if len(recs) <= titles {
		tb.Fatalf("parse csv: %d records, want more than %d", len(recs), titles)
	}
	return &table{header: recs[titles], rows: recs[titles+1:]}
}
