package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"landingd/ingest"
	"landingd/ingest/state"
	"landingd/transform"
	"landingd/transform/synth"
)

func TestPrintSummaryShowsIncidents(t *testing.T) {
	t.Parallel()
	det := time.Date(2026, 1, 7, 6, 0, 0, 0, time.UTC)
	in := ingest.NewIncidentStatus(state.Incident{ID: "INC-2026-0001", DetectedAt: det, Partner: "braintree",
		Object: "extra.csv", Rule: transform.RuleExtraLabel, RowsAffected: 20,
		NotifyPartnersDue: det.Add(48 * time.Hour), ICODue: det.Add(72 * time.Hour)}, det.Add(time.Minute))
	sum := &ingest.Summary{RunID: "r", Started: det, Finished: det.Add(time.Minute),
		Partners:  []ingest.PartnerSummary{{Partner: "braintree", Files: []ingest.FileSummary{{Object: "extra.csv", Verdict: "rejected"}}}},
		Incidents: []ingest.IncidentStatus{in}}
	var b bytes.Buffer
	printSummary(&b, sum)
	for _, want := range []string{"OPEN BREACH INCIDENTS: 1", "INC-2026-0001", "braintree", "extra-label",
		"2026-01-09 06:00Z (47h59m left)", "2026-01-10 06:00Z (71h59m left)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}

// TestSummaryMatchesLedger runs a cycle over the demo's drops, plus a
// file rejected for too many bad rows (so some of its rows were good) and
// a copy of an accepted file, and compares every column of the printed
// summary with what the ledger recorded for the cycle.
func TestSummaryMatchesLedger(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a whole cycle over twelve districts")
	}
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	if err := writeDemo(dir, 12, now); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	cfg, code := loadProtocol(e, filepath.Join(dir, "protocol.yaml"))
	if code != exitOK {
		t.Fatalf("load: %s", stderr.String())
	}
	schemaRaw, err := os.ReadFile(filepath.Join(dir, "hclic-da.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	schema, err := transform.LoadSchema(schemaRaw)
	if err != nil {
		t.Fatal(err)
	}
	harlow, _ := cfg.Partner("harlow")
	d, _ := synth.DistrictByID("harlow")
	q := transform.LastCompletedQuarter(now)
	if err := synth.WriteFile(filepath.Join(harlow.Landing.Local.Path, "bad.csv"), schema,
		synth.Spec{District: d, Quarters: []string{q}, Rows: 20, BadRows: 10, DAShare: 1, Seed: 3, CaseOffset: 5000}); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(harlow.Landing.Local.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range ents {
		if !en.IsDir() && en.Name() != "bad.csv" {
			b, err := os.ReadFile(filepath.Join(harlow.Landing.Local.Path, en.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(harlow.Landing.Local.Path, "copy-"+en.Name()), b, 0o600); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if code := runCycle(context.Background(), e, cfg, nil, cycleOptions{trigger: "run"}); code != exitOK {
		t.Fatalf("cycle = %d\n%s\n%s", code, stdout.String(), stderr.String())
	}

	// The printed table, by partner.
	lines := strings.Split(stdout.String(), "\n")
	printed := map[string][]string{}
	var runID string
	for i, ln := range lines {
		if strings.HasPrefix(ln, "Cycle ") {
			runID = strings.Fields(ln)[1]
		}
		if !strings.HasPrefix(ln, "PARTNER") {
			continue
		}
		for _, row := range lines[i+1:] {
			if row == "" {
				break
			}
			f := strings.Fields(row)
			printed[f[0]] = f[1:9]
		}
		break
	}
	db, err := sql.Open("sqlite", filepath.Join(cfg.State, state.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT partner, count(*), sum(verdict = 'accepted'), sum(verdict = 'rejected'), sum(verdict = 'duplicate'),
		sum(rows_read), sum(rows_stored), sum(rows_out_of_scope), sum(rows_rejected)
		FROM objects WHERE run_id = ? GROUP BY partner`, runID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ledger := map[string][]string{}
	for rows.Next() {
		var p string
		v := make([]int, 8)
		if err := rows.Scan(&p, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]); err != nil {
			t.Fatal(err)
		}
		for _, n := range v {
			ledger[p] = append(ledger[p], strconv.Itoa(n))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ledger) != len(cfg.Partners) {
		t.Fatalf("ledger has %d partners for run %q, want %d", len(ledger), runID, len(cfg.Partners))
	}
	for p, want := range ledger {
		if !reflect.DeepEqual(printed[p], want) {
			t.Errorf("%s: summary FILES..ROWS REJECTED = %v, ledger %v", p, printed[p], want)
		}
	}
	// The bad file was rejected with good rows in it, and the copy was a
	// duplicate: the test covers both.
	if h := ledger["harlow"]; h[2] == "0" || h[3] != "1" {
		t.Fatalf("harlow's files: %v, want a rejected file and a duplicate", h)
	}
}
