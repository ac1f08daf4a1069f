package daemon

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"landingd/ingest"
)

// Handler returns the operators' endpoints:
//
//	GET /healthz     liveness: 200 "ok" while the process serves
//	GET /readyz      200 when the state is writable and the last cycle did not fail, else 503
//	GET /metrics     Prometheus metrics (landingd_*)
//	GET /api/status  the JSON of "landingd status --json"
//	GET /            the HTML status page
//
// When Token is set, every path but /healthz needs "Authorization: Bearer
// TOKEN" (compared in constant time), on loopback too. Every answer
// carries a strict Content-Security-Policy and is not cached.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := s.ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: " + ingest.Redact(err.Error()) + "\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(s.Logger.Handler(), slog.LevelError),
	}))
	mux.HandleFunc("GET /api/status", func(w http.ResponseWriter, r *http.Request) {
		st, err := s.status(r.Context())
		if err != nil {
			s.serverError(w, "build status", err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(st)
	})
	mux.HandleFunc("GET /{$}", s.page)
	return s.secure(mux)
}

// status is BuildStatus with the service's own plan for the next cycle.
func (s *Service) status(ctx context.Context) (*ingest.Status, error) {
	st, err := ingest.BuildStatus(ctx, s.Config, s.Runner.DB, s.now())
	if err != nil {
		return nil, err
	}
	if n := s.NextCycle(); n != nil {
		n.At = n.At.UTC()
		st.NextCycle = n
	}
	return st, nil
}

func (s *Service) serverError(w http.ResponseWriter, op string, err error) {
	s.Logger.Error(op, "err", err)
	http.Error(w, "internal error: see the service log", http.StatusInternalServerError)
}

// secure adds the security headers and, with a Token, the bearer check.
func (s *Service) secure(next http.Handler) http.Handler {
	var want [sha256.Size]byte
	if s.Token != "" {
		want = sha256.Sum256([]byte(s.Token))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		if s.Token != "" && r.URL.Path != "/healthz" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
			if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
				h.Set("WWW-Authenticate", `Bearer realm="landingd"`)
				http.Error(w, "unauthorized: a bearer token is required", http.StatusUnauthorized)
				return
			}
		}
		next.ServeHTTP(w, r)
		if r.URL.Path != "/healthz" {
			s.releaseSoon()
		}
	})
}

// Server returns an HTTP server for Handler with timeouts that suit an
// operators' endpoint.
func (s *Service) Server() *http.Server {
	return &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
}
