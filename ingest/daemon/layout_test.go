package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"landingd/ingest"
	"landingd/ingest/state"
)

func TestMatrixRows(t *testing.T) {
	t.Parallel()
	cell := func(state string, accepted, rejected int) ingest.StatusCell {
		return ingest.StatusCell{State: state, AcceptedFiles: accepted, RejectedFiles: rejected}
	}
	nothing := []ingest.StatusCell{cell(ingest.StateMissing, 0, 0), cell(ingest.StateMissing, 0, 0)}
	complete := []ingest.StatusCell{cell(ingest.StateAccepted, 1, 0), cell(ingest.StateWithdrawn, 0, 0)}
	outstanding := []ingest.StatusCell{cell(ingest.StateAccepted, 1, 1), cell(ingest.StateMissing, 0, 0)}
	q := func(name string, cells []ingest.StatusCell) ingest.StatusQuarter {
		return ingest.StatusQuarter{Quarter: name, Cells: cells}
	}
	tests := []struct {
		name   string
		matrix []ingest.StatusQuarter
		want   string
	}{
		{"current and previous always show", []ingest.StatusQuarter{q("2025Q4", nothing), q("2025Q3", complete)}, "2025Q4 2025Q3"},
		{"older runs fold", []ingest.StatusQuarter{q("2025Q4", nothing), q("2025Q3", nothing), q("2025Q2", nothing),
			q("2025Q1", nothing), q("2024Q4", outstanding), q("2024Q3", complete), q("2024Q2", complete), q("2024Q1", nothing)},
			"2025Q4 2025Q3 [nothing received 2025Q1-2025Q2 2] 2024Q4 [complete 2024Q2-2024Q3 2] [nothing received 2024Q1-2024Q1 1]"},
	}
	for _, tt := range tests {
		var got string
		for i, r := range matrixRows(tt.matrix) {
			if i > 0 {
				got += " "
			}
			if r.Fold != "" {
				got += fmt.Sprintf("[%s %s-%s %d]", r.Fold, r.From, r.To, r.Count)
			} else {
				got += r.Quarter
			}
		}
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// probePage loads the status page in a frame of the given size and
// writes layout facts, measured by the browser, into #facts as JSON. The
// status page itself has no script; the probe is the test's own.
const probePage = `<!doctype html><html><body style="margin:0">
<script>
function measure() {
  try { measure1(); } catch (e) { document.getElementById("facts").textContent = "error: " + e; }
}
function measure1() {
  const d = document.getElementById("f").contentDocument;
  const box = (sel) => { const e = d.querySelector(sel); return e ? e.getBoundingClientRect() : null; };
  const facts = {heads: [], incidentsTop: -1, runsTop: -1, rejectedTop: -1};
  for (const th of d.querySelectorAll("#matrix thead th[data-partner]")) {
    facts.heads.push({id: th.dataset.partner, right: th.getBoundingClientRect().right});
  }
  const top = (sel) => { const r = box(sel); return r ? r.top : -1; };
  facts.incidentsTop = top("#incidents");
  facts.overdueIncidents = d.querySelectorAll("#incidents .incident.overdue").length;
  const braintree = d.querySelector('#matrix tbody tr[data-quarter="2025Q4"] td[data-partner="braintree"]');
  facts.alsoRejected = braintree ? braintree.dataset.state + " " + braintree.querySelectorAll("[data-also-rejected]").length : "";
  facts.runsTop = top("#runs-h");
  facts.rejectedTop = top("#rejected-h");
  const q = d.querySelector("#matrix tbody th[scope=row]");
  facts.quarterPosition = d.defaultView.getComputedStyle(q).position;
  const scroller = d.querySelector("#matrix").parentElement;
  const before = q.getBoundingClientRect().left;
  scroller.scrollLeft = 300;
  facts.scrolled = scroller.scrollLeft;
  facts.quarterMoved = q.getBoundingClientRect().left - before;
  scroller.scrollLeft = 0;
  document.getElementById("facts").textContent = JSON.stringify(facts);
}
</script>
<iframe id="f" src="/" width="%d" height="%d" style="border:0;display:block" onload="measure()"></iframe>
<pre id="facts"></pre>
</body></html>`

type layoutFacts struct {
	Heads []struct {
		ID    string  `json:"id"`
		Right float64 `json:"right"`
	} `json:"heads"`
	IncidentsTop    float64 `json:"incidentsTop"`
	RunsTop         float64 `json:"runsTop"`
	RejectedTop     float64 `json:"rejectedTop"`
	QuarterPosition string  `json:"quarterPosition"`
	Scrolled        float64 `json:"scrolled"`
	QuarterMoved    float64 `json:"quarterMoved"`
	OverdueIncident int     `json:"overdueIncidents"`
	AlsoRejected    string  `json:"alsoRejected"`
}

var factsRE = regexp.MustCompile(`(?s)<pre id="facts">(.*?)</pre>`)

// TestStatusPageLayout serves the page for all 12 districts, with an
// open incident and a quarter that was accepted but also had a rejected
// file, and measures it in headless Chromium at 1400×1000 and 390×844:
// every district heading within 1400 px, the incidents, the latest cycles
// and the rejected files above the fold, and the quarter column in place
// when the grid scrolls sideways.
func TestStatusPageLayout(t *testing.T) {
	bin := chromium(t)
	f := newFixture(t, nil)
	if len(f.cfg.Partners) != 12 {
		t.Fatalf("the default protocol has %d partners, want 12", len(f.cfg.Partners))
	}
	f.drop(t, "basildon", "2025Q4", 30)
	f.drop(t, "braintree", "2025Q4", 10)
	f.drop(t, "braintree", "2025Q4", 10, "nino")
	clock := &fakeClock{now: at("2026-01-07 06:00")}
	s := f.open(t, clock)
	ctx := context.Background()
	s.cycle(ctx, state.TriggerSchedule, nil)
	// Past the partners' 48-hour deadline: the incident is overdue.
	clock.Set(at("2026-01-09 12:00"))
	if _, _, err := s.plan(ctx); err != nil {
		t.Fatal(err)
	}
	srv := probeServer(t, s.Handler(), probePage)
	dir := artifacts(t)
	for _, vp := range viewports {
		var facts layoutFacts
		measure(t, bin, srv, vp, &facts)
		t.Logf("%s: %+v", vp.name, facts)
		if facts.QuarterPosition != "sticky" {
			t.Errorf("%s: the quarter column is %q, want sticky", vp.name, facts.QuarterPosition)
		}
		if facts.IncidentsTop < 0 || facts.IncidentsTop >= float64(vp.height) {
			t.Errorf("%s: the incidents panel starts at %v, below the fold at %d", vp.name, facts.IncidentsTop, vp.height)
		}
		if facts.OverdueIncident != 1 {
			t.Errorf("%s: %d incidents marked overdue, want 1", vp.name, facts.OverdueIncident)
		}
		if facts.AlsoRejected != "accepted 1" {
			t.Errorf("%s: braintree's 2025Q4 cell is %q, want accepted with its rejected file shown", vp.name, facts.AlsoRejected)
		}
		switch vp.name {
		case "wide":
			if len(facts.Heads) != 12 {
				t.Errorf("wide: %d district headings, want 12", len(facts.Heads))
			}
			for _, h := range facts.Heads {
				if h.Right > float64(vp.width) {
					t.Errorf("wide: %s's heading ends at %v px, beyond %d", h.ID, h.Right, vp.width)
				}
			}
			if facts.RunsTop < 0 || facts.RunsTop >= 1000 || facts.RejectedTop < 0 || facts.RejectedTop >= 1000 {
				t.Errorf("wide: latest cycles at %v and rejected files at %v, want both above 1000", facts.RunsTop, facts.RejectedTop)
			}
		case "narrow":
			// The grid scrolls within its box; the quarter column stays.
			// (Collapsed borders may shift it by a fraction of a pixel.)
			if facts.Scrolled <= 0 || math.Abs(facts.QuarterMoved) >= 2 {
				t.Errorf("narrow: the grid scrolled %v px and the quarter column moved %v px, want it to stay", facts.Scrolled, facts.QuarterMoved)
			}
		}
		screenshot(t, bin, srv.URL+"/", filepath.Join(dir, "status-page-12-"+vp.name+".png"), vp)
	}
}

// viewport is a window size the layout tests measure pages at.
type viewport struct {
	name          string
	width, height int
}

// viewports are a desktop and a phone.
var viewports = []viewport{{"wide", 1400, 1000}, {"narrow", 390, 844}}

// probeServer serves h at / without its headers (the pages forbid
// framing), and at /probe?w=W&h=H the probe page, whose two %d verbs take
// the frame's width and height.
func probeServer(t *testing.T, h http.Handler, probe string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		w.Header().Set("Content-Type", rec.Header().Get("Content-Type"))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
	mux.HandleFunc("/probe", func(w http.ResponseWriter, r *http.Request) {
		width, _ := strconv.Atoi(r.URL.Query().Get("w"))
		height, _ := strconv.Atoi(r.URL.Query().Get("h"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, probe, width, height)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// measure loads srv's probe at vp in Chromium and decodes the layout
// facts it writes into facts.
func measure(t *testing.T, bin string, srv *httptest.Server, vp viewport, facts any) {
	t.Helper()
	url := fmt.Sprintf("%s/probe?w=%d&h=%d", srv.URL, vp.width, vp.height)
	dom := browse(t, bin, url, "--dump-dom", fmt.Sprintf("--window-size=%d,%d", vp.width+50, vp.height+400))
	m := factsRE.FindSubmatch(dom)
	if m == nil || json.Unmarshal(m[1], facts) != nil {
		t.Fatalf("%s: no layout facts in\n%s", vp.name, dom)
	}
}

// screenshot saves url as Chromium draws it at vp to path.
func screenshot(t *testing.T, bin, url, path string, vp viewport) {
	t.Helper()
	browse(t, bin, url, "--screenshot="+path, fmt.Sprintf("--window-size=%d,%d", vp.width, vp.height), "--hide-scrollbars")
	if b, err := os.ReadFile(path); err != nil || len(b) < 8 || string(b[:4]) != "\x89PNG" {
		t.Errorf("screenshot %s: %v", path, err)
	}
	t.Logf("screenshot: %s", path)
}
