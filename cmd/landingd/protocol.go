package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"landingd/config"
	"landingd/deploy"
	"landingd/ingest"
	"landingd/ingest/state"
	"landingd/transform"
)

// invocation is how a command that reads a protocol is called.
type invocation struct {
	name    string // as typed after "landingd": "audit verify"
	usage   string // the synopsis after "usage: landingd "
	builtin bool   // without --config, the protocol built into the binary
	args    bool   // takes arguments after the flags
	lock    bool   // takes the state lock: adds --wait
	multi   bool   // --config may be given more than once
}

// flags is a command's flag set with --config PROTOCOL added.
type flags struct {
	*flag.FlagSet
	e      *env
	inv    invocation
	config *string
	wait   *time.Duration // --wait, when inv.lock
	list   configList     // every --config, with inv.multi
}

// newFlags returns inv's flag set with --config added. Its errors and help
// go to stderr. The command adds its own flags before calling parse.
func newFlags(e *env, inv invocation) *flags {
	fs := flag.NewFlagSet(inv.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	f := &flags{FlagSet: fs, e: e, inv: inv}
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: landingd "+inv.usage)
		fs.PrintDefaults()
	}
	help := "protocol file (required)"
	if inv.builtin {
		help = "protocol file (default: the built-in protocol, which needs no key)"
	}
	if inv.multi {
		f.config = new(string)
		fs.Var(&f.list, "config", "protocol file (give it once per protocol)")
	} else {
		f.config = fs.String("config", "", help)
	}
	if inv.lock {
		f.wait = fs.Duration("wait", defaultLockWait, "how long to wait for the state lock while a cycle or another command holds it")
	}
	return f
}

// defaultLockWait is how long a command waits for the state lock: long
// enough for most cycles of a small service to end.
const defaultLockWait = 30 * time.Second

// parse parses args. It returns exitOK, or exitUsage after saying why on
// stderr: a bad flag, no --config (unless the command has a built-in
// protocol), or an argument left over (unless the command takes some).
func (f *flags) parse(args []string) int {
	if err := f.Parse(args); err != nil {
		return exitUsage // the flag package has said why, and printed the usage
	}
	if f.wait != nil {
		f.e.lock = ingest.LockSpec{Holder: f.inv.name, Wait: *f.wait}
	}
	if len(f.list) > 0 {
		*f.config = f.list[0]
	}
	if *f.config == "" && !f.inv.builtin {
		return f.usageError("--config PROTOCOL is required")
	}
	if f.NArg() > 0 && !f.inv.args {
		return f.usageError("unexpected argument %q", f.Arg(0))
	}
	return exitOK
}

// usageError says why the invocation is wrong, prints the command's
// synopsis, and returns exitUsage.
func (f *flags) usageError(format string, a ...any) int {
	fmt.Fprintf(f.e.stderr, "landingd: %s: %s\n", f.inv.name, fmt.Sprintf(format, a...))
	fmt.Fprintln(f.e.stderr, "usage: landingd "+f.inv.usage)
	return exitUsage
}

// load loads the protocol --config names, or the built-in one.
func (f *flags) load() (*config.Config, int) {
	if *f.config == "" && f.inv.builtin {
		return loadBuiltinProtocol(f.e)
	}
	return loadProtocol(f.e, *f.config)
}

// loadAll loads every protocol --config names, in order, and checks that
// they keep to their own lanes (config.CheckForum). It returns exitUsage,
// after saying why, when one cannot be loaded or they share storage or a
// key.
func (f *flags) loadAll() ([]*config.Config, int) {
	paths := f.list
	if len(paths) == 0 {
		paths = configList{*f.config}
	}
	var cfgs []*config.Config
	for _, p := range paths {
		cfg, code := loadProtocol(f.e, p)
		if code != exitOK {
			return nil, code
		}
		cfgs = append(cfgs, cfg)
	}
	if err := config.CheckForum(cfgs); err != nil {
		fmt.Fprintf(f.e.stderr, "landingd: %v\n", err)
		return nil, exitUsage
	}
	return cfgs, exitOK
}

// openView loads the protocol --config names and opens its state for
// reading: see loadProtocol and openView for the exit codes.
func (f *flags) openView(ctx context.Context) (*ingest.View, int) {
	cfg, code := f.load()
	if code != exitOK {
		return nil, code
	}
	return openView(ctx, f.e, cfg)
}

// openDuties loads the protocol --config names and opens its state for
// its duties: see loadProtocol and openDuties for the exit codes.
func (f *flags) openDuties(ctx context.Context) (*ingest.Duties, int) {
	cfg, code := f.load()
	if code != exitOK {
		return nil, code
	}
	return openDuties(ctx, f.e, cfg)
}

// loadProtocol loads the protocol at path and checks that its field list
// parses. It returns exitUsage, after saying why, when the file is missing
// or unreadable, or the protocol or its field list is invalid.
func loadProtocol(e *env, path string) (*config.Config, int) {
	cfg, err := config.Load(path)
	return checkProtocol(e, cfg, err)
}

