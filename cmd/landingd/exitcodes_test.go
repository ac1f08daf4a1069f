package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"landingd/config"
	"landingd/ingest/state"
)

// protocolCommand is a command that takes --config, as the exit-code table
// calls it.
type protocolCommand struct {
	args    []string // the command and its own arguments, without --config
	files   []string // arguments that come after every flag
	builtin bool     // without --config it uses the built-in protocol
	key     bool     // it reads the pseudonymisation key
	state   string   // "" (it never opens the state database), "read" or "write" (it takes the lock)
}

// caseRefValue is the case_ref the case commands are given; it must never
// be printed.
const caseRefValue = "SECRET-REF-0001"

// protocolCommands lists every command that takes --config. The test
// below fails when a registered command takes --config and is missing
// here.
func protocolCommands(file string) map[string]protocolCommand {
	caseArgs := []string{"--partner", "basildon", "--case-ref", caseRefValue}
	reason := []string{"--reason", "REQ-1"}
	return map[string]protocolCommand{
		"run":          {args: []string{"run"}, key: true, state: "write"},
		"serve":        {args: []string{"serve"}, key: true, state: "write"},
		"status":       {args: []string{"status"}, state: "read"},
		"register":     {args: []string{"register"}, state: "read"},
		"config check": {args: []string{"config", "check"}},
		"fields":       {args: []string{"fields"}, builtin: true},
		"validate":     {args: []string{"validate"}, files: []string{file}, builtin: true}, // reads no key
		"prepare": {args: []string{"prepare", "--partner", "basildon", "--out", filepath.Join(filepath.Dir(file), "prepared.csv")},
			files: []string{file}, builtin: true},
		"audit verify":    {args: []string{"audit", "verify"}, state: "read"},
		"audit show":      {args: []string{"audit", "show"}},
		"audit repair":    {args: []string{"audit", "repair"}, state: "lock"},
		"erase":           {args: append(append([]string{"erase"}, caseArgs...), reason...), key: true, state: "write"},
		"restrict":        {args: append(append([]string{"restrict"}, caseArgs...), reason...), key: true, state: "write"},
		"unrestrict":      {args: append(append([]string{"unrestrict"}, caseArgs...), reason...), key: true, state: "write"},
		"export-case":     {args: append([]string{"export-case"}, caseArgs...), key: true, state: "read"},
		"purge":           {args: []string{"purge"}, key: true, state: "write"},
		"purge --dry-run": {args: []string{"purge", "--dry-run"}, key: true, state: "read"},
		"incidents":       {args: []string{"incidents"}, key: true, state: "read"},
		"incidents ack":   {args: []string{"incidents", "ack", "INC-2026-0001", "--partners-notified", "now"}, key: true, state: "write"},
		"incidents close": {args: []string{"incidents", "close", "INC-2026-0001", "--note", "contained"}, key: true, state: "write"},
	}
}

