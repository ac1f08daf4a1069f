package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"landingd/config"
	"landingd/internal/safetext"
)

// Kinds of event the service sends.
const (
	KindCycleFailed    = "cycle_failed"
	KindFileRejected   = "file_rejected"
	KindPartnerLate    = "partner_late"
	KindPartnerMissing = "partner_missing"
	// KindReviewOverdue is sent once per review date, when it has passed.
	KindReviewOverdue = "review_overdue"
)

// Event is one alert. Every field but Kind and Summary is optional. No
// field may hold a cell value or a secret: callers put identifiers,
// counts and rule names here.
type Event struct {
	Kind     string `json:"kind"`
	Summary  string `json:"summary"`
	Protocol string `json:"protocol,omitempty"`
	Partner  string `json:"partner,omitempty"`
	Quarter  string `json:"quarter,omitempty"`
	Object   string `json:"object,omitempty"`
	RunID    string `json:"run_id,omitempty"`
	// Details holds further counts and rule names.
	Details map[string]any `json:"details,omitempty"`
	// DPOEmails are the data protection officers to involve.
	DPOEmails []string `json:"dpo_emails,omitempty"`
	// Deadlines names the deadlines that apply, such as "deadline" for a
	// late partner.
	Deadlines map[string]time.Time `json:"deadlines,omitempty"`
	// Time is when the event happened; Send sets it when zero.
	Time time.Time `json:"time"`
}

// payload is what is posted: the event plus a "text" line that chat
// webhooks display.
type payload struct {
	Text string `json:"text"`
	Event
}

// Client posts events to one webhook. A nil Client, or one with an empty
// URL, sends nothing and reports no error, so that a service without
// alerts configured needs no special case.
type Client struct {
	// URL is the webhook's address. It is a secret: never logged.
	URL string
	// HTTP is the client used; nil means one with a 10 s timeout.
	HTTP *http.Client
	// Retries is how many times a failed post is retried (network errors,
	// 429 and 5xx answers); 0 means 5, negative means none.
	Retries int
	// Backoff is the first wait between tries, doubled each time; 0 means
	// one second. A Retry-After answer of up to a minute is honoured.
	Backoff time.Duration
	// Logger gets one line per retry and per failure; nil means none.
	Logger *slog.Logger
	// Now is the clock for Event.Time; nil means time.Now.
	Now func() time.Time
}

// FromConfig returns the client for the protocol's alerts settings, with
// logger for its retries and failures (nil means none): nil, and no error,
// when no webhook is configured. It fails when the webhook address cannot
// be read (see config.ReadSecret); the error names the variable or file,
// never the address.
func FromConfig(a config.Alerts, getenv func(string) string, logger *slog.Logger) (*Client, error) {
	if a.WebhookURLEnv == "" && a.WebhookURLFile == "" {
		return nil, nil
	}
	url, err := config.ReadSecret(getenv, a.WebhookURLEnv, a.WebhookURLFile)
	if err != nil {
		return nil, err
	}
	return &Client{URL: url, Logger: logger}, nil
}

// errPermanent marks an answer that retrying will not change.
var errPermanent = errors.New("webhook refused the alert")

// Send posts ev as JSON, retrying with backoff on network errors and on
// 429 and 5xx answers. It returns nil once the webhook answers 2xx; an
// error after the retries run out, on any other answer, or when ctx ends.
// Errors name the event's kind and the HTTP status, never the URL.
func (c *Client) Send(ctx context.Context, ev Event) error {
	if c == nil || c.URL == "" {
		return nil
	}
	if ev.Time.IsZero() {
		now := time.Now
		if c.Now != nil {
			now = c.Now
		}
		ev.Time = now().UTC()
	}
	// Names come from districts: no control character reaches a
	// receiver, in the text or in the fields. The text escapes the raw
	// summary itself (ChatText), so it is made before the fields are.
	text := Text(ev)
	ev.Summary, ev.Object = safetext.Escape(ev.Summary), safetext.Escape(ev.Object)
	if d, ok := safetext.EscapeAll(ev.Details).(map[string]any); ok {
		// Details can hold a district's column headings.
		ev.Details = d
	}
	body, err := json.Marshal(payload{Text: text, Event: ev})
	if err != nil {
		return fmt.Errorf("send alert %s: %w", ev.Kind, err)
	}
	retries := c.Retries
	if retries == 0 {
		retries = 5
	}
	wait := c.Backoff
	if wait <= 0 {
		wait = time.Second
	}
	for attempt := 0; ; attempt++ {
		retryAfter, err := c.post(ctx, body)
		if err == nil {
			return nil
		}
		if errors.Is(err, errPermanent) || attempt >= retries || ctx.Err() != nil {
			c.log(ctx, slog.LevelError, "alert not sent", ev.Kind, attempt+1, err)
			if cerr := ctx.Err(); cerr != nil {
				// Stopped while the webhook answered: the stop is why
				// no retry follows.
				return fmt.Errorf("send alert %s: %w: %w", ev.Kind, cerr, err)
			}
			return fmt.Errorf("send alert %s: %w", ev.Kind, err)
		}
		c.log(ctx, slog.LevelWarn, "alert retrying", ev.Kind, attempt+1, err)
		d := wait
		if retryAfter > d && retryAfter <= time.Minute {
			d = retryAfter
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("send alert %s: %w", ev.Kind, ctx.Err())
		case <-t.C:
		}
		wait *= 2
	}
}

func (c *Client) log(ctx context.Context, level slog.Level, msg, kind string, attempt int, err error) {
	if c.Logger != nil {
		c.Logger.Log(ctx, level, msg, "kind", kind, "attempt", attempt, "err", err)
	}
}

// post makes one attempt. Its errors never carry the URL: a *url.Error
// is unwrapped to its cause.
func (c *Client) post(ctx context.Context, body []byte) (retryAfter time.Duration, err error) {
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		// The parse error would quote the URL.
		return 0, fmt.Errorf("%w: the webhook URL does not parse", errPermanent)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "landingd")
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return 0, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			retryAfter = time.Duration(s) * time.Second
		}
		return retryAfter, fmt.Errorf("webhook answered %s", resp.Status)
	}
	return 0, fmt.Errorf("%w: webhook answered %s", errPermanent, resp.Status)
}

// Text is the one-line summary a chat webhook shows for ev, such as
// "landingd da-needs-assessment: file_rejected: basildon: ...". The
// summary is made inert for the receivers the README names: control
// characters are escaped (safetext.Escape); "&", "<" and ">" become
// entities, as Slack asks, so "<!channel>" or "<https://x|click>" in a
// file name is shown, not acted on; and "](" is split, so that Teams'
// Markdown makes no link of "[text](url)".
func Text(ev Event) string {
	s := "landingd"
	if ev.Protocol != "" {
		s += " " + ev.Protocol
	}
	s += ": " + ChatText(ev.Summary)
	return s
}

// chatMarkup replaces what Slack and Teams would read as markup.
var chatMarkup = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "](", "] (")

// ChatText returns s made inert for chat receivers (see Text).
func ChatText(s string) string {
	return chatMarkup.Replace(safetext.Escape(s))
}
