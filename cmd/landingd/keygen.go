package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"

	"landingd/transform"
)

func init() {
	commands["keygen"] = command{summary: "write a new pseudonymisation key file (mode 0600; never overwrites)", run: cmdKeygen}
}

// cmdKeygen writes a new key to the named file. It exits 1 when the file
// exists or cannot be written, and 2 on bad arguments.
func cmdKeygen(_ context.Context, e *env, args []string) int {
	fl := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	fl.Usage = func() { fmt.Fprintln(e.stderr, "usage: landingd keygen FILE") }
	if err := fl.Parse(args); err != nil {
		return exitUsage
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return exitUsage
	}
	path := fl.Arg(0)
	if err := transform.WriteKeyFile(path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			fmt.Fprintf(e.stderr, "landingd: %s exists; keygen never overwrites a key (pseudonyms would stop matching)\n", path)
			return exitFailed
		}
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(e.stdout, "wrote a new key to %s (mode 0600). Back it up somewhere safe: without it, pseudonyms stop matching across quarters.\n", path)
	return exitOK
}
