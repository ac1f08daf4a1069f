package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"landingd/ingest/state"
	"landingd/storage/local"
	"landingd/transform"
	"landingd/transform/synth"
)

// syntheticSchema is the shipped field list, which the synthetic
// generator follows.
const syntheticSchema = "../../deploy/protocols/da-needs-assessment/hclic-da.schema.json"

// TestSyntheticQuarterGolden judges the synthetic quarter (the 12
// districts' 2025Q4 files, every export habit: CSV and xlsx, labels,
// UK dates, Windows-1252, title rows) with a fixed key, stores the
// accepted rows and publishes the quarter. The SHA-256 of combined.csv
// and of every cell of combined.xlsx's Data sheet must match the golden
// digests, so no change to judging, storing or publishing alters an
// output unnoticed. (The xlsx's bytes carry its timestamps; the Data
// dictionary follows the field list's text, and the Summary has its own
// tests.)
func TestSyntheticQuarterGolden(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	raw, err := os.ReadFile(syntheticSchema)
	if err != nil {
		t.Fatal(err)
	}
	s, err := transform.LoadSchema(raw)
	if err != nil {
		t.Fatal(err)
	}
	p, err := transform.NewPseudonymiser([]byte("a fixed synthetic test key, 32 bytes or more"))
	if err != nil {
		t.Fatal(err)
	}
	drop := t.TempDir()
	paths, err := synth.QuarterDrop(drop, s, "2025Q4", 60, 1)
	if err != nil {
		t.Fatal(err)
	}
	db, err := state.Open(ctx, filepath.Join(t.TempDir(), state.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	meta := testMeta()
	meta.Partners = nil
	for i, d := range synth.Districts() {
		meta.Partners = append(meta.Partners, Partner{ID: d.ID, Name: d.Name, GSS: d.GSS})
		data, err := os.ReadFile(paths[i])
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(paths[i])
		ft, err := db.BeginFile(ctx, state.FileRecord{RunID: "r1", Partner: d.ID, Name: name,
			SHA256: fmt.Sprintf("%x", sha256.Sum256(data)), ReceivedAt: genAt, SchemaVersion: s.Version, QuarterHint: "2025Q4"})
		if err != nil {
			t.Fatal(err)
		}
		opt := transform.Options{PartnerID: d.ID, PartnerGSS: d.GSS, FilterField: "reasonloss", Keep: synth.DACodes,
			MaxRowErrorRate: 0.05, Now: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), TempDir: t.TempDir(), SizeHint: int64(len(data))}
		res, err := transform.Judge(ctx, s, p, name, bytes.NewReader(data), opt, func(r transform.Row) error { return ft.Put(ctx, r) })
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != transform.Accepted || res.Rows.Accepted == 0 {
			t.Fatalf("%s: %s, %+v, %v", name, res.Verdict, res.Rows, res.FileErrors)
		}
		if err := ft.Commit(ctx, *res, genAt); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	out, err := local.NewOutput(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := Quarter(ctx, out, s, db, "2025Q4", meta); err != nil {
		t.Fatal(err)
	}

	var digest strings.Builder
	csvData, err := os.ReadFile(filepath.Join(dir, "2025Q4", CSVName))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&digest, "%s %x %d lines\n", CSVName, sha256.Sum256(csvData), bytes.Count(csvData, []byte("\n")))
	f, err := excelize.OpenFile(filepath.Join(dir, "2025Q4", XLSXName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range []string{SheetData} {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		for _, r := range rows {
			fmt.Fprintf(h, "%q\n", r)
		}
		fmt.Fprintf(&digest, "%s/%s %x %d rows\n", XLSXName, sheet, h.Sum(nil), len(rows))
	}
	golden(t, "synthetic-2025Q4.digest.golden", []byte(digest.String()))
}
