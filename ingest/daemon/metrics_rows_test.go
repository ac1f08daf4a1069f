package daemon

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"landingd/config"
	"landingd/ingest"
	"landingd/ingest/state"
	"landingd/transform"
)

// landingd_rows_total{outcome="accepted"} counts the rows kept, so the
// good rows of a rejected file are not among them, as in the run
// summary's CASES KEPT.
func TestRowsAcceptedOnlyFromAcceptedFiles(t *testing.T) {
	t.Parallel()
	s := &Service{Config: &config.Config{}, Registry: prometheus.NewRegistry()}
	m, err := newMetrics(s)
	if err != nil {
		t.Fatal(err)
	}
	sum := &ingest.Summary{Finished: time.Now(), Partners: []ingest.PartnerSummary{{
		Partner: "basildon",
		Files: []ingest.FileSummary{
			{Object: "a.csv", Verdict: transform.Accepted, Rows: transform.Counts{Read: 10, Accepted: 7, OutOfScope: 3}},
			{Object: "b.csv", Verdict: transform.Rejected, Rows: transform.Counts{Read: 20, Accepted: 15, OutOfScope: 4, Rejected: 1}},
			{Object: "c.csv", Verdict: state.VerdictDuplicate, Rows: transform.Counts{Read: 10, Accepted: 7, OutOfScope: 3}},
		},
	}}}
	m.observe(sum, nil, time.Second)
	for _, tt := range []struct {
		outcome string
		want    float64
	}{
		{"read", 40},
		{"accepted", 7},
		{"out_of_scope", 10},
		{"rejected", 1},
	} {
		if got := testutil.ToFloat64(m.rows.WithLabelValues(tt.outcome)); got != tt.want {
			t.Errorf("landingd_rows_total{outcome=%q} = %v, want %v", tt.outcome, got, tt.want)
		}
	}
}
