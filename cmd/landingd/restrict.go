package main

import (
	"context"
	"fmt"
)

func init() {
	commands["restrict"] = command{summary: "restrict a case (UK GDPR Art. 18): keep its rows but leave them out of every output", run: cmdRestrict}
	commands["unrestrict"] = command{summary: "lift a case's restriction: its rows return to the outputs", run: cmdUnrestrict}
}

func cmdRestrict(ctx context.Context, e *env, args []string) int {
	return restrictCase(ctx, e, args, "restrict", true)
}

func cmdUnrestrict(ctx context.Context, e *env, args []string) int {
	return restrictCase(ctx, e, args, "unrestrict", false)
}

func restrictCase(ctx context.Context, e *env, args []string, name string, restrict bool) int {
	f := newFlags(e, invocation{name: name, lock: true, usage: name + " --config PROTOCOL --partner ID --case-ref REF --reason TEXT"})
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
	rep, err := r.Restrict(ctx, c.partner, c.caseRef, c.reason, restrict)
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %s: %v\n", name, err)
		return exitFailed
	}
	switch {
	case restrict && rep.Held == 0:
		fmt.Fprintf(e.stdout, "No rows are held for that case of %s (token %s…). The restriction is recorded and applies to any rows the district sends.\n", c.partner, short(rep.Token))
	case restrict:
		fmt.Fprintf(e.stdout, "Restricted a case of %s (token %s…): %d row(s) held, %d newly left out of the outputs.\n", c.partner, short(rep.Token), rep.Held, rep.Changed)
	case rep.Changed == 0:
		fmt.Fprintf(e.stdout, "That case of %s (token %s…) had no restricted rows; the restriction, if any, is lifted.\n", c.partner, short(rep.Token))
	default:
		fmt.Fprintf(e.stdout, "Lifted the restriction of a case of %s (token %s…): %d row(s) return to the outputs.\n", c.partner, short(rep.Token), rep.Changed)
	}
	fmt.Fprintf(e.stdout, "Outputs regenerated: %s\n", orNone(rep.Quarters))
	if rep.OutputErr != nil {
		fmt.Fprintf(e.stdout, "OUTPUT FAILED: %v (the next run regenerates them)\n", rep.OutputErr)
		return exitFailed
	}
	return exitOK
}
