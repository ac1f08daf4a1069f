package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"landingd/config"
	"landingd/ingest/state"
	"landingd/internal/testtier"
	"landingd/transform"
	"landingd/transform/synth"
)

// lockedBuffer is a stderr that the test reads while serve writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveDemo writes a demo folder whose protocol cycles every second and
// listens on a free loopback port; edit changes the protocol text more.
func serveDemo(t *testing.T, rows int, edit func(string) string) (dir, protocol string) {
	t.Helper()
	dir = t.TempDir()
	if err := writeDemo(dir, rows, time.Now()); err != nil {
		t.Fatal(err)
	}
	protocol = filepath.Join(dir, "protocol.yaml")
	b, err := os.ReadFile(protocol)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), `cron: "0 6 7 1,4,7,10 *"`, `cron: "* * * * * *"`, 1)
	text = strings.Replace(text, "listen: 127.0.0.1:8080", "listen: 127.0.0.1:0", 1)
	if edit != nil {
		text = edit(text)
	}
	if err := os.WriteFile(protocol, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, protocol
}

var servingAddr = regexp.MustCompile(`"msg":"serving","addr":"([^"]+)"`)

// waitFor polls cond every 50 ms for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runningServe is a serve running in process, each cycle a child
// "landingd run" of the built binary.
type runningServe struct {
	base   string // http://addr it serves on
	stderr *lockedBuffer
	done   chan int
	cancel context.CancelFunc
}

// startServe starts serve with args and waits for its serving line.
func startServe(t *testing.T, args ...string) *runningServe {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := &runningServe{stderr: &lockedBuffer{}, done: make(chan int, 1), cancel: cancel}
	bin := landingdBin(t)
	getenv := func(k string) string {
		if k == cycleExeEnv {
			return bin
		}
		return ""
	}
	go func() {
		s.done <- realMain(ctx, &env{stdout: io.Discard, stderr: s.stderr, getenv: getenv}, append([]string{"serve"}, args...))
	}()
	waitFor(t, "the serving line", func() bool {
		m := servingAddr.FindStringSubmatch(s.stderr.String())
		if m != nil {
			s.base = "http://" + m[1]
		}
		select {
		case code := <-s.done:
			t.Fatalf("serve exited %d before serving:\n%s", code, s.stderr.String())
		default:
		}
		return m != nil
	})
	return s
}

// stop ends serve's context and wants it to exit 0 within a minute.
func (s *runningServe) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		if code != exitOK {
			t.Errorf("serve exit = %d, want 0\n%s", code, s.stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop within a minute of its context ending")
	}
}

