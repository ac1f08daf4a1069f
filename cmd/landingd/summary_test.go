package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"landingd/ingest"
	"landingd/ingest/state"
	"landingd/transform"
)

func TestPrintSummaryShowsIncidents(t *testing.T) {
	t.Parallel()
	det := time.Date(2026, 1, 7, 6, 0, 0, 0, time.UTC)
	in := ingest.NewIncidentStatus(state.Incident{ID: "INC-2026-0001", DetectedAt: det, Partner: "braintree",
		Object: "extra.csv", Rule: transform.RuleExtraLabel, RowsAffected: 20,
		NotifyPartnersDue: det.Add(48 * time.Hour), ICODue: det.Add(72 * time.Hour)}, det.Add(time.Minute))
	sum := &ingest.Summary{RunID: "r", Started: det, Finished: det.Add(time.Minute),
		Partners:  []ingest.PartnerSummary{{Partner: "braintree", Files: []ingest.FileSummary{{Object: "extra.csv", Verdict: "rejected"}}}},
		Incidents: []ingest.IncidentStatus{in}}
	var b bytes.Buffer
	printSummary(&b, sum)
	for _, want := range []string{"OPEN BREACH INCIDENTS: 1", "INC-2026-0001", "braintree", "extra-label",
		"2026-01-09 06:00Z (47h59m left)", "2026-01-10 06:00Z (71h59m left)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}
