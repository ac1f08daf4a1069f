package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"landingd/ingest"
	"landingd/ingest/publish"
)

func init() {
	commands["export-case"] = command{summary: "print every row held for a case and the files it came from (UK GDPR Art. 15)", run: cmdExportCase}
}

func cmdExportCase(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "export-case", usage: "export-case --config PROTOCOL --partner ID --case-ref REF [--format json|csv]"})
	format := f.String("format", "json", "json or csv")
	c := caseFlagsOf(f, false)
	cfg, code := parseCase(f, c, args)
	if code != exitOK {
		return code
	}
	if *format != "json" && *format != "csv" {
		return f.usageError("--format must be json or csv, not %q", *format)
	}
	r, code := openView(ctx, e, cfg)
	if r == nil {
		return code
	}
	defer r.Close()
	ex, err := r.ExportCase(ctx, c.partner, c.caseRef)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: export-case: %v\n", err)
		return exitFailed
	}
	if *format == "csv" {
		err = writeCaseCSV(e.stdout, ex)
	} else {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(ex)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: export-case: %v\n", err)
		return exitFailed
	}
	if len(ex.Rows) == 0 {
		fmt.Fprintf(e.stderr, "landingd: no rows are held for that case of %s\n", c.partner)
	}
	return exitOK
}

// writeCaseCSV writes one line per row: where it sits and where it came
// from, then the values in the field list's order. Values are neutralised
// as in the combined CSV, so a spreadsheet never runs one as a formula.
func writeCaseCSV(w io.Writer, ex *ingest.CaseExport) error {
	cw := csv.NewWriter(w)
	head := []string{"quarter", "la_code", "pseudonym", "restricted", "field_list_version",
		"source_file", "source_sha256", "source_row", "received_at"}
	head = append(head, ex.Fields...)
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range ex.Rows {
		rec := []string{r.Quarter, r.LACode, r.Pseudonym, strconv.FormatBool(r.Restricted), r.FieldList,
			publish.Neutralise(r.SourceFile), r.SourceSHA256, strconv.Itoa(r.SourceRow), r.ReceivedAt.Format(time.RFC3339)}
		for _, f := range ex.Fields {
			rec = append(rec, publish.Neutralise(r.Values[f]))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
