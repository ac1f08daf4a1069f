package daemon

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"landingd/config"
	"landingd/ingest"
	"landingd/ingest/state"
)

// served runs one cycle over an accepted and a rejected file at a fixed
// time and serves the handler on 127.0.0.1.
// edit, when set, changes the protocol first.
func served(t *testing.T, token string, edit func(*config.Config)) (*fixture, *Service, *httptest.Server) {
	t.Helper()
	f := newFixture(t, []string{"basildon", "braintree", "brentwood"})
	if edit != nil {
		edit(f.cfg)
	}
	f.drop(t, "basildon", "2025Q4", 30)
	f.drop(t, "braintree", "2025Q4", 10, "nino")
	clock := &fakeClock{now: at("2026-01-07 06:00")}
	s := f.open(t, clock)
	s.Token = token
	ctx := context.Background()
	s.cycle(ctx, state.TriggerSchedule, nil)
	clock.Set(at("2026-01-07 06:10"))
	if _, _, err := s.plan(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return f, s, srv
}

func get(t *testing.T, url, token string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestMetricsParse(t *testing.T) {
	t.Parallel()
	f, _, srv := served(t, "", nil)
	resp, body := get(t, srv.URL+"/metrics", "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics = %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse metrics: %v\n%s", err, body)
	}
	for name := range fams {
		if !strings.HasPrefix(name, "landingd_") && !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
			t.Errorf("metric %s lacks the landingd_ prefix", name)
		}
	}
	value := func(name string, labels map[string]string) (float64, bool) {
		fam, ok := fams[name]
		if !ok {
			return 0, false
		}
	next:
		for _, m := range fam.Metric {
			for k, v := range labels {
				if labelOf(m, k) != v {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue(), true
			case m.Gauge != nil:
				return m.Gauge.GetValue(), true
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount()), true
			}
		}
		return 0, false
	}
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"landingd_cycles_total", map[string]string{"outcome": "ok"}, 1},
		{"landingd_cycles_total", map[string]string{"outcome": "failed"}, 0},
		{"landingd_files_total", map[string]string{"partner": "basildon", "verdict": "accepted"}, 1},
		{"landingd_files_total", map[string]string{"partner": "braintree", "verdict": "rejected"}, 1},
		// The rejected file failed at its header: no row of it was read.
		{"landingd_rows_total", map[string]string{"outcome": "read"}, 30},
		{"landingd_cycle_duration_seconds", nil, 1},
		{"landingd_partner_last_success_timestamp_seconds", map[string]string{"partner": "brentwood"}, float64(at("2026-01-07 06:00").Unix())},
		// brentwood and braintree are late: a retry the next morning.
		{"landingd_next_cycle_timestamp_seconds", nil, float64(at("2026-01-08 06:00").Unix())},
		{"landingd_protocol_review_timestamp_seconds", nil, float64(f.cfg.Protocol.ReviewDate.Unix())},
		{"landingd_protocol_review_due", nil, 0},
		// braintree's file carried a column of NI numbers.
		{"landingd_incidents_open", nil, 1},
		{"landingd_incident_deadline_timestamp_seconds", map[string]string{"incident": "INC-2026-0001", "duty": "notify_partners"},
			float64(at("2026-01-09 06:00").Unix())},
		{"landingd_incident_deadline_timestamp_seconds", map[string]string{"incident": "INC-2026-0001", "duty": "notify_ico"},
			float64(at("2026-01-10 06:00").Unix())},
	}
	for _, tt := range tests {
		got, ok := value(tt.name, tt.labels)
		if !ok || got != tt.want {
			t.Errorf("%s%v = %v (present %v), want %v", tt.name, tt.labels, got, ok, tt.want)
		}
	}
	if got, _ := value("landingd_rows_total", map[string]string{"outcome": "accepted"}); got <= 0 || got > 30 {
		t.Errorf("rows accepted = %v, want some of basildon's 30", got)
	}
	if fams["landingd_cycle_duration_seconds"].GetType() != dto.MetricType_HISTOGRAM {
		t.Error("cycle duration is not a histogram")
	}
}

