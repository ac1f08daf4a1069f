package daemon

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"

	"landingd/ingest"
	"landingd/ingest/register"
)

// Forum serves several protocols' Services from one HTTP server, each in
// its own lane: a protocol's cycles, state, key, zones, output, schedule,
// alerts and audit trail are its Service's alone, and a failure in one
// never reaches another. The endpoints:
//
//	GET /healthz               liveness: 200 "ok" while the process serves
//	GET /readyz                200 when every protocol is ready, else 503 naming those that are not
//	GET /metrics               every protocol's metrics, each series labelled protocol="<id>"
//	GET /api/status            the protocols, with their review and where their status is
//	GET /api/p/{id}/status     one protocol's status (the JSON of "landingd status --json")
//	GET /p/{id}/...            one protocol's own endpoints (its status page at /p/{id}/)
//	GET /                      the register of the protocols
//
// When Token is set, every path but /healthz needs "Authorization: Bearer
// TOKEN" (compared in constant time).
type Forum struct {
	Services []*Service // in the order given; ids are unique (config.CheckForum)
	// Title heads the register page.
	Title string
	Token string
	// Logger logs the server's own errors.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (f *Forum) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// service returns the Service of protocol id.
func (f *Forum) service(id string) *Service {
	for _, s := range f.Services {
		if s.Config.Protocol.ID == id {
			return s
		}
	}
	return nil
}

// ProtocolSummary is one protocol in /api/status.
type ProtocolSummary struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Review     string `json:"review"`
	ReviewDate string `json:"review_date"`
	Paused     bool   `json:"paused"`
	// PauseReason says why the protocol's cycles take no files, when
	// Paused (see ingest.PauseReason).
	PauseReason string            `json:"pause_reason,omitempty"`
	LastRun     *ingest.StatusRun `json:"last_run"`
	Incidents   int               `json:"open_incidents"`
	StatusURL   string            `json:"status_url"`
	PageURL     string            `json:"page_url"`
	Error       string            `json:"error,omitempty"`
}

// ForumStatus is what /api/status serves.
type ForumStatus struct {
	GeneratedAt time.Time         `json:"generated_at"`
	Protocols   []ProtocolSummary `json:"protocols"`
}

// entries builds the register from every protocol's status; a protocol
// whose status cannot be read shows its files alone, and the error is
// logged, never served.
func (f *Forum) entries(ctx context.Context) ([]register.Entry, []*ingest.Status) {
	now := f.now()
	es := make([]register.Entry, len(f.Services))
	sts := make([]*ingest.Status, len(f.Services))
	for i, s := range f.Services {
		st, err := s.status(ctx)
		if err != nil {
			s.Logger.Error("build status for the register", "err", err)
			st = nil
		}
		sts[i] = st
		es[i] = register.New(s.Config, st, now)
	}
	return es, sts
}

