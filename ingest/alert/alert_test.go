package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"landingd/config"
)

// receiver is a local webhook that answers with the statuses in turn
// (200 once they run out) and keeps every body it got.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	bodies   [][]byte
	types    []string
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bodies = append(r.bodies, b)
	r.types = append(r.types, req.Header.Get("Content-Type"))
	code := http.StatusOK
	if len(r.statuses) > 0 {
		code, r.statuses = r.statuses[0], r.statuses[1:]
	}
	w.WriteHeader(code)
}

func newReceiver(t *testing.T, statuses ...int) (*receiver, string) {
	t.Helper()
	r := &receiver{statuses: statuses}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	// The path stands for the secret part of a real webhook URL.
	return r, srv.URL + "/hooks/SECRET-TOKEN-123"
}

func TestSend(t *testing.T) {
	ev := Event{
		Kind: KindFileRejected, Summary: "basildon: file q4.csv rejected (missing-label)",
		Protocol: "da-needs-assessment", Partner: "basildon", Object: "q4.csv", RunID: "20260107T060000Z-abcdef",
		Details:   map[string]any{"rules": map[string]int{"missing-label": 1}},
		DPOEmails: []string{"dpo@basildon.gov.uk"},
		Deadlines: map[string]time.Time{"deadline": time.Date(2026, 2, 12, 0, 0, 0, 0, time.UTC)},
	}
	tests := []struct {
		name     string
		statuses []int
		retries  int
		wantErr  string // "" for success
		wantPost int
	}{
		{"ok at once", nil, 0, "", 1},
		{"retries 503 and 429", []int{503, 429}, 0, "", 3},
		{"gives up after retries", []int{500, 500, 500}, 2, "send alert file_rejected: webhook answered 500 Internal Server Error", 3},
		{"400 is final", []int{400}, 0, "send alert file_rejected: webhook refused the alert: webhook answered 400 Bad Request", 1},
		{"no retries", []int{502}, -1, "send alert file_rejected: webhook answered 502 Bad Gateway", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, u := newReceiver(t, tt.statuses...)
			var logs bytes.Buffer
			c := &Client{URL: u, Retries: tt.retries, Backoff: time.Millisecond,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			err := c.Send(context.Background(), ev)
			if got := errText(err); got != tt.wantErr {
				t.Errorf("Send error = %q, want %q", got, tt.wantErr)
			}
			if len(r.bodies) != tt.wantPost {
				t.Fatalf("posts = %d, want %d", len(r.bodies), tt.wantPost)
			}
			for _, s := range []string{logs.String(), errText(err)} {
				if strings.Contains(s, "SECRET") || strings.Contains(s, "/hooks") {
					t.Errorf("the webhook URL leaked: %s", s)
				}
			}
			if r.types[0] != "application/json" {
				t.Errorf("Content-Type = %q", r.types[0])
			}
			var got map[string]any
			if err := json.Unmarshal(r.bodies[0], &got); err != nil {
				t.Fatal(err)
			}
			if got["text"] != "landingd da-needs-assessment: basildon: file q4.csv rejected (missing-label)" {
				t.Errorf("text = %v", got["text"])
			}
			for k, want := range map[string]any{"kind": "file_rejected", "partner": "basildon", "object": "q4.csv", "run_id": "20260107T060000Z-abcdef"} {
				if got[k] != want {
					t.Errorf("%s = %v, want %v", k, got[k], want)
				}
			}
			if got["time"] == "" || got["time"] == "0001-01-01T00:00:00Z" {
				t.Errorf("time not set: %v", got["time"])
			}
			if d, _ := got["deadlines"].(map[string]any); d["deadline"] != "2026-02-12T00:00:00Z" {
				t.Errorf("deadlines = %v", got["deadlines"])
			}
		})
	}
}

func TestSendNetworkErrorHidesURL(t *testing.T) {
	// A port with nothing listening: take one and close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := &Client{URL: "http://" + addr + "/hooks/SECRET-TOKEN-123", Retries: 1, Backoff: time.Millisecond}
	err = c.Send(context.Background(), Event{Kind: KindCycleFailed, Summary: "cycle failed"})
	if err == nil {
		t.Fatal("Send to a closed port succeeded")
	}
	if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "hooks") {
		t.Errorf("error leaks the URL: %v", err)
	}
	if !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("error = %v, want the cause", err)
	}
}

func TestSendBadURLHidesIt(t *testing.T) {
	c := &Client{URL: "http://[bad SECRET", Retries: 3}
	err := c.Send(context.Background(), Event{Kind: KindCycleFailed, Summary: "x"})
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error = %v", err)
	}
}

