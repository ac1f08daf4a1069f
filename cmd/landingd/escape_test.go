package main

import (
	"strings"
	"testing"
	"time"

	"landingd/ingest/audit"
)

// audit show prints a file name with a terminal escape in it escaped.
func TestFormatEntryEscapesNames(t *testing.T) {
	t.Parallel()
	en := audit.Entry{Seq: 7, Time: time.Date(2026, 1, 7, 6, 0, 0, 0, time.UTC), Event: audit.EventFileVerdict,
		Partner: "basildon", Object: "q4\x1b[2J\x1b[Hclean.csv", Data: map[string]any{"note": "a\rb"}}
	got := formatEntry(en)
	if strings.ContainsAny(got, "\x1b\r") || !strings.Contains(got, `object=q4\x1b[2J\x1b[Hclean.csv`) {
		t.Errorf("formatEntry = %q", got)
	}
}
