package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"landingd/config"
	"landingd/ingest"
	"landingd/transform"
)

// TestExampleDemo writes the example protocol's demo and runs a cycle
// over it: config check accepts it beside the default, and its synthetic
// files are accepted and cut by its own filter, so that no row outside
// the filter reaches its output.
func TestExampleDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	must(t, writeDemo(dir, 5, time.Now()))
	n, err := writeExampleDemo(dir, 30, time.Now())
	if err != nil || n != 3 {
		t.Fatalf("writeExampleDemo = %d, %v; want 3 partners", n, err)
	}
	path := filepath.Join(dir, exampleDemoFile)
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	if code := realMain(context.Background(), e, []string{"config", "check", "--config", path}); code != exitOK {
		t.Fatalf("config check: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	def, err := config.Load(filepath.Join(dir, "protocol.yaml"))
	must(t, err)
	cfg, err := config.Load(path)
	must(t, err)
	if err := config.CheckForum([]*config.Config{def, cfg}); err != nil {
		t.Fatalf("the demo's two protocols share a lane: %v", err)
	}

	r, err := ingest.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	must(t, err)
	defer r.Close()
	sum, err := r.Cycle(context.Background(), nil)
	if err != nil || sum.Failed() {
		t.Fatalf("cycle: %v %+v", err, sum)
	}
	accepted, files := 0, 0
	for _, p := range sum.Partners {
		for _, f := range p.Files {
			files++
			if f.Verdict != transform.Accepted || f.Rows.OutOfScope == 0 || f.Rows.Accepted == 0 {
				t.Errorf("%s: %s %+v, want accepted with rows in and out of scope", p.Partner, f.Verdict, f.Rows)
			}
			accepted += f.Rows.Accepted
		}
	}
	essex, _ := cfg.Partner("essex")
	reports, err := filepath.Glob(filepath.Join(essex.Landing.Local.Path, "processed", "*.report.txt"))
	must(t, err)
	if len(reports) == 0 {
		t.Fatal("no report for essex's files")
	}
	report, err := os.ReadFile(reports[0])
	must(t, err)
	if text := strings.Join(strings.Fields(string(report)), " "); !strings.Contains(text, "(their type of enquiry is not one it covers)") ||
		strings.Contains(text, "loss of") {
		t.Errorf("essex's report does not give the example's own scope:\n%s", report)
	}
	if files != 6 {
		t.Errorf("%d files taken, want two quarters of three partners", files)
	}
	outs, err := filepath.Glob(filepath.Join(cfg.Output.Local.Path, "*", "combined.csv"))
	must(t, err)
	rows := 0
	for _, out := range outs {
		f, err := os.Open(out)
		must(t, err)
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		must(t, err)
		col := -1
		for i, h := range recs[0] {
			if h == cfg.Filter.Field {
				col = i
			}
		}
		if col < 0 {
			t.Fatalf("%s has no %s column: %q", out, cfg.Filter.Field, recs[0])
		}
		for _, rec := range recs[1:] {
			if rec[col] != "s42" {
				t.Errorf("%s holds a row with %s %q, outside the filter", out, cfg.Filter.Field, rec[col])
			}
		}
		rows += len(recs) - 1
	}
	if len(outs) != 2 || rows != accepted {
		t.Errorf("outputs %v hold %d rows, want two quarters holding the %d accepted", outs, rows, accepted)
	}
}
