package ingest

import (
	"path"
	"strings"
)

// candidateKind says what a run does with an object at a zone's top level.
type candidateKind int

const (
	ignored     candidateKind = iota // hidden, Office lock files, partial uploads
	judged                           // .csv or .xlsx
	unsupported                      // anything else: judged too, and rejected with a report naming the accepted formats
)

// classify applies the landing-zone rules shared by every backend.
// Extensions are matched case-insensitively.
func classify(name string) candidateKind {
	lower := strings.ToLower(name)
	switch {
	case name == "" || strings.HasPrefix(name, "."), // hidden, and our own temp files
		strings.HasPrefix(name, "~$"), // Office lock files
		strings.HasSuffix(lower, ".report.txt"),
		strings.HasSuffix(lower, ".tmp"),
		strings.HasSuffix(lower, ".part"),
		strings.HasSuffix(lower, ".partial"),
		strings.HasSuffix(lower, ".filepart"):
		return ignored
	}
	switch path.Ext(lower) {
	case ".csv", ".xlsx":
		return judged
	}
	return unsupported
}
