package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"landingd/ingest"
	"landingd/ingest/daemon"
	"landingd/transform"
	"landingd/transform/synth"
)

// rawControl returns the first character in out that must not reach an
// operator's screen as it is (a control other than the line's own newline
// and tab, a format character such as a bidirectional override, a line or
// paragraph separator), or -1.
func rawControl(out string) rune {
	for _, r := range out {
		if r == '\n' || r == '\t' {
			continue
		}
		if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) {
			return r
		}
	}
	return -1
}

// A file whose name holds terminal escapes, C1 controls, bidirectional
// overrides and a newline (a local zone cannot hold a NUL in a name; the
// log handler's own test covers it) goes through a real cycle, with an
// extra column whose heading is as hostile, so that it is rejected and
// opens a breach incident. No raw control character reaches the log, the
// cycle summary, status and status --json, incidents and incidents --json,
// audit show and audit show --json, the status page or the webhook's
// alerts; and each of those that shows the name shows it.
func TestHostileNameIsEscapedInEveryOutput(t *testing.T) {
	t.Parallel()
	proto := protocolCopy(t, 0o600)
	dir := filepath.Dir(proto)

	var mu sync.Mutex
	var hooks []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hooks = append(hooks, string(b))
		mu.Unlock()
	}))
	defer srv.Close()
	writeFile(t, dir, "hook.url", srv.URL+"\n")
	raw, err := os.ReadFile(proto)
	must(t, err)
	text := strings.Replace(string(raw), "stable_after: 60s", "stable_after: 0s", 1)
	text = strings.Replace(text, "alerts: {}", "alerts: {webhook_url_file: hook.url}", 1)
	writeFile(t, dir, "protocol.yaml", text)

	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	cfg, code := loadProtocol(e, proto)
	if code != exitOK {
		t.Fatalf("load: %s", stderr.String())
	}
	for _, p := range cfg.Partners {
		must(t, os.MkdirAll(p.Landing.Local.Path, 0o700))
	}
	schema, err := transform.LoadSchema(cfg.SchemaData)
	must(t, err)
	harlow, _ := cfg.Partner("harlow")
	d, _ := synth.DistrictByID("harlow")
	const marker = "evil"
	name := "harlow_\x1b[2J\x1b[H\u009b31m\u202egsx.\u2066" + marker + "\u2069\u0085\nq4_with_nino.csv"
	must(t, synth.WriteFile(filepath.Join(harlow.Landing.Local.Path, name), schema,
		synth.Spec{District: d, Quarters: []string{transform.LastCompletedQuarter(time.Now())}, Rows: 20, DAShare: 1,
			Format: "csv", Extra: []string{"nino", "x\x1b]0;title\x07\u202e"}, Seed: 9}))

	outputs := map[string]string{}
	collect := func(label string, wantName bool, args ...string) {
		t.Helper()
		code, out, errOut := runCmd(t, args...)
		if code != exitOK && code != exitFailed {
			t.Fatalf("%s: exit %d\n%s", label, code, errOut)
		}
		outputs[label+" stdout"] = out
		outputs[label+" stderr"] = errOut
		if wantName && !strings.Contains(out+errOut, marker) {
			t.Errorf("%s does not show the file's name:\n%s\n%s", label, out, errOut)
		}
	}
	collect("run", true, "run", "--config", proto)
	if !strings.Contains(outputs["run stderr"], `"object":"harlow_\\x1b[2J`) {
		t.Errorf("the log does not name the file escaped:\n%s", outputs["run stderr"])
	}
	collect("status", false, "status", "--config", proto)
	collect("status --json", true, "status", "--config", proto, "--json")
	collect("incidents", true, "incidents", "--config", proto)
	collect("incidents --json", true, "incidents", "--config", proto, "--json")
	collect("audit show", true, "audit", "show", "--config", proto)
	collect("audit show --json", true, "audit", "show", "--config", proto, "--json")

	// The JSON outputs that keep a record exactly still decode to the
	// name itself.
	var views []incidentView
	must(t, json.Unmarshal([]byte(outputs["incidents --json stdout"]), &views))
	if len(views) != 1 || views[0].Object != name {
		t.Errorf("incidents --json = %+v, want one incident on %q", views, name)
	}

	// The service owns a Runner, which holds the state lock: every
	// command above has ended.
	r, err := ingest.Open(context.Background(), cfg, newLogger(io.Discard), versionInfo)
	must(t, err)
	defer r.Close()
	s, err := daemon.New(r, newLogger(io.Discard))
	must(t, err)
	for _, path := range []string{"/", "/api/status"} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
		}
		outputs["GET "+path] = rec.Body.String()
		if !strings.Contains(rec.Body.String(), marker) {
			t.Errorf("GET %s does not show the file's name", path)
		}
	}

	mu.Lock()
	outputs["webhook"] = strings.Join(hooks, "\n")
	mu.Unlock()
	if !strings.Contains(outputs["webhook"], marker) {
		t.Errorf("no alert names the file: %q", outputs["webhook"])
	}

	for label, out := range outputs {
		if r := rawControl(out); r >= 0 {
			t.Errorf("%s holds a raw %U:\n%s", label, r, out)
		}
	}
}

// validate and prepare show a file name with control characters in it
// escaped, in their text, their errors and validate's JSON.
func TestValidateAndPrepareEscapeNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := "q4\x1b[2J\u009b31m\u202egsx\n.csv"
	file := writeFile(t, dir, name, validateHeader+"E07000066,2025-12-31,A1,2025-10-01,da_victim,single_f,30,F\n")
	out := filepath.Join(dir, "out\x1b[H.csv")
	for _, args := range [][]string{
		{"validate", "--partner", "basildon", file},
		{"validate", "--partner", "basildon", "--json", file},
		{"validate", "--partner", "basildon", filepath.Join(dir, "missing\x1b[H.csv")},
		{"prepare", "--partner", "basildon", "--quarter", "2025Q4", "--out", out, file},
		{"prepare", "--partner", "basildon", "--out", filepath.Join(dir, "b.csv"), filepath.Join(dir, "missing\x1b[H.csv")},
	} {
		_, stdout, stderr := runCmd(t, args...)
		if r := rawControl(stdout + stderr); r >= 0 {
			t.Errorf("%q: output holds a raw %U:\n%s\n%s", args, r, stdout, stderr)
		}
		if !strings.Contains(stdout+stderr, `\x1b`) && !strings.Contains(stdout+stderr, `\u001b`) {
			t.Errorf("%q: output does not show the name:\n%s\n%s", args, stdout, stderr)
		}
		if strings.Contains(stdout+stderr, `\\x1b`) || strings.Contains(stdout+stderr, `\\u001b`) {
			t.Errorf("%q: output escapes a name twice:\n%s\n%s", args, stdout, stderr)
		}
	}
}
