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
)

// Exit codes shared by every command.
const (
	exitOK      = 0
	exitFailed  = 1 // a file was rejected (validate), or a zone or output failed (run)
	exitUsage   = 2 // bad flags or an invalid protocol
	versionInfo = "landingd 0.1.0"
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
		fmt.Fprintln(e.stdout, versionInfo)
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
