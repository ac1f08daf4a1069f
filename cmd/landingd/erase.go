package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"landingd/config"
	"landingd/internal/safetext"
)

func init() {
	commands["erase"] = command{summary: "erase a case (UK GDPR Art. 17): store, outputs and processed/ files", run: cmdErase}
}

// caseFlags are the flags that name one case: the partner, its case_ref
// (never printed or written) and the operator's reason.
type caseFlags struct {
	partner, caseRef, reason string
	needReason               bool
}

// caseFlagsOf adds --partner, --case-ref and (when needReason) --reason
// to f, whose command names one case.
func caseFlagsOf(f *flags, needReason bool) *caseFlags {
	c := &caseFlags{needReason: needReason}
	f.StringVar(&c.partner, "partner", "", "the partner id the case belongs to (required)")
	f.StringVar(&c.caseRef, "case-ref", "", `the district's case_ref, or "-" to read it from standard input (required)`)
	if needReason {
		f.StringVar(&c.reason, "reason", "", "why, for the audit trail: a request reference, never personal data (required)")
	}
	return c
}

// parseCase parses args into f, which caseFlagsOf has prepared, checks
// that the case's flags are given, and loads the protocol, which must hold
// the partner. --case-ref - reads the reference from standard input, so
// that it stays out of the shell's history and the process list. It
// returns exitUsage, after saying why, for a usage or protocol error.
func parseCase(f *flags, c *caseFlags, args []string) (*config.Config, int) {
	if code := f.parse(args); code != exitOK {
		return nil, code
	}
	switch {
	case c.partner == "":
		return nil, f.usageError("--partner is required")
	case c.caseRef == "":
		return nil, f.usageError("--case-ref is required")
	case c.needReason && strings.TrimSpace(c.reason) == "":
		return nil, f.usageError("--reason is required")
	}
	if c.caseRef == "-" {
		ref, err := readCaseRef(os.Stdin)
		if err != nil {
			return nil, f.usageError("read case_ref from standard input: %v", err)
		}
		c.caseRef = ref
	}
	cfg, code := f.load()
	if code != exitOK {
		return nil, code
	}
	if _, ok := cfg.Partner(c.partner); !ok {
		return nil, f.usageError("%s", unknownPartner(cfg, c.partner))
	}
	return cfg, exitOK
}

func readCaseRef(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return "", fmt.Errorf("nothing was given")
	}
	return line, nil
}

// short abbreviates a token for people; the audit trail holds it whole.
func short(token string) string {
	if len(token) > 16 {
		return token[:16]
	}
	return token
}

func cmdErase(ctx context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "erase", lock: true, usage: "erase --config PROTOCOL --partner ID --case-ref REF --reason TEXT"})
	c := caseFlagsOf(f, true)
	cfg, code := parseCase(f, c, args)
	if code != exitOK {
		return code
	}
	r, code := openDuties(ctx, e, cfg)
	if r == nil {
		return code
	}
	defer r.Close()
	rep, err := r.Erase(ctx, c.partner, c.caseRef, c.reason)
	if rep != nil {
		if rep.AlreadyErased {
			fmt.Fprintf(e.stdout, "That case of %s (erasure token %s…) was erased before and nothing of it is left: nothing was done.\n",
				c.partner, short(rep.Token))
			return exitOK
		}
		fmt.Fprintf(e.stdout, "Erased a case of %s (erasure token %s…).\n", c.partner, short(rep.Token))
		fmt.Fprintf(e.stdout, "  rows removed from the store: %d\n", rep.Rows)
		fmt.Fprintf(e.stdout, "  outputs regenerated:         %s\n", orNone(rep.Quarters))
		fmt.Fprintf(e.stdout, "  files deleted:               %s\n", safetext.Escape(orNone(rep.FilesDeleted)))
		fmt.Fprintln(e.stdout, "The case is on the erasure list: a later file carrying it is dropped, and the district is told to erase it at source.")
		if rep.OutputErr != nil {
			fmt.Fprintf(e.stdout, "OUTPUT FAILED: %v (the next run regenerates them)\n", rep.OutputErr)
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: erase: %v (run the command again to finish)\n", err)
		return exitFailed
	}
	if rep.OutputErr != nil {
		return exitFailed
	}
	return exitOK
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
