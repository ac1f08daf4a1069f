package transform

import (
	"os"
	"testing"
)

const schemaPath = "../deploy/protocols/da-needs-assessment/hclic-da.schema.json"

func loadTestSchema(t testing.TB) *Schema {
	t.Helper()
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadSchema(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestShippedSchemaLoads(t *testing.T) {
	s := loadTestSchema(t)
	if s.Name != "hclic-da" || s.Version == "" || len(s.Hash) != 64 {
		t.Errorf("name %q version %q hash %q", s.Name, s.Version, s.Hash)
	}
}