// Handler returns the forum's endpoints.
func (f *Forum) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		var bad []string
		for _, s := range f.Services {
			if err := s.ready(r.Context()); err != nil {
				bad = append(bad, s.Config.Protocol.ID+": "+ingest.Redact(err.Error()))
			}
		}
		if len(bad) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: " + strings.Join(bad, "; ") + "\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(forumGatherer{f}, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(f.logger().Handler(), slog.LevelError),
	}))
	mux.HandleFunc("GET /api/status", func(w http.ResponseWriter, r *http.Request) {
		es, sts := f.entries(r.Context())
		out := ForumStatus{GeneratedAt: f.now().UTC(), Protocols: make([]ProtocolSummary, len(es))}
		for i, e := range es {
			p := ProtocolSummary{ID: e.ID, Title: e.Title, Review: e.Review, ReviewDate: e.ReviewDate, Paused: e.Paused,
				PauseReason: ingest.PauseReason(f.Services[i].Config, f.now()),
				StatusURL:   "/api/p/" + e.ID + "/status", PageURL: "/p/" + e.ID + "/"}
			if st := sts[i]; st != nil {
				p.LastRun, p.Incidents = st.LastRun, len(st.Incidents)
			} else {
				p.Error = "status unavailable: see the service log"
			}
			out.Protocols[i] = p
		}
		writeJSON(w, out)
	})
	mux.HandleFunc("GET /api/p/{id}/status", func(w http.ResponseWriter, r *http.Request) {
		s := f.service(r.PathValue("id"))
		if s == nil {
			http.NotFound(w, r)
			return
		}
		st, err := s.status(r.Context())
		if err != nil {
			s.serverError(w, "build status", err)
			return
		}
		writeJSON(w, st)
	})
	for _, s := range f.Services {
		prefix := "/p/" + s.Config.Protocol.ID
		mux.Handle(prefix+"/", http.StripPrefix(prefix, s.routes()))
		mux.Handle("GET "+prefix, http.RedirectHandler(prefix+"/", http.StatusMovedPermanently))
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		es, _ := f.entries(r.Context())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := register.WriteHTML(w, cmp.Or(f.Title, "Information sharing protocols"), es, f.now(), func(id string) string { return "/p/" + id + "/" }); err != nil {
			f.logger().Error("render register", "err", err)
		}
	})
	return secure(f.Token, mux, func(r *http.Request) {
		for _, s := range f.Services {
			s.releaseSoon()
		}
	})
}

func (f *Forum) logger() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.Default()
}

// Server returns an HTTP server for Handler with the timeouts of
// Service.Server.
func (f *Forum) Server() *http.Server {
	srv := serverFor(f.Handler(), f.logger())
	return srv
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// secure adds the security headers and, with a token, the bearer check
// to every path but /healthz. after runs after each such request.
func secure(token string, next http.Handler, after func(*http.Request)) http.Handler {
	var want [sha256.Size]byte
	if token != "" {
		want = sha256.Sum256([]byte(token))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		if token != "" && r.URL.Path != "/healthz" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
			if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
				h.Set("WWW-Authenticate", `Bearer realm="landingd"`)
				http.Error(w, "unauthorized: a bearer token is required", http.StatusUnauthorized)
				return
			}
		}
		next.ServeHTTP(w, r)
		if r.URL.Path != "/healthz" && after != nil {
			after(r)
		}
	})
}

// forumGatherer gathers every protocol's registry. Each landingd_ series
// gets a protocol label; the process-wide go_ and process_ series, which
// every registry has alike, are taken once.
type forumGatherer struct{ f *Forum }

func (g forumGatherer) Gather() ([]*dto.MetricFamily, error) {
	byName := map[string]*dto.MetricFamily{}
	var errs prometheus.MultiError
	for i, s := range g.f.Services {
		mfs, err := s.Registry.Gather()
		if err != nil {
			errs = append(errs, fmt.Errorf("protocol %s: %w", s.Config.Protocol.ID, err))
		}
		for _, mf := range mfs {
			name := mf.GetName()
			if !strings.HasPrefix(name, "landingd_") {
				if i == 0 {
					byName[name] = mf
				}
				continue
			}
			for _, m := range mf.Metric {
				m.Label = append(m.Label, &dto.LabelPair{Name: proto.String("protocol"), Value: proto.String(s.Config.Protocol.ID)})
				slices.SortFunc(m.Label, func(a, b *dto.LabelPair) int { return cmp.Compare(a.GetName(), b.GetName()) })
			}
			if have, ok := byName[name]; ok {
				have.Metric = append(have.Metric, mf.Metric...)
			} else {
				byName[name] = mf
			}
		}
	}
	out := make([]*dto.MetricFamily, 0, len(byName))
	for _, mf := range byName {
		out = append(out, mf)
	}
	slices.SortFunc(out, func(a, b *dto.MetricFamily) int { return cmp.Compare(a.GetName(), b.GetName()) })
	return out, errs.MaybeUnwrap()
}
