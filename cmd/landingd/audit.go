package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"landingd/config"
	"landingd/ingest"
	"landingd/ingest/audit"
	"landingd/ingest/state"
	"landingd/internal/safetext"
)

func init() {
	commands["audit verify"] = command{summary: "check the audit trail's hash chain; exit 1 naming the first bad entry", run: cmdAuditVerify}
	commands["audit show"] = command{summary: "print the audit trail [--since DATE] [--json]", run: cmdAuditShow}
	commands["audit repair"] = command{summary: "cut a line left incomplete by a crash from the audit trail, and record it", run: cmdAuditRepair}
}

// storedHead reads the audit head the state database keeps ("" when none).
func storedHead(ctx context.Context, cfg *config.Config) (string, error) {
	if _, err := os.Stat(filepath.Join(cfg.State, state.FileName)); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	db, err := state.Open(ctx, filepath.Join(cfg.State, state.FileName))
	if err != nil {
		return "", err
	}
	defer db.Close()
	head, _, err := db.Meta(ctx, state.MetaAuditHead)
	return head, err
}

func cmdAuditVerify(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "audit verify", usage: "audit verify --config PROTOCOL"})
	if code := f.parse(args); code != exitOK {
		return code
	}
	cfg, code := f.load()
	if code != exitOK {
		return code
	}
	head, err := storedHead(ctx, cfg)
	if err != nil {
		return stateFailed(e, err)
	}
	n, p, err := audit.VerifyCount(ctx, cfg.State, head)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: verify audit trail: %v\n", err)
		return exitFailed
	}
	if p != nil {
		fmt.Fprintf(e.stdout, "The audit trail is NOT whole.\nfirst bad entry: %s\n", p)
		switch p.Reason {
		case audit.Truncated:
			fmt.Fprintln(e.stdout, "If a crash cut the last line short, run landingd audit repair; otherwise entries were removed from the end.")
		case audit.Ahead:
			fmt.Fprintln(e.stdout, "Entries were written after the head the state database records (a crash between the two); the entries themselves are intact.")
		}
		return exitFailed
	}
	if head == "" {
		head = audit.ZeroHash
	}
	fmt.Fprintf(e.stdout, "The audit trail is whole: %d entries, head %s.\n", n, head)
	return exitOK
}

// shownEntry is an entry as audit show --json prints it.
type shownEntry struct {
	Seq     int64          `json:"seq"`
	Time    time.Time      `json:"time"`
	Event   string         `json:"event"`
	RunID   string         `json:"run_id,omitempty"`
	Partner string         `json:"partner,omitempty"`
	Object  string         `json:"object,omitempty"`
	Data    map[string]any `json:"data,omitempty"`
	Prev    string         `json:"prev"`
	Hash    string         `json:"hash"`
}

func cmdAuditShow(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "audit show", usage: "audit show --config PROTOCOL [--since DATE] [--json]"})
	since := f.String("since", "", "only entries at or after this date (YYYY-MM-DD) or time (RFC 3339)")
	asJSON := f.Bool("json", false, "print one JSON object a line")
	if code := f.parse(args); code != exitOK {
		return code
	}
	var from time.Time
	if *since != "" {
		var err error
		if from, err = parseWhen(*since); err != nil {
			return f.usageError("--since: %v", err)
		}
	}
	cfg, code := f.load()
	if code != exitOK {
		return code
	}
	enc := json.NewEncoder(safetext.NewJSONWriter(e.stdout))
	err := audit.Show(ctx, cfg.State, from, func(en audit.Entry) error {
		if *asJSON {
			return enc.Encode(shownEntry(en))
		}
		_, err := fmt.Fprintln(e.stdout, formatEntry(en))
		return err
	})
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// formatEntry prints one entry on one line: seq, time, event, who and what,
// then its data as sorted key=value pairs.
func formatEntry(en audit.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%6d  %s  %-18s", en.Seq, en.Time.UTC().Format("2006-01-02 15:04:05Z"), en.Event)
	for _, kv := range [][2]string{{"run", en.RunID}, {"partner", en.Partner}, {"object", en.Object}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "  %s=%s", kv[0], kv[1])
		}
	}
	keys := make([]string, 0, len(en.Data))
	for k := range en.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := en.Data[k]
		var s string
		switch x := v.(type) {
		case string:
			s = strconv.Quote(x)
		default:
			j, _ := json.Marshal(x)
			s = string(j)
		}
		fmt.Fprintf(&b, "  %s=%s", k, s)
	}
	// Names and data come from districts: escaped, so that a control
	// character in a file name cannot rewrite the operator's screen.
	return safetext.Escape(b.String())
}

// parseWhen reads a date (midnight UTC), an RFC 3339 time, or "now".
func parseWhen(s string) (time.Time, error) {
	if s == "now" {
		return time.Now().UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD), a time (RFC 3339, e.g. 2026-01-08T09:30:00Z) or \"now\"", s)
	}
	return t.UTC(), nil
}

func cmdAuditRepair(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "audit repair", lock: true, usage: "audit repair --config PROTOCOL"})
	if code := f.parse(args); code != exitOK {
		return code
	}
	cfg, code := f.load()
	if code != exitOK {
		return code
	}
	rep, err := ingest.RepairAudit(ctx, cfg, e.lock)
	if err != nil {
		return stateFailed(e, err)
	}
	if rep.Cut == 0 {
		fmt.Fprintln(e.stdout, "The audit trail ends with a whole line: nothing to repair.")
		return exitOK
	}
	fmt.Fprintf(e.stdout, "Cut %d byte(s) of an incomplete last line and recorded it (seq %d). Run landingd audit verify.\n", rep.Cut, rep.Seq)
	return exitOK
}
