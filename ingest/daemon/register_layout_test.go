package daemon

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"landingd/deploy"
)

// registerProbe loads the register in a frame of the given size and
// writes layout facts, measured by the browser, into #facts as JSON. The
// register itself has no script; the probe is the test's own.
const registerProbe = `<!doctype html><html><body style="margin:0">
<script>
function measure() {
  try { measure1(); } catch (e) { document.getElementById("facts").textContent = "error: " + e; }
}
function measure1() {
  const d = document.getElementById("f").contentDocument;
  const w = d.defaultView;
  const facts = {themes: [], rows: [], pageOverflow: 0, tableOverflow: []};
  for (const h of d.querySelectorAll("main section > h2")) {
    const r = h.getBoundingClientRect();
    facts.themes.push({text: h.textContent.trim(), height: r.height});
  }
  for (const tr of d.querySelectorAll("tr[data-protocol]")) {
    const th = tr.querySelector("th[scope=row]").getBoundingClientRect();
    const badge = tr.querySelector(".badge");
    const b = badge.getBoundingClientRect();
    facts.rows.push({id: tr.dataset.protocol, review: tr.dataset.review, rowHeight: tr.getBoundingClientRect().height,
      title: tr.querySelector("th[scope=row]").textContent.trim(),
      titleLeft: th.left, titleRight: th.right, titleHeight: th.height,
      badge: badge.textContent.trim(), badgeClass: badge.className,
      badgeWidth: b.width, badgeHeight: b.height, badgeColour: w.getComputedStyle(badge).backgroundColor});
  }
  facts.pageOverflow = d.documentElement.scrollWidth - d.documentElement.clientWidth;
  for (const s of d.querySelectorAll(".scroll")) {
    facts.tableOverflow.push(s.scrollWidth - s.clientWidth);
  }
  document.getElementById("facts").textContent = JSON.stringify(facts);
}
</script>
<iframe id="f" src="/" width="%d" height="%d" style="border:0;display:block" onload="measure()"></iframe>
<pre id="facts"></pre>
</body></html>`

type registerFacts struct {
	Themes []struct {
		Text   string  `json:"text"`
		Height float64 `json:"height"`
	} `json:"themes"`
	Rows []struct {
		ID          string  `json:"id"`
		Review      string  `json:"review"`
		RowHeight   float64 `json:"rowHeight"`
		Title       string  `json:"title"`
		TitleLeft   float64 `json:"titleLeft"`
		TitleRight  float64 `json:"titleRight"`
		TitleHeight float64 `json:"titleHeight"`
		Badge       string  `json:"badge"`
		BadgeClass  string  `json:"badgeClass"`
		BadgeWidth  float64 `json:"badgeWidth"`
		BadgeHeight float64 `json:"badgeHeight"`
		BadgeColour string  `json:"badgeColour"`
	} `json:"rows"`
	PageOverflow  float64   `json:"pageOverflow"`
	TableOverflow []float64 `json:"tableOverflow"`
}

// TestRegisterPageInChromium serves the register of the two shipped
// protocols, each after a cycle, on a day when the default protocol's
// review is due and the example's overdue, and measures it in headless
// Chromium at 1400×1000 and 390×844: both theme headings and both titles
// shown, the due and overdue markers drawn in their own colours, and the
// page never wider than the window (at 1400 px the tables fit too, and
// each protocol's row is less than a screen tall; at 390 px the tables
// scroll inside their own boxes).
func TestRegisterPageInChromium(t *testing.T) {
	bin := chromium(t)
	t.Parallel()
	clock := &fakeClock{now: time.Date(2027, 8, 1, 12, 0, 0, 0, time.UTC)}
	fa := newFixture(t, nil)
	fb := newFixtureOf(t, deploy.ExampleProtocol, nil)
	a, b := fa.open(t, clock), fb.open(t, clock)
	fa.drop(t, "basildon", "2027Q1", 20)
	fb.drop(t, "essex", "2027Q1", 20)
	for _, s := range []*Service{a, b} {
		if sum, err := s.Runner.Cycle(context.Background(), nil); err != nil || sum.Failed() {
			t.Fatalf("cycle of %s: %v %+v", s.Config.Protocol.ID, err, sum)
		}
	}
	forum := &Forum{Services: []*Service{a, b}, Title: "Whole Essex Information Sharing Framework", Now: clock.Now}
	srv := probeServer(t, forum.Handler(), registerProbe)

	want := map[string]struct{ title, review, badge string }{
		"da-needs-assessment": {"0075 Domestic Abuse Act 2021", "due", "Due"},
		"safeguarding-adults": {"0142 EXAMPLE:", "overdue", "Overdue"},
	}
	dir := artifacts(t)
	for _, vp := range viewports {
		var facts registerFacts
		measure(t, bin, srv, vp, &facts)
		t.Logf("%s: %+v", vp.name, facts)
		var themes []string
		for _, th := range facts.Themes {
			if th.Height <= 0 {
				t.Errorf("%s: the theme heading %q is not drawn", vp.name, th.Text)
			}
			themes = append(themes, th.Text)
		}
		if strings.Join(themes, "|") != "Health and Wellbeing|Safer Community" {
			t.Errorf("%s: theme headings = %q, want Health and Wellbeing, then Safer Community", vp.name, themes)
		}
		if len(facts.Rows) != 2 {
			t.Fatalf("%s: %d protocols in the register, want 2", vp.name, len(facts.Rows))
		}
		colours := map[string]bool{}
		for _, r := range facts.Rows {
			w, ok := want[r.ID]
			if !ok {
				t.Errorf("%s: unexpected protocol %s", vp.name, r.ID)
				continue
			}
			if !strings.HasPrefix(r.Title, w.title) || r.TitleHeight <= 0 || r.TitleLeft < 0 || r.TitleLeft >= float64(vp.width) {
				t.Errorf("%s: %s's title %q at %v px (height %v), want %q... in view", vp.name, r.ID, r.Title, r.TitleLeft, r.TitleHeight, w.title)
			}
			if r.Review != w.review || r.Badge != w.badge || r.BadgeClass != "badge r-"+w.review || r.BadgeWidth <= 0 || r.BadgeHeight <= 0 {
				t.Errorf("%s: %s's review %q, marker %q (%s, %vx%v), want %s marked %q", vp.name, r.ID, r.Review, r.Badge, r.BadgeClass,
					r.BadgeWidth, r.BadgeHeight, w.review, w.badge)
			}
			colours[r.BadgeColour] = true
		}
		if len(colours) != 2 {
			t.Errorf("%s: the due and overdue markers share a colour: %v", vp.name, colours)
		}
		if facts.PageOverflow > 0 {
			t.Errorf("%s: the page is %v px wider than the window", vp.name, facts.PageOverflow)
		}
		if vp.name == "wide" {
			for i, o := range facts.TableOverflow {
				if o > 0 {
					t.Errorf("wide: theme table %d overflows its box by %v px", i, o)
				}
			}
			for _, r := range facts.Rows {
				if r.TitleRight > float64(vp.width) {
					t.Errorf("wide: %s's title ends at %v px, beyond %d", r.ID, r.TitleRight, vp.width)
				}
				// Years of late and missing quarters must not stretch a
				// protocol's row past one screen.
				if r.RowHeight >= float64(vp.height) {
					t.Errorf("wide: %s's row is %v px tall, more than the %d px window", r.ID, r.RowHeight, vp.height)
				}
			}
		}
		screenshot(t, bin, srv.URL+"/", filepath.Join(dir, "register-"+vp.name+".png"), vp)
	}
}
