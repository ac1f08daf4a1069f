package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"landingd/ingest"
	"landingd/ingest/state"
	"landingd/internal/safetext"
)

func init() {
	commands["incidents"] = command{summary: "list open breach incidents with the time left on each deadline [--json] [--all]", run: cmdIncidents}
	commands["incidents ack"] = command{summary: "record when an incident's partners were notified and the ICO decision", run: cmdIncidentsAck}
	commands["incidents close"] = command{summary: "close a breach incident with a note", run: cmdIncidentsClose}
}

// incidentView is an incident as incidents --json prints it.
type incidentView struct {
	state.Incident
	NotifyPartnersLeft string `json:"notify_partners_left"`
	ICOLeft            string `json:"ico_left"`
}

func cmdIncidents(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "incidents", usage: "incidents --config PROTOCOL [--json] [--all]"})
	asJSON := f.Bool("json", false, "print JSON")
	all := f.Bool("all", false, "list closed incidents too")
	if code := f.parse(args); code != exitOK {
		return code
	}
	r, code := f.openView(ctx)
	if r == nil {
		return code
	}
	defer r.Close()
	ins, err := r.DB.Incidents(ctx, *all)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitFailed
	}
	now := time.Now()
	views := make([]incidentView, 0, len(ins))
	for _, in := range ins {
		views = append(views, incidentView{Incident: in,
			NotifyPartnersLeft: ingest.TimeLeft(in.NotifyPartnersDue, in.PartnersNotified, now),
			ICOLeft:            ingest.TimeLeft(in.ICODue, in.ICOAt, now)})
	}
	if *asJSON {
		enc := json.NewEncoder(safetext.NewJSONWriter(e.stdout))
		enc.SetIndent("", "  ")
		if err := enc.Encode(views); err != nil {
			return exitFailed
		}
		return exitOK
	}
	printIncidents(e.stdout, views, *all)
	return exitOK
}

func printIncidents(w io.Writer, views []incidentView, all bool) {
	if len(views) == 0 {
		if all {
			fmt.Fprintln(w, "No incidents have been recorded.")
		} else {
			fmt.Fprintln(w, "No open incidents.")
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDETECTED\tPARTNER\tFILE\tRULE\tROWS\tNOTIFY PARTNERS\tICO\tSTATE\tCOLUMNS")
	for _, v := range views {
		st := "open"
		if !v.Open() {
			st = "closed " + v.ClosedAt.UTC().Format("2006-01-02")
		}
		ico := v.ICOLeft
		if v.ICODecision != "" {
			ico = v.ICODecision + ", " + ico
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", v.ID, v.DetectedAt.UTC().Format("2006-01-02 15:04Z"),
			v.Partner, safetext.Escape(v.Object), v.Rule, v.RowsAffected, v.NotifyPartnersLeft, ico, st, safetext.Escape(ingest.ColumnsText(v.Columns)))
	}
	tw.Flush()
}

// parseIncident parses an incident command's arguments: its id, before
// the flags or after them, and the flags. It returns the id, or exitUsage
// after saying why.
func parseIncident(f *flags, args []string) (string, int) {
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if code := f.parse(args); code != exitOK {
		return "", code
	}
	switch {
	case id == "" && f.NArg() == 1:
		id = f.Arg(0)
	case f.NArg() > 0:
		return "", f.usageError("unexpected argument %q", f.Arg(f.NArg()-1))
	case id == "":
		return "", f.usageError("the incident ID is required")
	}
	return id, exitOK
}

func cmdIncidentsAck(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "incidents ack", args: true, lock: true,
		usage: "incidents ack ID --config PROTOCOL [--partners-notified TIME] [--ico notified|not-required [--ico-at TIME]] [--note TEXT]"})
	notified := f.String("partners-notified", "", `when the partners' DPOs were notified (RFC 3339 or "now")`)
	ico := f.String("ico", "", "the ICO decision: notified or not-required")
	icoAt := f.String("ico-at", "now", "when the ICO was notified or the decision made (RFC 3339 or \"now\")")
	note := f.String("note", "", "a note for the record")
	id, code := parseIncident(f, args)
	if code != exitOK {
		return code
	}
	if *notified == "" && *ico == "" {
		return f.usageError("--partners-notified or --ico is required")
	}
	var ack state.IncidentAck
	var err error
	if *notified != "" {
		if ack.PartnersNotified, err = parseWhen(*notified); err != nil {
			return f.usageError("--partners-notified: %v", err)
		}
	}
	if *ico != "" {
		if *ico != state.ICONotified && *ico != state.ICONotRequired {
			return f.usageError("--ico must be %s or %s", state.ICONotified, state.ICONotRequired)
		}
		ack.ICODecision = *ico
		if ack.ICOAt, err = parseWhen(*icoAt); err != nil {
			return f.usageError("--ico-at: %v", err)
		}
	}
	ack.Note = *note
	r, code := f.openDuties(ctx)
	if r == nil {
		return code
	}
	defer r.Close()
	in, err := r.AckIncident(ctx, id, ack)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitFailed
	}
	now := time.Now()
	fmt.Fprintf(e.stdout, "%s: notify partners: %s; ICO: %s %s\n", in.ID,
		ingest.TimeLeft(in.NotifyPartnersDue, in.PartnersNotified, now), orWord(in.ICODecision, "undecided,"), ingest.TimeLeft(in.ICODue, in.ICOAt, now))
	return exitOK
}

func orWord(s, w string) string {
	if s == "" {
		return w
	}
	return s + ","
}

func cmdIncidentsClose(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "incidents close", lock: true, usage: "incidents close ID --config PROTOCOL --note TEXT", args: true})
	note := f.String("note", "", "how it was resolved (required)")
	id, code := parseIncident(f, args)
	if code != exitOK {
		return code
	}
	if strings.TrimSpace(*note) == "" {
		return f.usageError("--note is required")
	}
	r, code := f.openDuties(ctx)
	if r == nil {
		return code
	}
	defer r.Close()
	in, err := r.CloseIncident(ctx, id, *note)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		if errors.Is(err, state.ErrNoIncident) {
			fmt.Fprintln(e.stderr, "landingd: see landingd incidents --all for the ids")
		}
		return exitFailed
	}
	fmt.Fprintf(e.stdout, "%s closed.\n", in.ID)
	if in.PartnersNotified.IsZero() || in.ICODecision == "" {
		fmt.Fprintln(e.stdout, "Note: it was closed without a record of the partners' notification or the ICO decision.")
	}
	return exitOK
}
