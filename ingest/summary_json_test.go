package ingest

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"landingd/transform"
)

func TestSummaryJSONRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 7, 6, 0, 0, 0, time.UTC)
	in := &Summary{
		RunID: "20260107T060000Z-abcdef", Started: at, Finished: at.Add(time.Minute),
		Partners: []PartnerSummary{
			{Partner: "basildon", Files: []FileSummary{{Object: "b.csv", Verdict: "accepted",
				Rows: transform.Counts{Read: 10, Accepted: 4, OutOfScope: 5, Rejected: 1}, DisposedTo: "processed/b.csv"}}},
			{Partner: "braintree", Err: errors.New("sftp 127.0.0.1:22: connection refused"), Waiting: 1},
			{Partner: "harlow", Withdrawn: true},
		},
		Quarters:  []string{"2025Q4"},
		OutputErr: errors.New("publish 2025Q4: disk full"),
		Stopped:   true,
		Purge:     &PurgeReport{Cases: map[string]int{"2018Q3": 2}},
		Incidents: []IncidentStatus{{ID: "INC-2026-0001", Partner: "basildon", Rule: transform.RuleExtraLabel,
			Object: "x.csv", RowsAffected: 10, DetectedAt: at, Overdue: true,
			Duties: []IncidentDuty{{Duty: DutyNotifyPartners, Due: at, LeftSeconds: -60, Left: "OVERDUE by 0h01m", Overdue: true}}}},
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Summary
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Partners[1].Err == nil || out.Partners[1].Err.Error() != in.Partners[1].Err.Error() {
		t.Errorf("partner error came back as %v", out.Partners[1].Err)
	}
	if out.OutputErr == nil || out.OutputErr.Error() != in.OutputErr.Error() || out.PurgeErr != nil {
		t.Errorf("errors came back as %v, %v", out.OutputErr, out.PurgeErr)
	}
	if !out.Failed() {
		t.Error("a failed cycle reads back as not failed")
	}
	// Apart from the errors' types, the summary survives whole.
	in.Partners[1].Err, out.Partners[1].Err = nil, nil
	in.OutputErr, out.OutputErr = nil, nil
	if !reflect.DeepEqual(in, &out) {
		t.Errorf("round trip changed the summary:\n%+v\n%+v", in, &out)
	}
}
