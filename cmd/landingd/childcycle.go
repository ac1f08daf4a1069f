package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"

	"landingd/config"
	"landingd/ingest"
	"landingd/ingest/state"
)

// cycleExeEnv names another landingd binary to run cycles with; tests that
// drive serve in-process point it at a built binary.
const cycleExeEnv = "LANDINGD_CYCLE_EXE"

// childCycler runs each of serve's cycles as "landingd run" in a child
// process, which takes the state lock for the cycle, waiting up to
// cycleLockWait for a duty command that holds it. The child writes its
// logs to serve's stderr and its summary as JSON to a pipe.
// When ctx ends, the child gets SIGTERM, so it takes no new file and
// finishes the one being committed within shutdown_timeout, as a run does.
type childCycler struct {
	exe string
	cfg *config.Config
}

// cycleLockWait is how long a cycle waits for a duty command holding the
// state lock (a large erasure republishes many quarters): far longer than
// a command waits for a cycle, since a cycle that gives up runs again
// only on the next retry.
const cycleLockWait = time.Hour

func newChildCycler(e *env, cfg *config.Config) (*childCycler, error) {
	exe := e.getenv(cycleExeEnv)
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("find the landingd binary: %w", err)
		}
	}
	if strings.HasSuffix(exe, ".test") {
		// A test binary would run the tests again, not a cycle.
		return nil, fmt.Errorf("%s is a test binary: set %s to a landingd binary", exe, cycleExeEnv)
	}
	return &childCycler{exe: exe, cfg: cfg}, nil
}

func (c *childCycler) run(ctx context.Context, e *env, trigger state.Trigger, partners []string) (*ingest.Summary, error) {
	args := []string{"run", "--config", c.cfg.Path, "--trigger", string(trigger), "--summary-json", "--wait", cycleLockWait.String()}
	for _, p := range partners {
		args = append(args, "--partner", p)
	}
	cmd := exec.Command(c.exe, args...)
	cmd.SysProcAttr = childAttr()
	var out bytes.Buffer
	cmd.Stdout = &out
	last := &lastWords{}
	cmd.Stderr = io.MultiWriter(e.stderr, last)
	// The parent-death signal follows the thread that started the child:
	// start it from a thread that stays.
	runtime.LockOSThread()
	err := cmd.Start()
	runtime.UnlockOSThread()
	if err != nil {
		return nil, fmt.Errorf("start cycle process: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = cmd.Process.Signal(syscall.SIGTERM)
		budget := c.cfg.ShutdownTimeout.Duration
		if budget <= 0 {
			budget = 30 * time.Second
		}
		select {
		case err = <-done:
		case <-time.After(budget + 5*time.Second):
			_ = cmd.Process.Kill()
			err = <-done
		}
	}
	var sum ingest.Summary
	if jerr := json.Unmarshal(out.Bytes(), &sum); jerr != nil || sum.RunID == "" {
		if err == nil {
			err = fmt.Errorf("read cycle summary: %w", jerr)
		}
		// The process died before it reported: the caller records the
		// death (ingest.Runner.RecoverCrash) and runs the cycle again.
		return nil, &ingest.CycleDied{Cause: last.cause(err)}
	}
	// Exit 1 is a cycle whose zone or output failed: the summary says so.
	return &sum, nil
}

// lastWords keeps the last lines a cycle process wrote to stderr that say
// why it died: the Go runtime's "fatal error: ..." or "panic: ..." line,
// or the watchdog's "landingd: judging ..." line. Log lines (JSON) are
// not kept. It keeps at most a few short lines, so a dying process's
// output never grows the parent.
type lastWords struct {
	partial []byte
	lines   []string
}

func (l *lastWords) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(l.partial) < 512 {
				l.partial = append(l.partial, p[:min(len(p), 512-len(l.partial))]...)
			}
			break
		}
		line := p[:i]
		if len(l.partial) > 0 {
			line = append(l.partial, line[:min(len(line), 512)]...)
			l.partial = l.partial[:0]
		}
		l.keep(string(line))
		p = p[i+1:]
	}
	return n, nil
}

func (l *lastWords) keep(line string) {
	line = strings.TrimSpace(line)
	switch {
	case strings.HasPrefix(line, "fatal error:"), strings.HasPrefix(line, "runtime: out of memory"):
	case strings.HasPrefix(line, "panic: runtime error:"):
	case strings.HasPrefix(line, "panic:"):
		// Only the runtime's own panic texts are kept: another could
		// quote a value from the file.
		line = "panic"
	case strings.HasPrefix(line, "landingd: judging "):
		// The watchdog's line names the files, escaped for a terminal.
		// The crash's text names them from the ledger, and every output
		// escapes that, so only the reason is kept: a name kept here
		// would be shown escaped twice.
		// The reason follows the names, so it is the last of the two
		// phrases: a name may hold either.
		rest := strings.TrimPrefix(line, "landingd: judging ")
		line = "judging stopped by the watchdog"
		if i := max(strings.LastIndex(rest, " took longer than "), strings.LastIndex(rest, " used more than ")); i >= 0 {
			line = "judging" + rest[i:]
		}
	default:
		return
	}
	if len(line) > 200 {
		line = line[:200]
	}
	if len(l.lines) < 3 {
		l.lines = append(l.lines, line)
	}
}

// cause describes a death: the process's exit error and its last words.
func (l *lastWords) cause(err error) string {
	s := strings.TrimPrefix(err.Error(), "read cycle summary: ")
	if len(l.lines) > 0 {
		s += ": " + strings.Join(l.lines, "; ")
	}
	return s
}
