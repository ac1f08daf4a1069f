package daemon

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
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
	return secure(s.Token, s.routes(), func(*http.Request) { s.releaseSoon() })
}

// routes are Handler's endpoints without the security wrapper, for a
// Forum to mount under /p/<id>/.
func (s *Service) routes() http.Handler {
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
	return mux
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

// Server returns an HTTP server for Handler with timeouts that suit an
// operators' endpoint.
func (s *Service) Server() *http.Server { return serverFor(s.Handler(), s.Logger) }

// serverFor returns an HTTP server for h with timeouts that suit an
// operators' endpoint.
func serverFor(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}