func TestSendStopsOnCancel(t *testing.T) {
	r, u := newReceiver(t, 503, 503, 503, 503, 503)
	ctx, cancel := context.WithCancel(context.Background())
	c := &Client{URL: u, Backoff: time.Hour}
	go func() {
		for {
			r.mu.Lock()
			n := len(r.bodies)
			r.mu.Unlock()
			if n > 0 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	err := c.Send(ctx, Event{Kind: KindCycleFailed, Summary: "x"})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("error = %v, want context canceled", err)
	}
}

func TestNilClientSendsNothing(t *testing.T) {
	var c *Client
	if err := c.Send(context.Background(), Event{Kind: KindCycleFailed}); err != nil {
		t.Error(err)
	}
	if err := (&Client{}).Send(context.Background(), Event{Kind: KindCycleFailed}); err != nil {
		t.Error(err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestFromConfig(t *testing.T) {
	const hook = "https://hooks.example.invalid/T000/secret"
	env := map[string]string{"HOOK": hook, "EMPTY": ""}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name    string
		alerts  config.Alerts
		wantURL string // "" means a nil client
		wantErr string // in the error; "" means none
	}{
		{name: "none configured"},
		{name: "from environment", alerts: config.Alerts{WebhookURLEnv: "HOOK"}, wantURL: hook},
		{name: "environment empty", alerts: config.Alerts{WebhookURLEnv: "EMPTY"}, wantErr: "environment variable EMPTY is not set or empty"},
		{name: "file missing", alerts: config.Alerts{WebhookURLFile: "/nonexistent/hook"}, wantErr: "/nonexistent/hook"},
	}
	for _, tt := range tests {
		c, err := FromConfig(tt.alerts, getenv, nil)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || c != nil {
				t.Errorf("%s: FromConfig = %v, %v; want nil and an error containing %q", tt.name, c, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("%s: FromConfig: %v", tt.name, err)
		case tt.wantURL == "" && c != nil:
			t.Errorf("%s: FromConfig = %+v, want nil", tt.name, c)
		case tt.wantURL != "" && (c == nil || c.URL != tt.wantURL):
			t.Errorf("%s: FromConfig = %+v, want URL %q", tt.name, c, tt.wantURL)
		}
	}
}

func TestChatText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{name: "plain", in: "basildon: file basildon_2025Q4.csv was rejected", want: "basildon: file basildon_2025Q4.csv was rejected"},
		{name: "slack mention", in: "file <!channel>.csv", want: "file &lt;!channel&gt;.csv"},
		{name: "slack link", in: "file <https://evil.example|click>.csv", want: "file &lt;https://evil.example|click&gt;.csv"},
		{name: "ampersand", in: "a&b.csv", want: "a&amp;b.csv"},
		{name: "markdown link", in: "[click](https://evil.example).csv", want: "[click] (https://evil.example).csv"},
		{name: "terminal escape", in: "a\x1b[2Jb.csv", want: `a\x1b[2Jb.csv`},
		{name: "bidi", in: "a\u202eb.csv", want: `a\u202eb.csv`},
	}
	for _, tt := range tests {
		if got := ChatText(tt.in); got != tt.want {
			t.Errorf("%s: ChatText(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	if got := Text(Event{Protocol: "p", Summary: "<!here>"}); got != "landingd p: &lt;!here&gt;" {
		t.Errorf("Text = %q", got)
	}
}

func FuzzChatText(f *testing.F) {
	for _, s := range []string{"", "<!channel>", "[a](b)", "a\x1bb", "&amp;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ChatText(s)
		if strings.ContainsAny(got, "<>\x1b\r\n") || strings.Contains(got, "](") {
			t.Fatalf("ChatText(%q) = %q holds markup or a control character", s, got)
		}
	})
}

// A name from a district is escaped once in the chat text, as in the
// event's own fields, not once for the event and again for the chat.
func TestSendEscapesNamesOnce(t *testing.T) {
	t.Parallel()
	r, u := newReceiver(t)
	c := &Client{URL: u, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ev := Event{Kind: KindFileRejected, Summary: "basildon: file q4\\x\x1b.csv rejected", Partner: "basildon", Object: "q4\\x\x1b.csv"}
	if err := c.Send(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(r.bodies[0], &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"text":    `landingd: basildon: file q4\\x\x1b.csv rejected`,
		"summary": `basildon: file q4\\x\x1b.csv rejected`,
		"object":  `q4\\x\x1b.csv`,
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}
