package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"landingd/config"
	"landingd/ingest"
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

func (c *childCycler) run(ctx context.Context, e *env, trigger string, partners []string) (*ingest.Summary, error) {
	args := []string{"run", "--config", c.cfg.Path, "--trigger", trigger, "--summary-json", "--wait", cycleLockWait.String()}
	for _, p := range partners {
		args = append(args, "--partner", p)
	}
	cmd := exec.Command(c.exe, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = e.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start cycle process: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
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
		case <-time.After(budget + 15*time.Second):
			_ = cmd.Process.Kill()
			err = <-done
		}
	}
	var sum ingest.Summary
	if jerr := json.Unmarshal(out.Bytes(), &sum); jerr != nil || sum.RunID == "" {
		if err == nil {
			err = fmt.Errorf("read cycle summary: %w", jerr)
		}
		return nil, fmt.Errorf("cycle process: %w", err)
	}
	// Exit 1 is a cycle whose zone or output failed: the summary says so.
	return &sum, nil
}
