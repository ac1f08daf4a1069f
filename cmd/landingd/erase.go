package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"landingd/config"
)

func init() {
	commands["erase"] = command{summary: "erase a case (UK GDPR Art. 17): store, outputs and processed/ files", run: cmdErase}
}

// caseFlags are the flags that name one case: the partner, its case_ref
// (never printed or written) and the operator's reason.
type caseFlags struct {
	partner, caseRef, reason string
}

// parseCaseFlags parses --config, --partner, --case-ref and (when
// needReason) --reason. --case-ref - reads the reference from standard
// input, so that it stays out of the shell's history and the process list.
func parseCaseFlags(e *env, fs *flag.FlagSet, args []string, usage string, needReason bool) (string, caseFlags, bool) {
	var c caseFlags
	fs.StringVar(&c.partner, "partner", "", "the partner id the case belongs to (required)")
	fs.StringVar(&c.caseRef, "case-ref", "", `the district's case_ref, or "-" to read it from standard input (required)`)
	if needReason {
		fs.StringVar(&c.reason, "reason", "", "why, for the audit trail: a request reference, never personal data (required)")
	}
	path, ok := protocolFlags(e, fs, args, usage)
	if !ok || fs.NArg() > 0 || c.partner == "" || c.caseRef == "" || (needReason && strings.TrimSpace(c.reason) == "") {
		if ok {
			fmt.Fprintln(e.stderr, "usage: landingd "+usage)
		}
		return "", c, false
	}
	if c.caseRef == "-" {
		ref, err := readCaseRef(os.Stdin)
		if err != nil {
			fmt.Fprintf(e.stderr, "landingd: read case_ref from standard input: %v\n", err)
			return "", c, false
		}
		c.caseRef = ref
	}
	return path, c, true
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

// loadCaseProtocol loads the protocol and checks that partner is in it.
func loadCaseProtocol(e *env, path, partner string) (*config.Config, bool) {
	cfg, ok := loadProtocol(e, path)
	if !ok {
		return nil, false
	}
	if _, ok := cfg.Partner(partner); !ok {
		fmt.Fprintf(e.stderr, "landingd: partner %q is not in %s\n", partner, path)
		return nil, false
	}
	return cfg, true
}

// short abbreviates a token for people; the audit trail holds it whole.
func short(token string) string {
	if len(token) > 16 {
		return token[:16]
	}
	return token
}

func cmdErase(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("erase", flag.ContinueOnError)
	path, c, ok := parseCaseFlags(e, fs, args, "erase --config PROTOCOL --partner ID --case-ref REF --reason TEXT", true)
	if !ok {
		return exitUsage
	}
	cfg, ok := loadCaseProtocol(e, path, c.partner)
	if !ok {
		return exitUsage
	}
	r, code := openRunner(ctx, e, cfg)
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
		fmt.Fprintf(e.stdout, "  files deleted:               %s\n", orNone(rep.FilesDeleted))
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
