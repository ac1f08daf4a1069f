// Command landingd takes in district case files from landing zones, judges
// them against the agreed field list, and writes combined datasets.
//
// Run "landingd help" for the commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"syscall"

	"landingd/ingest"
)

// Exit codes. Every command follows one rule:
//
//   - 0: all went well.
//   - 1: the work failed. The invocation and the protocol are fine, but
//     what was asked could not be done or found a problem: validate
//     rejected a file; run's zone or output failed; config check found a
//     zone, the output, the key or a secret unusable (checking them is its
//     work); audit verify found the trail broken; an incident id is
//     unknown; the state cannot be used (its folder is locked by another
//     landingd, or its database cannot be opened or is from a newer
//     landingd); the output cannot be opened; a listen address cannot be
//     bound; a file cannot be written.
//   - 2: the invocation or the protocol is wrong: a bad or missing flag or
//     argument (no --config, an unknown partner, a file to validate that
//     does not exist); a protocol file missing, unreadable or invalid (its
//     field list included; an unsafe bind is an invalid protocol); a
//     secret the protocol names that cannot be read (the pseudonymisation
//     key, http.token_file, the alert webhook URL), except in config
//     check, which reports each as a failed check.
//
// The helpers in protocol.go give every command that takes --config the
// same codes for the same failures; TestProtocolExitCodes holds them to it.
const (
	exitOK     = 0
	exitFailed = 1 // the work failed
	exitUsage  = 2 // the invocation or the protocol is wrong
)

// command is one subcommand. run gets the arguments after the command's
// name and returns an exit code.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) int
}

// env is what a command may touch: standard streams and the environment.
// Tests call realMain with their own.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// lock is how the command takes the state lock: its name and --wait.
	lock ingest.LockSpec
}

// commands is filled by each command's own file in init, so that every
// command lives in one file named after it.
var commands = map[string]command{}

// defaultMemoryLimit is the Go runtime's soft memory limit unless
// GOMEMLIMIT sets another: the collector works harder as the heap nears it,
// which keeps a cycle over many large files within a small machine's
// memory. Live data is far smaller (files are streamed), so the limit only
// trims garbage.
const defaultMemoryLimit = 192 << 20

// judgingGCPercent is the collector's GOGC for the commands that judge
// files one at a time (validate and prepare) unless GOGC sets another: the
// heap may grow by a quarter over the live data between collections, not
// double. Judging's live heap is mostly the duplicate-key set, which holds
// no pointers and so costs the collector next to nothing to mark: on a
// 1,000,000-row CSV this took validate's peak RSS from 79 MB to 59 MB for
// about 3% more CPU (measured).
const judgingGCPercent = 25

// cycleGCPercent is run's GOGC unless GOGC sets another. A cycle also
// publishes, and the workbook writer's cells are full of pointers, so
// collecting as often as judging alone does costs more there: on the
// cycle benchmark (bench/cycle, 12 x 50,000 rows; three interleaved runs
// each) GOGC 25 took 12.6 to 15.7 s and peaked at 84 to 87 MB, GOGC 75
// 11.4 to 13.8 s at 100 to 107 MB.
const cycleGCPercent = 75

// tuneGC sets the collector's GOGC to percent unless the environment
// sets GOGC.
func tuneGC(e *env, percent int) {
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
}

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

func realMain(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "version" || args[0] == "--version" {
		bi, _ := debug.ReadBuildInfo()
		fmt.Fprint(e.stdout, versionText(version, commit, bi))
		return exitOK
	}
	name := args[0]
	rest := args[1:]
	// Two-word commands ("config check", "audit verify") are registered
	// under both words.
	if len(rest) > 0 {
		if c, ok := commands[name+" "+rest[0]]; ok {
			return c.run(ctx, e, rest[1:])
		}
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(e.stderr, "landingd: unknown command %q (see landingd help)\n", name)
		return exitUsage
	}
	return c.run(ctx, e, rest)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: landingd COMMAND [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run landingd COMMAND -h for a command's flags.")
}