func httpGet(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeRunsCyclesAndStops(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	const token = "serve-test-token-of-32-characters"
	_, protocol := serveDemo(t, 20, func(s string) string {
		return strings.Replace(s, "listen: 127.0.0.1:0", "listen: 127.0.0.1:0\n    token_file: http.token", 1)
	})
	if err := os.WriteFile(filepath.Join(filepath.Dir(protocol), "http.token"), []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, "--config", protocol)
	base, stderr := srv.base, srv.stderr
	if code, _ := httpGet(t, base+"/healthz", ""); code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	if code, _ := httpGet(t, base+"/metrics", ""); code != 401 {
		t.Errorf("/metrics without the token = %d, want 401", code)
	}
	// A fresh state catches up at once, then cycles every second.
	waitFor(t, "three cycles", func() bool {
		_, body := httpGet(t, base+"/metrics", token)
		m := regexp.MustCompile(`landingd_cycles_total\{outcome="ok",protocol="da-needs-assessment"\} (\d+)`).FindStringSubmatch(body)
		n := 0
		if m != nil {
			n, _ = strconv.Atoi(m[1])
		}
		return n >= 3
	})
	code, body := httpGet(t, base+"/api/p/da-needs-assessment/status", token)
	var st struct {
		LastRun struct{ Trigger string } `json:"last_run"`
	}
	if err := json.Unmarshal([]byte(body), &st); code != 200 || err != nil || st.LastRun.Trigger != "schedule" {
		t.Errorf("/api/p/da-needs-assessment/status = %d %v %q", code, err, body)
	}
	if code, body := httpGet(t, base+"/", token); code != 200 || !strings.Contains(body, `href="/p/da-needs-assessment/"`) {
		t.Errorf("/ = %d, want the register linking the protocol's page:\n%s", code, body)
	}
	// A second serve is refused; a manual run takes the state lock
	// between serve's cycles.
	var out2, err2 bytes.Buffer
	if code := realMain(context.Background(), &env{stdout: &out2, stderr: &err2, getenv: os.Getenv},
		[]string{"serve", "--config", protocol}); code != exitFailed || !strings.Contains(err2.String(), "another landingd serve") {
		t.Errorf("a second serve = %d, %s", code, err2.String())
	}
	out2.Reset()
	err2.Reset()
	if code := realMain(context.Background(), &env{stdout: &out2, stderr: &err2, getenv: os.Getenv},
		[]string{"run", "--config", protocol}); code != exitOK {
		t.Errorf("run while serving = %d, %s", code, err2.String())
	}

	srv.stop(t)
	if !strings.Contains(stderr.String(), `"msg":"stopped cleanly"`) {
		t.Errorf("no clean stop in the log")
	}
	if strings.Contains(stderr.String(), token) {
		t.Error("the token is in the log")
	}
}

func TestServeConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(string) string
		want string
	}{
		{"unsafe bind", func(s string) string {
			return strings.Replace(s, "listen: 127.0.0.1:0", "listen: 0.0.0.0:8080", 1)
		}, "http.token_file is required"},
		{"missing token file", func(s string) string {
			return strings.Replace(s, "listen: 127.0.0.1:0", "listen: 127.0.0.1:0\n    token_file: nowhere.token", 1)
		}, "http.token_file"},
		{"webhook variable unset", func(s string) string {
			return strings.Replace(s, "alerts: {}", "alerts: {webhook_url_env: LANDINGD_TEST_UNSET_HOOK}", 1)
		}, "LANDINGD_TEST_UNSET_HOOK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, protocol := serveDemo(t, 5, tt.edit)
			var stdout, stderr bytes.Buffer
			code := realMain(context.Background(), &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }},
				[]string{"serve", "--config", protocol})
			if code != exitUsage || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("serve = %d, stderr %q; want 2 and %q", code, stderr.String(), tt.want)
			}
		})
	}
}

