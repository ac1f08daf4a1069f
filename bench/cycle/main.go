// Command cycle writes the inputs of the end-to-end cycle benchmark: a
// protocol over local zones for the 12 districts and one quarter's drop
// of ROWS rows per district, mixed CSV and xlsx as the districts export
// them.
//
//	go run ./bench/cycle DIR ROWS
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"landingd/transform"
	"landingd/transform/synth"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: cycle DIR ROWS")
		os.Exit(2)
	}
	if err := write(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "cycle:", err)
		os.Exit(1)
	}
}

func write(dir, rowsArg string) error {
	rows, err := strconv.Atoi(rowsArg)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile("deploy/protocols/da-needs-assessment/hclic-da.schema.json")
	if err != nil {
		return err
	}
	s, err := transform.LoadSchema(raw)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "hclic-da.schema.json"), raw, 0o644); err != nil {
		return err
	}
	if err := transform.WriteKeyFile(filepath.Join(dir, "keys", "pseudonym.key")); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(`protocol: {id: bench, title: "Cycle benchmark", lead: {name: Essex County Council, gss: E10000012}, review_date: 2030-10-01}
schema: hclic-da.schema.json
filter: {field: reasonloss, keep: [da_victim, da_alleged_perpetrator, da_retired]}
pseudonymise: {key_file: keys/pseudonym.key}
stable_after: 0s
state: state
output: {kind: local, path: out}
partners:
`)
	for _, d := range synth.Districts() {
		fmt.Fprintf(&b, "  - {id: %s, name: %q, gss: %s, dpo_email: dpo@example.org, landing: {kind: local, path: landing/%s}}\n", d.ID, d.Name, d.GSS, d.ID)
	}
	if err := os.WriteFile(filepath.Join(dir, "protocol.yaml"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	_, err = synth.QuarterDrop(filepath.Join(dir, "landing"), s, "2025Q4", rows, 1)
	return err
}
