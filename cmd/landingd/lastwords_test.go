package main

import (
	"errors"
	"strings"
	"testing"
)

// lastWords keeps only the lines that say why a cycle process died, and
// never a file's name or a value from it.
func TestLastWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		stderr string
		want   string
	}{
		{"out of memory", "{\"msg\":\"file judged\"}\nfatal error: out of memory\n", "exit status 2: fatal error: out of memory"},
		{"runtime panic", "panic: runtime error: index out of range [3] with length 3\n", "exit status 2: panic: runtime error: index out of range [3] with length 3"},
		{"other panic", "panic: bad code \"SECRET\"\n", "exit status 2: panic"},
		{"log lines only", "{\"msg\":\"cycle started\"}\n", "exit status 2"},
		{"watchdog time", "landingd: judging basildon: q4\\x1b[2J.xlsx took longer than 1m0s: stopping the process so that the file is quarantined\n",
			"exit status 2: judging took longer than 1m0s: stopping the process so that the file is quarantined"},
		{"watchdog memory", "landingd: judging basildon: a.xlsx, harlow: b.csv used more than 512 MiB: stopping the process so that the file is quarantined\n",
			"exit status 2: judging used more than 512 MiB: stopping the process so that the file is quarantined"},
		{"watchdog memory, name holds the other reason", "landingd: judging basildon: q4 took longer than SECRET.xlsx used more than 512 MiB: stopping the process so that the file is quarantined\n",
			"exit status 2: judging used more than 512 MiB: stopping the process so that the file is quarantined"},
		{"split writes", "fatal err", "exit status 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l lastWords
			// Written in small pieces, as a pipe may deliver them.
			for s := tt.stderr; s != ""; {
				n := min(7, len(s))
				if _, err := l.Write([]byte(s[:n])); err != nil {
					t.Fatal(err)
				}
				s = s[n:]
			}
			got := l.cause(errors.New("exit status 2"))
			if got != tt.want {
				t.Errorf("cause = %q, want %q", got, tt.want)
			}
			for _, leak := range []string{"basildon", "q4", "SECRET", "\x1b"} {
				if strings.Contains(got, leak) {
					t.Errorf("cause %q holds %q", got, leak)
				}
			}
		})
	}
}
