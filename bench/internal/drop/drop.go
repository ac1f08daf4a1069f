package drop

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"landingd/transform"
	"landingd/transform/synth"
)

// SchemaFile is the protocol's schema, relative to the repository root
// the benchmarks run from.
const SchemaFile = "deploy/protocols/da-needs-assessment/hclic-da.schema.json"

// Schema and Key are where Write puts the schema and the key under dir.
const (
	Schema = "hclic-da.schema.json"
	Key    = "keys/pseudonym.key"
)

// Write copies SchemaFile to dir/Schema, writes a fresh key to dir/Key
// and one quarter's drop (2025Q4) of rows rows per district under
// dir/sub, one folder per district. It returns an error when the schema
// cannot be read or parsed, or a file cannot be written.
func Write(dir, sub string, rows int) error {
	raw, err := os.ReadFile(SchemaFile)
	if err != nil {
		return err
	}
	s, err := transform.LoadSchema(raw)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(Key)), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, Schema), raw, 0o644); err != nil {
		return err
	}
	if err := transform.WriteKeyFile(filepath.Join(dir, Key)); err != nil {
		return err
	}
	_, err = synth.QuarterDrop(filepath.Join(dir, sub), s, "2025Q4", rows, 1)
	return err
}

// Protocol returns a protocol titled title over the 12 districts, with
// the schema and key files given, a local output and state beside it,
// and zone(id) as district id's landing zone (a YAML flow mapping).
func Protocol(title, schema, key string, zone func(id string) string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `protocol: {id: bench, title: %q, lead: {name: Essex County Council, gss: E10000012}, review_date: 2030-10-01}
schema: %q
filter: {field: reasonloss, keep: [da_victim, da_alleged_perpetrator, da_retired]}
pseudonymise: {key_file: %q}
stable_after: 0s
state: state
output: {kind: local, path: out}
partners:
`, title, schema, key)
	for _, d := range synth.Districts() {
		fmt.Fprintf(&b, "  - {id: %s, name: %q, gss: %s, dpo_email: dpo@example.org, landing: %s}\n", d.ID, d.Name, d.GSS, zone(d.ID))
	}
	return []byte(b.String())
}
