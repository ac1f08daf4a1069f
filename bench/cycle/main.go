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

	"landingd/bench/internal/drop"
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
		return fmt.Errorf("rows %q: %w", rowsArg, err)
	}
	if err := drop.Write(dir, "landing", rows); err != nil {
		return err
	}
	p := drop.Protocol("Cycle benchmark", drop.Schema, drop.Key, func(id string) string {
		return "{kind: local, path: landing/" + id + "}"
	})
	return os.WriteFile(filepath.Join(dir, "protocol.yaml"), p, 0o644)
}
