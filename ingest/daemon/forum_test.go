package daemon

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"landingd/config"
	"landingd/ingest"
)

// forumFixture is two protocols in their own folders, served by one
// Forum: "da" with two partners and a cycle run, "hw" with its review
// overdue and paused.
func forumFixture(t *testing.T) (*Forum, *Service, *Service) {
	t.Helper()
	fa := newFixture(t, []string{"basildon", "harlow"})
	fb := newFixture(t, []string{"rochford"})
	fb.cfg.Protocol.ID = "hw"
	fb.cfg.Protocol.Number = "0101"
	fb.cfg.Protocol.Theme = "Health and Wellbeing"
	fb.cfg.Protocol.ReviewDate = config.Date{Time: time.Date(2020, 1, 31, 0, 0, 0, 0, time.UTC)}
	fb.cfg.Protocol.OnReviewOverdue = config.ReviewPause
	if err := config.CheckForum([]*config.Config{fa.cfg, fb.cfg}); err != nil {
		t.Fatalf("the fixture's protocols share storage: %v", err)
	}
	a, b := fa.open(t, nil), fb.open(t, nil)
	fa.drop(t, "basildon", "2025Q4", 20)
	if _, err := a.Runner.Cycle(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return &Forum{Services: []*Service{a, b}, Title: "Whole Essex", Token: strings.Repeat("t", 32)}, a, b
}

func forumGet(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+strings.Repeat("t", 32))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestForumEndpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a cycle: full suite only")
	}
	f, a, _ := forumFixture(t)
	h := f.Handler()

	code, body := forumGet(t, h, "/")
	if code != http.StatusOK || !strings.Contains(body, `<a href="/p/da-needs-assessment/">0075 Domestic Abuse`) ||
		!strings.Contains(body, `data-protocol="hw" data-review="overdue"`) || !strings.Contains(body, "Cycles paused") {
		t.Errorf("GET / = %d, want the register with both protocols:\n%s", code, body)
	}
	if code, body := forumGet(t, h, "/p/hw/"); code != http.StatusOK || !strings.Contains(body, "Review overdue") ||
		!strings.Contains(body, `<strong id="paused">Cycles are paused: the review date, 2020-01-31, has passed`) {
		t.Errorf("GET /p/hw/ = %d, want hw's status page with its review overdue and why it is paused:\n%s", code, body)
	}
	if _, body := forumGet(t, h, "/p/da-needs-assessment/"); strings.Contains(body, "paused") {
		t.Error("da-needs-assessment's status page says it is paused")
	}
	if code, _ := forumGet(t, h, "/p/nope/"); code != http.StatusNotFound {
		t.Errorf("GET /p/nope/ = %d, want 404", code)
	}

	code, body = forumGet(t, h, "/api/status")
	var fs ForumStatus
	if err := json.Unmarshal([]byte(body), &fs); err != nil || code != http.StatusOK {
		t.Fatalf("GET /api/status = %d %v:\n%s", code, err, body)
	}
	if len(fs.Protocols) != 2 || fs.Protocols[0].ID != "da-needs-assessment" || fs.Protocols[0].LastRun == nil ||
		fs.Protocols[1].ID != "hw" || !fs.Protocols[1].Paused || fs.Protocols[1].StatusURL != "/api/p/hw/status" ||
		!strings.Contains(fs.Protocols[1].PauseReason, "no files are taken until") || fs.Protocols[0].PauseReason != "" {
		t.Errorf("/api/status = %+v", fs)
	}
	_, body = forumGet(t, h, "/api/p/hw/status")
	var hw ingest.Status
	if err := json.Unmarshal([]byte(body), &hw); err != nil || !hw.Protocol.Paused || !strings.Contains(hw.Protocol.PauseReason, "on_review_overdue: pause") {
		t.Errorf("GET /api/p/hw/status: %v, protocol %+v, want paused with the reason", err, hw.Protocol)
	}
	code, body = forumGet(t, h, "/api/p/da-needs-assessment/status")
	var st ingest.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil || code != http.StatusOK || st.Protocol.ID != "da-needs-assessment" || len(st.Partners) != 2 {
		t.Errorf("GET /api/p/da-needs-assessment/status = %d %v: %+v", code, err, st.Protocol)
	}

	_, body = forumGet(t, h, "/metrics")
	for _, want := range []string{
		`landingd_cycles_total{outcome="ok",protocol="da-needs-assessment"} 0`,
		`landingd_protocol_review_due{protocol="hw"} 2`,
		`landingd_protocol_review_due{protocol="da-needs-assessment"}`,
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Count(body, "\ngo_goroutines ") != 1 {
		t.Error("/metrics repeats the process-wide series per protocol")
	}
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "landingd_") && !strings.Contains(line, `protocol="`) {
			t.Errorf("series without a protocol label: %s", line)
		}
	}

	// One protocol's state folder gone read-only makes it, and only it,
	// not ready.
	if code, _ := forumGet(t, h, "/readyz"); code != http.StatusOK {
		t.Errorf("GET /readyz = %d, want 200", code)
	}
	if os.Geteuid() != 0 {
		if err := os.Chmod(a.Config.State, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(a.Config.State, 0o700) })
		if code, body := forumGet(t, h, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "da-needs-assessment:") || strings.Contains(body, "hw:") {
			t.Errorf("GET /readyz = %d %q, want 503 naming da-needs-assessment alone", code, body)
		}
	}

	req := httptest.NewRequest(http.MethodGet, "/api/status", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("GET /api/status without the token = %d, want 401", rec.Code)
	}
}
