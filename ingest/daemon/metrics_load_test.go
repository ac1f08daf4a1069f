package daemon

import (
	"context"
	"testing"

	"landingd/ingest/state"
)

// A service started on a state with cycles behind it serves each
// partner's series at once, as the ledger has them.
func TestPartnerMetricsLoadedAtStart(t *testing.T) {
	f := newFixture(t, []string{"basildon", "braintree"})
	f.drop(t, "basildon", "2025Q4", 10)
	clock := &fakeClock{now: at("2026-01-07 06:00")}
	first := f.open(t, clock)
	cycleAt(t, first, at("2026-01-07 06:00"), state.TriggerSchedule)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(first.Runner.Close())

	s := f.open(t, clock)
	must(s.metrics.load(context.Background(), s))
	fams, err := s.Registry.Gather()
	must(err)
	got := map[string]float64{}
	for _, fam := range fams {
		for _, m := range fam.GetMetric() {
			key := fam.GetName()
			for _, l := range m.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			if m.Gauge != nil {
				got[key] = m.Gauge.GetValue()
			}
			if m.Counter != nil {
				got[key] = m.Counter.GetValue()
			}
		}
	}
	for key, want := range map[string]float64{
		"landingd_partner_last_success_timestamp_seconds,partner=basildon":  float64(at("2026-01-07 06:00").Unix()),
		"landingd_partner_last_success_timestamp_seconds,partner=braintree": float64(at("2026-01-07 06:00").Unix()),
		"landingd_files_total,partner=braintree,verdict=rejected":           0,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, ok, want)
		}
	}
}