// TestProtocolExitCodes holds every command that takes --config to the
// rule in main.go: 2 when the invocation or the protocol is wrong, 1 when
// the state cannot be used, with stderr naming the problem.
func TestProtocolExitCodes(t *testing.T) {
	t.Parallel()
	type setup struct {
		protocol string // the demo's protocol file
		state    string // its state folder
	}
	tests := []struct {
		name string
		// applies says whether the case concerns the command.
		applies func(c protocolCommand) bool
		// prepare changes the demo folder and returns the arguments to
		// add (--config and its value, or none) and what to release once
		// the command has run.
		prepare func(t *testing.T, s setup) (args []string, release func())
		code    int
		want    string // in stderr
		ownForm bool   // the line naming it reads "landingd: ..."
	}{
		{
			name:    "no --config",
			applies: func(c protocolCommand) bool { return !c.builtin },
			prepare: func(t *testing.T, s setup) ([]string, func()) { return nil, nil },
			code:    exitUsage, want: "--config PROTOCOL is required", ownForm: true,
		},
		{
			name:    "bad flag",
			applies: func(protocolCommand) bool { return true },
			prepare: func(t *testing.T, s setup) ([]string, func()) {
				return []string{"--config", s.protocol, "--bogus"}, nil
			},
			code: exitUsage, want: "-bogus",
		},
		{
			name:    "missing protocol",
			applies: func(protocolCommand) bool { return true },
			prepare: func(t *testing.T, s setup) ([]string, func()) {
				return []string{"--config", filepath.Join(filepath.Dir(s.protocol), "missing.yaml")}, nil
			},
			code: exitUsage, want: "missing.yaml: no such file", ownForm: true,
		},
		{
			name:    "invalid protocol",
			applies: func(protocolCommand) bool { return true },
			prepare: func(t *testing.T, s setup) ([]string, func()) {
				editFile(t, s.protocol, "max_row_error_rate: 0.05", "max_row_error_rate: lots")
				return []string{"--config", s.protocol}, nil
			},
			code: exitUsage, want: "max_row_error_rate", ownForm: true,
		},
		{
			name:    "invalid field list",
			applies: func(protocolCommand) bool { return true },
			prepare: func(t *testing.T, s setup) ([]string, func()) {
				must(t, os.WriteFile(filepath.Join(filepath.Dir(s.protocol), "hclic-da.schema.json"), []byte("{"), 0o600))
				return []string{"--config", s.protocol}, nil
			},
			code: exitUsage, want: "load field list", ownForm: true,
		},
		{
			name:    "unreadable key",
			applies: func(c protocolCommand) bool { return c.key },
			prepare: func(t *testing.T, s setup) ([]string, func()) {
				must(t, os.Remove(filepath.Join(filepath.Dir(s.protocol), "keys", "pseudonym.key")))
				return []string{"--config", s.protocol}, nil
			},
			code: exitUsage, want: "load pseudonymisation key", ownForm: true,
		},
		{
			name:    "state locked by another landingd",
			applies: func(c protocolCommand) bool { return c.state == "write" || c.state == "lock" },
			prepare: func(t *testing.T, s setup) ([]string, func()) {
				must(t, os.MkdirAll(s.state, 0o700))
				unlock, err := state.Lock(context.Background(), s.state, "run", 0)
				must(t, err)
				return []string{"--config", s.protocol, "--wait", "0s"}, func() { must(t, unlock()) }
			},
			code: exitFailed, want: "state folder in use by PID", ownForm: true,
		},
		{
			name:    "another serve on the state folder",
			applies: func(c protocolCommand) bool { return c.args[0] == "serve" },
			prepare: func(t *testing.T, s setup) ([]string, func()) {
				must(t, os.MkdirAll(s.state, 0o700))
				unlock, err := state.LockServe(s.state)
				must(t, err)
				return []string{"--config", s.protocol}, func() { must(t, unlock()) }
			},
			code: exitFailed, want: "another landingd serve is serving this state folder", ownForm: true,
		},
		{
			name:    "state from a newer landingd",
			applies: func(c protocolCommand) bool { return c.state == "write" || c.state == "read" },
			prepare: func(t *testing.T, s setup) ([]string, func()) {
				newerState(t, s.state)
				return []string{"--config", s.protocol}, nil
			},
			code: exitFailed, want: "newer than this landingd", ownForm: true,
		},
	}

	valid := writeFile(t, t.TempDir(), "basildon.csv", validateHeader+
		"E07000066,2025-12-31,SECRET-0001,2025-11-03,da_victim,single_female,34,female\n")
	cmds := protocolCommands(valid)
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, tt := range tests {
		for _, name := range names {
			c := cmds[name]
			if !tt.applies(c) {
				continue
			}
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				if err := writeDemo(dir, 5, time.Now()); err != nil {
					t.Fatal(err)
				}
				protocol := filepath.Join(dir, "protocol.yaml")
				cfg, err := config.Load(protocol)
				must(t, err)
				extra, release := tt.prepare(t, setup{protocol: protocol, state: cfg.State})
				args := append(append(append([]string(nil), c.args...), extra...), c.files...)
				// A command that got past its checks by mistake (serve
				// above all) must not hold the test.
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				var stdout, stderr bytes.Buffer
				code := realMain(ctx, &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}, args)
				if release != nil {
					release()
				}
				if code != tt.code {
					t.Errorf("landingd %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, tt.code, stdout.String(), stderr.String())
				}
				line := lineWith(stderr.String(), tt.want)
				switch {
				case line == "":
					t.Errorf("stderr does not name the problem (%q):\n%s", tt.want, stderr.String())
				case tt.ownForm && !strings.HasPrefix(line, "landingd: "):
					t.Errorf("stderr line %q does not read \"landingd: <op> <object>: <cause>\"", line)
				}
				if strings.Contains(stdout.String()+stderr.String(), caseRefValue) {
					t.Error("the output holds the case_ref")
				}
			})
		}
	}
}

