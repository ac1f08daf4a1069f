//go:build faultinject

package ingest

import (
	"os"
	"strings"
	"time"
)

// FaultEnv names the variable that makes a binary built with the
// faultinject tag (tests only) fail while judging one file:
// "panic:NAME" panics in the judging goroutine, "exit:NAME" kills the
// process as an out-of-memory death would, "hang:NAME" never returns,
// "grow:NAME" allocates until something stops it. NAME is the file's name
// in its zone.
const FaultEnv = "LANDINGD_FAULT_JUDGE"

var sink [][]byte

func injectFault(name string) {
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
	case "grow":
		for {
			sink = append(sink, make([]byte, 1<<20))
			for i := range sink[len(sink)-1] {
				sink[len(sink)-1][i] = 1
			}
		}
	}
}
