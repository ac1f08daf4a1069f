package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRegisterCSV prints the register of two protocols from their files:
// one line per protocol under the register's columns, the second
// protocol's review overdue.
func TestRegisterCSV(t *testing.T) {
	t.Parallel()
	var paths []string
	for _, id := range []string{"one", "two"} {
		dir := t.TempDir()
		must(t, writeDemo(dir, 5, time.Now()))
		p := filepath.Join(dir, "protocol.yaml")
		editFile(t, p, "id: da-needs-assessment", "id: "+id)
		if id == "two" {
			editFile(t, p, "review_date: 2027-10-01", "review_date: 2020-01-31")
			editFile(t, p, `number: "0075"`, `number: "0101"`)
		}
		paths = append(paths, p)
	}
	var stdout, stderr bytes.Buffer
	code := realMain(context.Background(), &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }},
		[]string{"register", "--config", paths[0], "--config", paths[1], "--csv"})
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	recs, err := csv.NewReader(&stdout).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][0] != "number" {
		t.Fatalf("register = %q, want a header and two lines", recs)
	}
	if recs[1][0] != "0075" || recs[1][7] != "ok" || recs[2][0] != "0101" || recs[2][7] != "overdue" {
		t.Errorf("register = %q, want 0075 in date and 0101 overdue", recs[1:])
	}
	if !strings.Contains(recs[1][5], "Harlow Council") || recs[1][2] != "Safer Community" {
		t.Errorf("line 1 = %q, want the partners and the theme", recs[1])
	}
}

func TestRegisterUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"register"}, {"register", "--config", "a.yaml", "--csv", "--json"}, {"register", "--config", "a.yaml", "x"}} {
		var stdout, stderr bytes.Buffer
		if code := realMain(context.Background(), &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}, args); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
}
