package daemon

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"landingd/ingest"
	"landingd/ingest/state"
	"landingd/transform"
)

// metrics are the service's Prometheus metrics. Labels are outcomes,
// verdicts and partner ids from the protocol: never personal data.
type metrics struct {
	cycles      *prometheus.CounterVec
	files       *prometheus.CounterVec
	rows        *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	duration    prometheus.Histogram
	next        prometheus.Gauge
}

// Cycle outcomes counted by landingd_cycles_total: the ledger's "ok",
// "failed" and "stopped", and "error" for a cycle that could not start or
// record itself.
const (
	outcomeOK      = string(state.RunOK)
	outcomeFailed  = string(state.RunFailed)
	outcomeStopped = string(state.RunStopped)
	outcomeError   = "error"
)

func newMetrics(s *Service) (*metrics, error) {
	m := &metrics{
		cycles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "landingd_cycles_total", Help: "Cycles run by this process, by outcome (ok, failed, stopped, error).",
		}, []string{"outcome"}),
		files: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "landingd_files_total", Help: "Source files judged by this process, by partner and verdict (accepted, rejected, duplicate).",
		}, []string{"partner", "verdict"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "landingd_rows_total", Help: "Rows read from source files by this process, by outcome (read; accepted: kept from accepted files; out_of_scope; rejected).",
		}, []string{"outcome"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "landingd_partner_last_success_timestamp_seconds", Help: "When a cycle of this process last reached the partner's landing zone without error (Unix time).",
		}, []string{"partner"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "landingd_cycle_duration_seconds", Help: "How long cycles took.",
			Buckets: prometheus.ExponentialBuckets(0.25, 2, 16), // 0.25 s to over 2 hours
		}),
		next: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "landingd_next_cycle_timestamp_seconds", Help: "When the next cycle is planned (Unix time; 0 when none is).",
		}),
	}
	cfg := s.Config
	review := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "landingd_protocol_review_timestamp_seconds", Help: "The protocol's review date (Unix time; 0 when it has none).",
	}, func() float64 {
		if cfg.Protocol.ReviewDate.IsZero() {
			return 0
		}
		return float64(cfg.Protocol.ReviewDate.Unix())
	})
	due := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "landingd_protocol_review_due", Help: "Whether the protocol's review is ok (0), due within 90 days (1) or overdue (2).",
	}, func() float64 {
		switch ingest.ReviewState(cfg, s.now()) {
		case "due":
			return 1
		case "overdue":
			return 2
		}
		return 0
	})
	for _, c := range []prometheus.Collector{m.cycles, m.files, m.rows, m.lastSuccess, m.duration, m.next, review, due,
		newIncidentCollector(s),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := s.Registry.Register(c); err != nil {
			return nil, err
		}
	}
	// Series that exist from the start, so that rate() and alerts see 0.
	for _, o := range []string{outcomeOK, outcomeFailed, outcomeStopped, outcomeError} {
		m.cycles.WithLabelValues(o)
	}
	for _, o := range []string{"read", "accepted", "out_of_scope", "rejected"} {
		m.rows.WithLabelValues(o)
	}
	return m, nil
}

// load sets the per-partner series from the ledger, so that they are
// present and right from the start, not only after this process's first
// cycle: every partner's file counters at 0, and each partner's last
// success as the ledger has it.
func (m *metrics) load(ctx context.Context, s *Service) error {
	for _, p := range s.Config.Partners {
		for _, v := range []transform.Verdict{transform.Accepted, transform.Rejected} {
			m.files.WithLabelValues(p.ID, string(v))
		}
	}
	last, err := s.Runner.DB.LastPartnerSuccess(ctx)
	if err != nil {
		return err
	}
	for p, t := range last {
		m.lastSuccess.WithLabelValues(p).Set(float64(t.UnixMilli()) / 1000)
	}
	return nil
}

// observe records one cycle.
func (m *metrics) observe(sum *ingest.Summary, err error, took time.Duration) {
	m.duration.Observe(took.Seconds())
	switch {
	case err != nil || sum == nil:
		m.cycles.WithLabelValues(outcomeError).Inc()
	case sum.Stopped:
		m.cycles.WithLabelValues(outcomeStopped).Inc()
	case sum.Failed():
		m.cycles.WithLabelValues(outcomeFailed).Inc()
	default:
		m.cycles.WithLabelValues(outcomeOK).Inc()
	}
	if sum == nil {
		return
	}
	for _, p := range sum.Partners {
		for _, f := range p.Files {
			m.files.WithLabelValues(p.Partner, string(f.Verdict)).Inc()
			m.rows.WithLabelValues("read").Add(float64(f.Rows.Read))
			if f.Verdict == transform.Accepted {
				// A rejected file keeps nothing, however many of its
				// rows were good: "accepted" counts the rows kept, as the
				// run summary's CASES KEPT does.
				m.rows.WithLabelValues("accepted").Add(float64(f.Rows.Accepted))
			}
			m.rows.WithLabelValues("out_of_scope").Add(float64(f.Rows.OutOfScope))
			m.rows.WithLabelValues("rejected").Add(float64(f.Rows.Rejected))
		}
		if p.Err == nil && !sum.Stopped {
			m.lastSuccess.WithLabelValues(p.Partner).Set(float64(sum.Finished.UnixMilli()) / 1000)
		}
	}
}

// incidentCollector reports the open breach incidents, read from the
// state at each scrape, so that they show from the start of the service
// and whichever process opened them.
type incidentCollector struct {
	s        *Service
	open     *prometheus.Desc
	deadline *prometheus.Desc
}

func newIncidentCollector(s *Service) *incidentCollector {
	return &incidentCollector{s: s,
		open: prometheus.NewDesc("landingd_incidents_open",
			"Breach incidents open (detected and not closed).", nil, nil),
		deadline: prometheus.NewDesc("landingd_incident_deadline_timestamp_seconds",
			"When an open incident's duty (notify_partners, notify_ico) is due (Unix time); the series goes once the duty is recorded met.",
			[]string{"incident", "duty"}, nil),
	}
}

// incidentScrapeTimeout bounds the read of the state at a scrape.
const incidentScrapeTimeout = 5 * time.Second

func (c *incidentCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.open
	ch <- c.deadline
}

func (c *incidentCollector) Collect(ch chan<- prometheus.Metric) {
	if c.s.Runner == nil || c.s.Runner.DB == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), incidentScrapeTimeout)
	defer cancel()
	ins, err := ingest.OpenIncidents(ctx, c.s.Runner.DB, c.s.now())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.open, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(len(ins)))
	for _, in := range ins {
		for _, d := range in.Duties {
			if d.Met != nil {
				continue
			}
			ch <- prometheus.MustNewConstMetric(c.deadline, prometheus.GaugeValue, float64(d.Due.Unix()), in.ID, string(d.Duty))
		}
	}
}