func labelOf(m *dto.Metric, name string) string {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func TestTokenRequired(t *testing.T) {
	t.Parallel()
	const token = "s3cret-token-for-tests"
	_, _, srv := served(t, token, nil)
	tests := []struct {
		path, token string
		want        int
	}{
		{"/healthz", "", 200},
		{"/readyz", "", 401},
		{"/metrics", "", 401},
		{"/api/status", "", 401},
		{"/", "", 401},
		{"/metrics", "wrong", 401},
		{"/", token + "x", 401},
		{"/readyz", token, 200},
		{"/metrics", token, 200},
		{"/api/status", token, 200},
		{"/", token, 200},
		{"/nothing-here", token, 404},
	}
	for _, tt := range tests {
		resp, body := get(t, srv.URL+tt.path, tt.token)
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s with token %q = %s, want %d", tt.path, tt.token, resp.Status, tt.want)
		}
		if tt.want == 401 {
			if resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("GET %s: 401 without WWW-Authenticate", tt.path)
			}
			if strings.Contains(body, "basildon") {
				t.Errorf("GET %s: 401 leaks content", tt.path)
			}
		}
	}
}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	f, s, srv := served(t, "", nil)
	resp, body := get(t, srv.URL+"/healthz", "")
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("/healthz = %s %q", resp.Status, body)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Cache-Control"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("/healthz lacks %s", h)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP = %q", csp)
	}
	if resp, body := get(t, srv.URL+"/readyz", ""); resp.StatusCode != 200 {
		t.Errorf("/readyz = %s %q", resp.Status, body)
	}
	if r, _ := http.Post(srv.URL+"/metrics", "text/plain", nil); r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics = %s", r.Status)
	}

	resp, body = get(t, srv.URL+"/api/status", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("/api/status = %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	var st ingest.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.NextCycle == nil || st.NextCycle.Trigger != state.TriggerRetry || len(st.Matrix) == 0 || st.Matrix[0].Quarter != "2025Q4" {
		t.Errorf("/api/status = %+v", st)
	}
	// At 06:10 braintree's incident has 47h50m left to tell the partners.
	if len(st.Incidents) != 1 || st.Incidents[0].Partner != "braintree" || len(st.Incidents[0].Duties) != 2 ||
		st.Incidents[0].Duties[0].Duty != ingest.DutyNotifyPartners || st.Incidents[0].Duties[0].LeftSeconds != (47*60+50)*60 ||
		st.Incidents[0].Overdue {
		t.Errorf("/api/status incidents = %+v", st.Incidents)
	}
	// The same JSON as "landingd status --json" builds, field for field.
	want, err := ingest.BuildStatus(context.Background(), s.Config, s.Runner.DB, s.now())
	if err != nil {
		t.Fatal(err)
	}
	var wantMap, gotMap map[string]any
	wb, _ := json.Marshal(want)
	_ = json.Unmarshal(wb, &wantMap)
	_ = json.Unmarshal([]byte(body), &gotMap)
	for k, w := range wantMap {
		g, ok := gotMap[k]
		switch {
		case !ok:
			t.Errorf("/api/status lacks %q", k)
		case k == "generated_at" || k == "next_cycle":
			// The time it was built, and the service's own plan.
		case !reflect.DeepEqual(g, w):
			t.Errorf("/api/status %q = %v, want %v", k, g, w)
		}
	}

	// A failed cycle makes the service not ready: a zone that is a file.
	p := f.cfg.Partners[2].Landing.Local.Path
	if err := os.RemoveAll(p); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.cycle(context.Background(), state.TriggerRetry, []string{"brentwood"})
	if resp, body := get(t, srv.URL+"/readyz", ""); resp.StatusCode != 503 || !strings.Contains(body, "failed") {
		t.Errorf("/readyz after a failed cycle = %s %q", resp.Status, body)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"open zone https://acct.blob.core.windows.net/c?sv=2022&sig=abc%2F: 403",
			"open zone https://acct.blob.core.windows.net/c?[redacted] 403"},
		{"dial sftp://user:pa55@host:22/upload: refused", "dial sftp://[redacted]@host:22/upload: refused"},
		{"AccountKey=abc==;EndpointSuffix=x", "AccountKey=[redacted];EndpointSuffix=x"},
		{"list zone /srv/landing/basildon: permission denied", "list zone /srv/landing/basildon: permission denied"},
	}
	for _, tt := range tests {
		if got := ingest.Redact(tt.in); got != tt.want {
			t.Errorf("ingest.Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReasons(t *testing.T) {
	t.Parallel()
	if got := Reasons(map[string]int{"type-error": 12, "extra-label": 1}); got != "extra-label (1), type-error (12)" {
		t.Errorf("Reasons = %q", got)
	}
	if got := Reasons(nil); got != "no rule recorded" {
		t.Errorf("Reasons(nil) = %q", got)
	}
}