// TestProtocolCommandsListed fails when a command takes --config but the
// exit-code table above does not call it.
func TestProtocolCommandsListed(t *testing.T) {
	t.Parallel()
	listed := protocolCommands("f.csv")
	for name := range commands {
		var stdout, stderr bytes.Buffer
		realMain(context.Background(), &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }},
			append(strings.Fields(name), "-h"))
		takesConfig := strings.Contains(stderr.String(), "-config")
		if _, ok := listed[name]; takesConfig && !ok {
			t.Errorf("%q takes --config but TestProtocolExitCodes does not run it", name)
		}
		if _, ok := listed[name]; ok && !takesConfig {
			t.Errorf("%q is in TestProtocolExitCodes but its help shows no --config:\n%s", name, stderr.String())
		}
	}
}

// editFile replaces old with new in the file at path, once; the test
// fails when old is not there.
func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	edited := strings.Replace(string(b), old, new, 1)
	if edited == string(b) {
		t.Fatalf("%s holds no %q", path, old)
	}
	must(t, os.WriteFile(path, []byte(edited), 0o600))
}

// newerState leaves a state database in dir that a newer landingd wrote:
// its schema version is above this binary's.
func newerState(t *testing.T, dir string) {
	t.Helper()
	must(t, os.MkdirAll(dir, 0o700))
	path := filepath.Join(dir, state.FileName)
	db, err := state.Open(context.Background(), path)
	must(t, err)
	must(t, db.Close())
	raw, err := sql.Open("sqlite", path)
	must(t, err)
	defer raw.Close()
	if _, err := raw.Exec("PRAGMA user_version = 9999"); err != nil {
		t.Fatal(err)
	}
}

// lineWith returns the first line of s that holds want, or "".
func lineWith(s, want string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, want) {
			return l
		}
	}
	return ""
}

// TestBinaryExitCodes runs the binary itself, so that main's exit status
// is the code realMain returned; it is cheap enough for the fast tier.
func TestBinaryExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := writeFile(t, dir, "basildon.csv", validateHeader+
		"E07000066,2025-12-31,SECRET-0001,2025-11-03,da_victim,single_female,34,female\n")
	bad := writeFile(t, dir, "old.xls", "not really")
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout or stderr
	}{
		{"version", []string{"version"}, exitOK, versionInfo},
		{"accepted", []string{"validate", good}, exitOK, "accepted"},
		{"rejected", []string{"validate", bad}, exitFailed, "rejected"},
		{"no command", nil, exitUsage, "usage: landingd"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"no --config", []string{"run"}, exitUsage, "--config PROTOCOL is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runBin(t, dir, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.want) {
				t.Errorf("landingd %s: exit %d, want %d naming %q\nstdout: %s\nstderr: %s",
					strings.Join(tt.args, " "), r.code, tt.code, tt.want, r.stdout, r.stderr)
			}
		})
	}
}
