package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"landingd/ingest"
	"landingd/internal/safetext"
)

func init() {
	commands["purge"] = command{summary: "apply retention now (each cycle ends with one); --dry-run shows what it would delete", run: cmdPurge}
}

func cmdPurge(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "purge", lock: true, usage: "purge --config PROTOCOL [--dry-run] [--json]"})
	dry := f.Bool("dry-run", false, "only show what would be deleted")
	asJSON := f.Bool("json", false, "print JSON")
	if code := f.parse(args); code != exitOK {
		return code
	}
	var rep *ingest.PurgeReport
	var err error
	if *dry {
		v, code := f.openView(ctx)
		if v == nil {
			return code
		}
		defer v.Close()
		rep, err = v.PlanPurge(ctx)
	} else {
		d, code := f.openDuties(ctx)
		if d == nil {
			return code
		}
		defer d.Close()
		rep, err = d.Purge(ctx, "")
	}
	if rep != nil {
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			_ = enc.Encode(rep)
		} else {
			printPurge(e.stdout, rep)
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: purge: %v\n", err)
		return exitFailed
	}
	if len(rep.Problems) > 0 {
		return exitFailed
	}
	return exitOK
}

func printPurge(w io.Writer, rep *ingest.PurgeReport) {
	verb := "Deleted"
	if rep.DryRun {
		verb = "Would delete"
		fmt.Fprintf(w, "Dry run at %s: nothing is changed.\n", rep.At.Format("2006-01-02 15:04Z"))
	}
	if rep.Empty() {
		fmt.Fprintln(w, "Nothing has passed its retention period.")
	}
	for _, q := range sortedCaseQuarters(rep.Cases) {
		fmt.Fprintf(w, "%s %d case row(s) of %s (quarters ending on or before %s); its outputs are removed.\n", verb, rep.Cases[q], q, rep.CasesCutoff)
	}
	for _, f := range rep.Files {
		fmt.Fprintf(w, "%s %s/%s of %s and its report.\n", verb, f.Folder, safetext.Escape(f.Name), f.Partner)
	}
	for _, s := range rep.AuditSegments {
		fmt.Fprintf(w, "%s the audit segment %s (a checkpoint entry keeps the chain).\n", verb, s)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "NOT PURGED: %s\n", safetext.Escape(p))
	}
}

func sortedCaseQuarters(m map[string]int) []string {
	qs := make([]string, 0, len(m))
	for q := range m {
		qs = append(qs, q)
	}
	sort.Strings(qs)
	return qs
}
