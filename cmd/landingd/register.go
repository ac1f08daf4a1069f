package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"landingd/config"
	"landingd/ingest"
	"landingd/ingest/register"
	"landingd/ingest/state"
)

func init() {
	commands["register"] = command{summary: "print the forum's register of protocols from their files", run: cmdRegister}
}

// configList is a --config flag that may be given more than once.
type configList []string

func (c *configList) String() string { return strings.Join(*c, ",") }
func (c *configList) Set(v string) error {
	if v == "" {
		return errors.New("empty protocol path")
	}
	*c = append(*c, v)
	return nil
}

func cmdRegister(ctx context.Context, e *env, args []string) int {
	const usage = "register --config PROTOCOL [--config PROTOCOL]... [--json | --csv | --html]"
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: landingd "+usage)
		fs.PrintDefaults()
	}
	var paths configList
	fs.Var(&paths, "config", "protocol file (give it once per protocol)")
	asJSON := fs.Bool("json", false, "print JSON")
	asCSV := fs.Bool("csv", false, "print CSV, one line per protocol")
	asHTML := fs.Bool("html", false, "print the register page")
	forum := fs.String("forum", "Information sharing protocols", "the register's heading, for --html")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "landingd: register: %s\nusage: landingd %s\n", fmt.Sprintf(format, a...), usage)
		return exitUsage
	}
	switch {
	case len(paths) == 0:
		return bad("--config PROTOCOL is required")
	case fs.NArg() > 0:
		return bad("unexpected argument %q", fs.Arg(0))
	case btoi(*asJSON)+btoi(*asCSV)+btoi(*asHTML) > 1:
		return bad("give at most one of --json, --csv and --html")
	}
	now := time.Now()
	var entries []register.Entry
	for _, p := range paths {
		cfg, code := loadProtocol(e, p)
		if code != exitOK {
			return code
		}
		st, err := readStatus(ctx, cfg, now)
		if err != nil {
			fmt.Fprintf(e.stderr, "landingd: register: %s: %v\n", cfg.Protocol.ID, err)
			return exitFailed
		}
		entries = append(entries, register.New(cfg, st, now))
	}
	var err error
	switch {
	case *asJSON:
		err = register.WriteJSON(e.stdout, entries)
	case *asCSV:
		err = register.WriteCSV(e.stdout, entries)
	case *asHTML:
		err = register.WriteHTML(e.stdout, *forum, entries, now, nil)
	default:
		err = register.WriteText(e.stdout, entries)
	}
	if err != nil {
		return exitFailed
	}
	return exitOK
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readStatus reads a protocol's status when its state database exists on
// this machine, and returns nil otherwise: the register then shows the
// protocol's files alone. It creates nothing and takes no lock.
func readStatus(ctx context.Context, cfg *config.Config, now time.Time) (*ingest.Status, error) {
	path := filepath.Join(cfg.State, state.FileName)
	if fi, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Size() == 0) {
		return nil, nil
	}
	db, err := state.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return ingest.BuildStatus(ctx, cfg, db, now)
}
