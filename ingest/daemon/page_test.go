package daemon

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"landingd/config"
	"landingd/internal/testtier"
)

// chromium returns the headless browser's path, or skips (fails when
// LANDINGD_TEST_REQUIRE names chromium).
func chromium(t *testing.T) string {
	t.Helper()
	testtier.Slow(t, "real Chromium")
	path := os.Getenv("LANDINGD_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		if strings.Contains(os.Getenv("LANDINGD_TEST_REQUIRE"), "chromium") {
			t.Fatalf("chromium is required (LANDINGD_TEST_REQUIRE) but %s is missing: %v", path, err)
		}
		t.Skipf("no chromium at %s: %v", path, err)
	}
	return path
}

// artifacts returns the folder test artifacts go into.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("LANDINGD_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browse runs headless Chromium on url with extra flags and returns its
// standard output.
func browse(t *testing.T, bin, url string, flags ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic",
		"--user-data-dir=" + t.TempDir()}, flags...)
	args = append(args, url)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", flags, err, errOut.String())
	}
	return out.Bytes()
}

func TestStatusPageInChromium(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	// A review date within 90 days shows the banner.
	_, _, srv := served(t, "", func(c *config.Config) {
		c.Protocol.ReviewDate = config.Date{Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	})

	dom := browse(t, bin, srv.URL+"/", "--dump-dom")
	doc, err := html.Parse(bytes.NewReader(dom))
	if err != nil {
		t.Fatal(err)
	}
	if n := find(doc, func(n *html.Node) bool { return n.Data == "script" }); n != nil {
		t.Error("the page has a script")
	}
	if find(doc, func(n *html.Node) bool { return n.Data == "main" }) == nil {
		t.Error("the page has no <main>")
	}
	if b := find(doc, hasClass("banner")); b == nil || !strings.Contains(text(b), "Review due") {
		t.Error("no review banner")
	}
	table := find(doc, func(n *html.Node) bool { return n.Data == "table" && attr(n, "id") == "matrix" })
	if table == nil {
		t.Fatalf("no matrix table in\n%s", dom)
	}
	if c := find(table, func(n *html.Node) bool { return n.Data == "caption" }); c == nil {
		t.Error("the matrix has no caption")
	}
	var heads, titles []string
	for _, th := range findAll(find(table, func(n *html.Node) bool { return n.Data == "thead" }), func(n *html.Node) bool { return n.Data == "th" }) {
		if attr(th, "scope") != "col" {
			t.Errorf("column header %q lacks scope=col", text(th))
		}
		heads = append(heads, text(th))
		titles = append(titles, attr(th, "title"))
	}
	wantHeads := []string{"Quarter", "Basildon", "Braintree", "Brentwood"}
	if strings.Join(heads, "|") != strings.Join(wantHeads, "|") {
		t.Errorf("column headers = %q, want %q", heads, wantHeads)
	}
	wantTitles := []string{"", "Basildon Borough Council", "Braintree District Council", "Brentwood Borough Council"}
	if strings.Join(titles, "|") != strings.Join(wantTitles, "|") {
		t.Errorf("column header titles = %q, want the full names %q", titles, wantTitles)
	}
	rows := findAll(find(table, func(n *html.Node) bool { return n.Data == "tbody" }), func(n *html.Node) bool { return n.Data == "tr" })
	// 2025Q4 and 2025Q3, then 2021Q2 to 2025Q2, when nothing came, on one line.
	if len(rows) != 3 {
		t.Fatalf("matrix rows = %d, want 3 (2025Q4, 2025Q3, and 2021Q2-2025Q2 folded)", len(rows))
	}
	if attr(rows[2], "data-from") != "2021Q2" || attr(rows[2], "data-to") != "2025Q2" || !strings.Contains(text(rows[2]), "Nothing received") {
		t.Errorf("folded row = %q %q %q", attr(rows[2], "data-from"), attr(rows[2], "data-to"), text(rows[2]))
	}
	first := rows[0]
	if th := find(first, func(n *html.Node) bool { return n.Data == "th" }); th == nil || attr(th, "scope") != "row" || !strings.HasPrefix(text(th), "2025Q4") {
		t.Errorf("first row header = %q", text(find(first, func(n *html.Node) bool { return n.Data == "th" })))
	}
	cells := findAll(first, func(n *html.Node) bool { return n.Data == "td" })
	want := []struct{ state, words string }{
		{"accepted", "Accepted"}, {"rejected", "Rejected1 file"}, {"late", "Late"},
	}
	if len(cells) != len(want) {
		t.Fatalf("2025Q4 cells = %d", len(cells))
	}
	for i, c := range cells {
		if attr(c, "data-state") != want[i].state || attr(c, "class") != "s-"+want[i].state {
			t.Errorf("cell %d: state %q class %q, want %s", i, attr(c, "data-state"), attr(c, "class"), want[i].state)
		}
		if !strings.HasPrefix(text(c), want[i].words) {
			t.Errorf("cell %d says %q, want words %q", i, text(c), want[i].words)
		}
	}
	if !strings.Contains(text(cells[0]), "cases") {
		t.Errorf("the accepted cell gives no case count: %q", text(cells[0]))
	}
	older := findAll(rows[1], func(n *html.Node) bool { return n.Data == "td" })
	for _, c := range older {
		if attr(c, "data-state") != "missing" || text(c) != "Missing" {
			t.Errorf("2025Q3 cell = %q %q, want missing", attr(c, "data-state"), text(c))
		}
	}
	rej := find(doc, func(n *html.Node) bool { return n.Data == "table" && attr(n, "id") == "rejected" })
	if rej == nil || !strings.Contains(text(rej), "braintree_2025Q4_extra.csv") || !strings.Contains(text(rej), "extra-label") {
		t.Errorf("rejected files table = %q", text(rej))
	}
	if runs := find(doc, func(n *html.Node) bool { return n.Data == "table" && attr(n, "id") == "runs" }); runs == nil || !strings.Contains(text(runs), "schedule") {
		t.Error("no latest cycles table")
	}
	if next := find(doc, func(n *html.Node) bool { return attr(n, "id") == "next-cycle" }); next == nil || !strings.Contains(text(next), "retry of braintree, brentwood") {
		t.Errorf("next cycle = %q", text(next))
	}
	if strings.Contains(string(dom), "SYN-") {
		t.Error("the page shows a raw case reference")
	}

	dir := artifacts(t)
	for _, shot := range []struct{ name, size string }{{"status-page.png", "1280,1000"}, {"status-page-narrow.png", "390,844"}} {
		path := filepath.Join(dir, shot.name)
		browse(t, bin, srv.URL+"/", "--screenshot="+path, "--window-size="+shot.size, "--hide-scrollbars")
		b, err := os.ReadFile(path)
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Errorf("screenshot %s: %v", path, err)
		}
		t.Logf("screenshot: %s", path)
	}
}

func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if n == nil {
		return nil
	}
	if n.Type == html.ElementNode && match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if m := find(c, match); m != nil {
			return m
		}
	}
	return nil
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n == nil {
			return
		}
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(c string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		for _, f := range strings.Fields(attr(n, "class")) {
			if f == c {
				return true
			}
		}
		return false
	}
}

func text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}
