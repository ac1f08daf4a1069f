//go:build faultinject

package ingest

import (
	"context"
	"os"
	"strings"
	"time"
)

// FaultEnv names the variable that makes a binary built with the
// faultinject tag (tests only) fail while judging one file:
// "panic:NAME" panics in the judging goroutine, "exit:NAME" kills the
// process as an out-of-memory death would, "hang:NAME" never returns,
// "grow:NAME" allocates until something stops it, "stall:NAME" waits until
// the judging context ends and then lets the judge go on (a slow reader
// that honours its context; it says "fault: stalling" on stderr when it
// begins). NAME is the file's name in its zone.
const FaultEnv = "LANDINGD_FAULT_JUDGE"

var sink [][]byte

func injectFault(ctx context.Context, name string) {
	kind, target, ok := strings.Cut(os.Getenv(FaultEnv), ":")
	if !ok || target != name {
		return
	}
	switch kind {
	case "panic":
		panic("injected fault")
	case "exit":
		os.Stderr.WriteString("fatal error: out of memory\n")
		os.Exit(2)
	case "hang":
		for {
			time.Sleep(time.Hour)
		}
	case "stall":
		os.Stderr.WriteString("fault: stalling\n")
		<-ctx.Done()
	case "grow":
		for {
			sink = append(sink, make([]byte, 1<<20))
			for i := range sink[len(sink)-1] {
				sink[len(sink)-1][i] = 1
			}
		}
	}
}