// TestServeSIGTERMDuringCycle stops the built binary with SIGTERM while
// a cycle is taking files, and checks that nothing is left half-written:
// no temporary file, every ledger entry disposed of, and a following run
// takes the rest cleanly.
func TestServeSIGTERMDuringCycle(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	bin := landingdBin(t)
	dir, protocol := serveDemo(t, 6000, func(s string) string {
		// A year-long schedule: only the catch-up cycle runs.
		return strings.Replace(s, `cron: "* * * * * *"`, `cron: "0 0 1 1 *"`, 1)
	})
	cmd := exec.Command(bin, "serve", "--config", protocol)
	cmd.Dir = dir
	stderrPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logMu sync.Mutex
	var logText strings.Builder
	judged := make(chan struct{}, 1)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(stderrPipe)
		for sc.Scan() {
			logMu.Lock()
			logText.WriteString(sc.Text() + "\n")
			logMu.Unlock()
			if strings.Contains(sc.Text(), `"msg":"file judged"`) {
				select {
				case judged <- struct{}{}:
				default:
				}
			}
		}
	}()
	select {
	case <-judged:
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("no file was judged within two minutes")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	// Wait closes the pipe: read it to the end first, or the last lines
	// can be lost.
	go func() { <-readDone; errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		logMu.Lock()
		logs := logText.String()
		logMu.Unlock()
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, logs)
		}
		if !strings.Contains(logs, `"msg":"stopped cleanly"`) {
			t.Errorf("no clean stop in the log:\n%s", logs)
		}
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("serve did not exit within two minutes of SIGTERM")
	}

	cfg, err := config.Load(protocol)
	if err != nil {
		t.Fatal(err)
	}
	// No temporary file anywhere: outputs, state, zones.
	err = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		base := info.Name()
		if strings.HasPrefix(base, ".landingd-") || strings.HasPrefix(base, ".spool-") || strings.HasSuffix(base, ".tmp") {
			t.Errorf("half-written file left: %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := state.Open(context.Background(), filepath.Join(cfg.State, state.FileName))
	if err != nil {
		t.Fatal(err)
	}
	taken := 0
	for _, p := range cfg.Partners {
		un, err := db.Undisposed(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range un {
			t.Errorf("%s: %s committed but not moved", p.ID, o.Name)
		}
		ents, _ := os.ReadDir(filepath.Join(p.Landing.Local.Path, "processed"))
		for _, e := range ents {
			if !strings.HasSuffix(e.Name(), ".report.txt") {
				taken++
			}
		}
	}
	last, ok, err := db.LastRun(context.Background())
	db.Close()
	if err != nil || !ok || last.Outcome != state.RunStopped {
		t.Errorf("the cycle cut short was not recorded as stopped: %+v %v %v", last, ok, err)
	}
	t.Logf("%d of 15 files were taken before the stop", taken)
	// A manual run takes what was left and exits 0.
	res := runBin(t, dir, "run", "--config", protocol)
	if res.code != 0 {
		t.Fatalf("run after the stop = %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	for _, p := range cfg.Partners {
		ents, _ := os.ReadDir(p.Landing.Local.Path)
		for _, e := range ents {
			if !e.IsDir() {
				t.Errorf("%s still has %s at the top after the run", p.ID, e.Name())
			}
		}
	}
	assertNoRawCaseRefs(t, dir, func(path string) bool {
		return strings.Contains(path, string(filepath.Separator)+"landing"+string(filepath.Separator))
	})
}

// TestServeTwoProtocols runs the two shipped protocols, as the demo
// writes them, in one serve: each cycles on its own schedule into its own
// output, the register lists both with their review status, and an
// output made read-only fails that protocol's cycles alone.
func TestServeTwoProtocols(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve with child cycles: full suite only")
	}
	_, one := serveDemo(t, 10, nil)
	if _, err := writeExampleDemo(filepath.Dir(one), 10, time.Now()); err != nil {
		t.Fatal(err)
	}
	two := filepath.Join(filepath.Dir(one), exampleDemoFile)
	editFile(t, two, `cron: "0 7 14 1,4,7,10 *"`, `cron: "*/2 * * * * *"`)
	editFile(t, two, "listen: 127.0.0.1:8080", "listen: 127.0.0.1:0")
	editFile(t, two, "review_date: 2027-03-31", "review_date: 2020-01-31")
	cfgTwo, err := config.Load(two)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, "--config", one, "--config", two, "--title", "Whole Essex")
	base, stderr := srv.base, srv.stderr
	count := func(body, protocol, outcome string) int {
		m := regexp.MustCompile(`landingd_cycles_total\{outcome="` + outcome + `",protocol="` + protocol + `"\} (\d+)`).FindStringSubmatch(body)
		n := 0
		if m != nil {
			n, _ = strconv.Atoi(m[1])
		}
		return n
	}
	waitFor(t, "a cycle of each protocol", func() bool {
		_, body := httpGet(t, base+"/metrics", "")
		return count(body, "da-needs-assessment", "ok") >= 1 && count(body, "safeguarding-adults", "ok") >= 1
	})
	// The second protocol's output goes: a file stands where its folder
	// was (read-only folders do not stop root), so its cycles fail.
	must(t, os.RemoveAll(cfgTwo.Output.Local.Path))
	must(t, os.WriteFile(cfgTwo.Output.Local.Path, nil, 0o400))
	// A new file for the second protocol: its quarter must be published.
	schemaTwo, err := transform.LoadSchema(cfgTwo.SchemaData)
	must(t, err)
	essex, _ := cfgTwo.Partner("essex")
	must(t, synth.WriteFile(filepath.Join(essex.Landing.Local.Path, "essex_late.csv"), schemaTwo, synth.Spec{
		District: synth.District{ID: essex.ID, Name: essex.Name, GSS: essex.GSS}, Quarters: []string{transform.LastCompletedQuarter(time.Now())},
		Rows: 5, Filter: synth.Filter{Field: cfgTwo.Filter.Field, Keep: cfgTwo.Filter.Keep}, Seed: 9, CaseOffset: 1_000_000}))
	_, body := httpGet(t, base+"/metrics", "")
	okOne, okTwo := count(body, "da-needs-assessment", "ok"), count(body, "safeguarding-adults", "ok")
	deadline := time.Now().Add(time.Minute)
	for {
		_, body := httpGet(t, base+"/metrics", "")
		// A cycle whose child cannot open the output counts as an
		// error, one whose publishing fails as failed.
		if count(body, "safeguarding-adults", "failed")+count(body, "safeguarding-adults", "error") >= 2 && count(body, "da-needs-assessment", "ok") >= okOne+2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for two failed cycles of the second protocol and two more ok of the first: ok %d %d, failed %d %d\n%s",
				count(body, "da-needs-assessment", "ok"), count(body, "safeguarding-adults", "ok"), count(body, "da-needs-assessment", "failed"), count(body, "safeguarding-adults", "failed"), stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, body = httpGet(t, base+"/metrics", "")
	if n := count(body, "safeguarding-adults", "ok"); n > okTwo+1 {
		t.Errorf("the second protocol had %d ok cycles after its output went (%d before)", n, okTwo)
	}
	if n := count(body, "da-needs-assessment", "failed") + count(body, "da-needs-assessment", "error"); n != 0 {
		t.Errorf("the first protocol had %d failed cycles: the second's failure reached it", n)
	}
	if code, page := httpGet(t, base+"/", ""); code != 200 || !strings.Contains(page, "Whole Essex") ||
		!strings.Contains(page, `data-protocol="da-needs-assessment" data-review="ok"`) || !strings.Contains(page, `data-protocol="safeguarding-adults" data-review="overdue"`) {
		t.Errorf("/ = %d, want the register with both protocols and their review status:\n%s", code, page)
	}
	if code, page := httpGet(t, base+"/p/safeguarding-adults/", ""); code != 200 || !strings.Contains(page, "Review overdue") {
		t.Errorf("/p/safeguarding-adults/ = %d, want the second protocol's page", code)
	}
	cfgOne, err := config.Load(one)
	must(t, err)
	if got, _ := filepath.Glob(filepath.Join(cfgOne.Output.Local.Path, "*", "combined.csv")); len(got) == 0 {
		t.Error("the first protocol published nothing")
	}
	srv.stop(t)
}

// TestServeRefusesSharedZone refuses, at load and with exit 2, two
// protocols whose partners share a landing zone.
func TestServeRefusesSharedZone(t *testing.T) {
	t.Parallel()
	dirOne, one := serveDemo(t, 5, nil)
	_, two := serveDemo(t, 5, func(s string) string { return strings.Replace(s, "id: da-needs-assessment", "id: second", 1) })
	cfgOne, err := config.Load(one)
	must(t, err)
	editFile(t, two, "path: landing/basildon", "path: "+filepath.Join(dirOne, "landing", "basildon"))
	var stdout, stderr bytes.Buffer
	code := realMain(context.Background(), &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }},
		[]string{"serve", "--config", one, "--config", two})
	if code != exitUsage || !strings.Contains(stderr.String(), "overlaps partners[0].landing of protocol da-needs-assessment") {
		t.Errorf("exit %d, want %d naming the shared zone:\n%s", code, exitUsage, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(cfgOne.State, state.FileName)); err == nil {
		t.Error("serve opened a state before refusing the protocols")
	}
}
