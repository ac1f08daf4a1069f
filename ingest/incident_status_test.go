package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"landingd/ingest/audit"
	"landingd/ingest/state"
	"landingd/transform"
	"landingd/transform/synth"
)

func TestNewIncidentStatus(t *testing.T) {
	t.Parallel()
	det := utc("2026-01-07 06:00")
	in := state.Incident{ID: "INC-2026-0001", DetectedAt: det, Partner: "braintree", Object: "x.csv",
		Rule: transform.RuleExtraLabel, RowsAffected: 20, NotifyPartnersDue: det.Add(48 * time.Hour), ICODue: det.Add(72 * time.Hour)}
	met := in
	met.PartnersNotified = utc("2026-01-08 09:00")
	late := in
	late.PartnersNotified, late.ICODecision, late.ICOAt = utc("2026-01-09 07:00"), state.ICONotRequired, utc("2026-01-09 07:00")
	tests := []struct {
		name       string
		in         state.Incident
		now        time.Time
		wantLeft   [2]string
		wantSecs   [2]int64
		wantDue    [2]bool // overdue per duty
		wantMet    [2]bool
		wantOverdu bool
	}{
		{"just opened", in, det.Add(10 * time.Minute), [2]string{"47h50m left", "71h50m left"},
			[2]int64{(47*60 + 50) * 60, (71*60 + 50) * 60}, [2]bool{}, [2]bool{}, false},
		{"partners overdue", in, utc("2026-01-09 08:30"), [2]string{"OVERDUE by 2h30m", "21h30m left"},
			[2]int64{-150 * 60, (21*60 + 30) * 60}, [2]bool{true, false}, [2]bool{}, true},
		{"partners told in time", met, utc("2026-01-09 08:30"), [2]string{"met 2026-01-08 09:00Z", "21h30m left"},
			[2]int64{-150 * 60, (21*60 + 30) * 60}, [2]bool{}, [2]bool{true, false}, false},
		{"both met, one late", late, utc("2026-01-11 08:30"), [2]string{"met late 2026-01-09 07:00Z", "met 2026-01-09 07:00Z"},
			[2]int64{-(50*60 + 30) * 60, -(26*60 + 30) * 60}, [2]bool{}, [2]bool{true, true}, false},
	}
	for _, tt := range tests {
		got := NewIncidentStatus(tt.in, tt.now)
		if got.ID != in.ID || got.Partner != in.Partner || got.Rule != in.Rule || got.RowsAffected != 20 || len(got.Duties) != 2 {
			t.Fatalf("%s: %+v", tt.name, got)
		}
		if got.Overdue != tt.wantOverdu {
			t.Errorf("%s: overdue = %v", tt.name, got.Overdue)
		}
		for i, d := range got.Duties {
			if d.Duty != []Duty{DutyNotifyPartners, DutyNotifyICO}[i] || d.Left != tt.wantLeft[i] || d.LeftSeconds != tt.wantSecs[i] ||
				d.Overdue != tt.wantDue[i] || (d.Met != nil) != tt.wantMet[i] {
				t.Errorf("%s: duty %d = %+v", tt.name, i, d)
			}
		}
	}
}

func TestStatusTextShowsIncidents(t *testing.T) {
	t.Parallel()
	det := utc("2026-01-07 06:00")
	st := &Status{Protocol: StatusProtocol{ID: "p", Title: "P"}, Incidents: []IncidentStatus{NewIncidentStatus(state.Incident{
		ID: "INC-2026-0003", DetectedAt: det, Partner: "harlow", Rule: transform.RuleExtraLabel, RowsAffected: 100,
		NotifyPartnersDue: det.Add(48 * time.Hour), ICODue: det.Add(72 * time.Hour)}, utc("2026-01-09 07:00"))}}
	var b bytes.Buffer
	if err := st.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"OPEN BREACH INCIDENTS: 1", "INC-2026-0003", "harlow", "extra-label", "100",
		"2026-01-09 06:00Z (OVERDUE by 1h00m)", "2026-01-10 06:00Z (23h00m left)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status text lacks %q:\n%s", want, b.String())
		}
	}
	st.Incidents = nil
	b.Reset()
	_ = st.WriteText(&b)
	if strings.Contains(b.String(), "INCIDENT") {
		t.Errorf("status without incidents mentions them:\n%s", b.String())
	}
}

func TestIncidentRecordsRowsAndColumns(t *testing.T) {
	t.Parallel()
	l := newDutyLab(t, "braintree", "basildon")
	l.set(utc("2026-01-07 06:00"))
	l.drop(t, "braintree", "extra.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 100,
		Extra: []string{"NI Number", "notes", strings.Repeat("n", 70)}})
	// A misspelt heading rejects the file but is no breach.
	l.drop(t, "basildon", "typo.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 10, Extra: []string{"referal_source"}})
	r := l.open(t)
	cycle(t, r)

	ins, err := r.DB.Incidents(context.Background(), true)
	must(t, err)
	if len(ins) != 1 {
		t.Fatalf("incidents = %+v, want braintree's only", ins)
	}
	in := ins[0]
	wantCols := []state.IncidentColumn{{Name: "NI Number", Personal: string(transform.PersonalNINumber)}, {Name: "notes"},
		{Name: strings.Repeat("n", 64)}}
	if in.Partner != "braintree" || in.Rule != transform.RuleExtraLabel || in.RowsAffected != 100 || !reflect.DeepEqual(in.Columns, wantCols) {
		t.Fatalf("incident = %+v", in)
	}
	st := NewIncidentStatus(in, l.clock())
	if !st.Personal || !reflect.DeepEqual(st.Columns, wantCols) {
		t.Errorf("incident status = %+v", st)
	}
	report, err := os.ReadFile(filepath.Join(l.cfg.Partners[1].Landing.Local.Path, "rejected", "typo.csv.report.txt"))
	must(t, err)
	if !strings.Contains(string(report), "did you mean `referral_source`?") {
		t.Errorf("typo.csv's report lacks the suggestion:\n%s", report)
	}
	if n := countEvents(t, l.cfg.State, audit.EventIncidentOpen, ""); n != 1 {
		t.Errorf("incident.open entries = %d", n)
	}
	verifyAudit(t, r)
}