// loadBuiltinProtocol is loadProtocol for the protocol built into the
// binary.
func loadBuiltinProtocol(e *env) (*config.Config, int) {
	cfg, err := config.LoadFS(deploy.Protocols, deploy.DefaultProtocol)
	return checkProtocol(e, cfg, err)
}

func checkProtocol(e *env, cfg *config.Config, err error) (*config.Config, int) {
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return nil, exitUsage
	}
	// The field list is part of the protocol: config checks only that it
	// can be read.
	if _, err := transform.LoadSchema(cfg.SchemaData); err != nil {
		fmt.Fprintf(e.stderr, "landingd: load field list %s: %v\n", cfg.Schema, err)
		return nil, exitUsage
	}
	return cfg, exitOK
}

// openView opens cfg's state for reading only (ingest.OpenReader),
// without its lock, so that it works beside a running service. It
// returns exitUsage, after saying why, when the pseudonymisation key
// cannot be read (a secret of the protocol), and exitFailed when the
// state cannot be used: its database cannot be opened, is from a newer
// landingd, or was lost.
func openView(ctx context.Context, e *env, cfg *config.Config) (*ingest.View, int) {
	v, err := ingest.OpenReader(ctx, cfg, newLogger(e.stderr), versionInfo)
	return opened(e, v, err)
}

// openState opens a Runner on cfg's state, taking the state folder's lock
// (ingest.OpenLocked): one command that changes state at a time, across
// run and serve. dbOpts tune the database. It returns exitUsage as
// openView does, and exitFailed when the state cannot be used: its folder
// is locked by another landingd, its database cannot be opened or is from
// a newer landingd, or the output cannot be opened.
func openState(ctx context.Context, e *env, cfg *config.Config, dbOpts ...state.Option) (*ingest.Runner, int) {
	logger := newLogger(e.stderr)
	r, err := locked(e, func(lock ingest.LockSpec) (*ingest.Runner, error) {
		return ingest.OpenLocked(ctx, cfg, logger, versionInfo, lock, dbOpts...)
	})
	return opened(e, r, err)
}

// openDuties is openState for the commands that carry out a duty
// (ingest.OpenDuties), with the same lock and exit codes.
func openDuties(ctx context.Context, e *env, cfg *config.Config) (*ingest.Duties, int) {
	logger := newLogger(e.stderr)
	d, err := locked(e, func(lock ingest.LockSpec) (*ingest.Duties, error) {
		return ingest.OpenDuties(ctx, cfg, logger, versionInfo, lock)
	})
	return opened(e, d, err)
}

// locked calls open with the command's lock holder, at once and, when
// another landingd holds the lock and the command may wait, again after
// saying so: a cycle can take a while.
func locked[T any](e *env, open func(ingest.LockSpec) (T, error)) (T, error) {
	lock := e.lock
	if lock.Holder == "" {
		lock = ingest.LockSpec{Holder: "landingd", Wait: defaultLockWait}
	}
	v, err := open(ingest.LockSpec{Holder: lock.Holder})
	if le := (*state.LockedError)(nil); errors.As(err, &le) && lock.Wait > 0 {
		fmt.Fprintf(e.stderr, "landingd: %v: waiting up to %s for it\n", le, lock.Wait)
		v, err = open(lock)
	}
	return v, err
}

// opened returns what was opened, or says why nothing was and returns
// the exit code (see openState).
func opened[T any](e *env, v T, err error) (T, int) {
	var zero T
	if errors.Is(err, ingest.ErrKey) {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return zero, exitUsage
	}
	if err != nil {
		return zero, stateFailed(e, err)
	}
	return v, exitOK
}

// stateFailed says why the state cannot be used and returns exitFailed.
// When another landingd holds the lock, it says what to do.
func stateFailed(e *env, err error) int {
	fmt.Fprintf(e.stderr, "landingd: %v\n", err)
	var le *state.LockedError
	switch {
	case errors.As(err, &le) && le.CycleRunning():
		fmt.Fprintln(e.stderr, "landingd: a cycle is running: try again when it ends, or wait longer with --wait")
	case errors.Is(err, state.ErrLocked):
		fmt.Fprintln(e.stderr, "landingd: another landingd command holds the state folder: try again when it ends")
	case errors.Is(err, ingest.ErrStateLost):
		fmt.Fprintln(e.stderr, "landingd: the state database was lost: restore landingd.db from the last backup (see the README), then run again")
	}
	return exitFailed
}

// unknownPartner says that id is no partner of cfg and lists the ids that
// are, so a district sees its own at once.
func unknownPartner(cfg *config.Config, id string) string {
	ids := make([]string, len(cfg.Partners))
	for i, p := range cfg.Partners {
		ids[i] = p.ID
	}
	return fmt.Sprintf("no partner %q in %s; the partners are: %s", id, cfg.Path, strings.Join(ids, ", "))
}
