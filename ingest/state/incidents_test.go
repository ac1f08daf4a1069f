package state

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestIncidents(t *testing.T) {
	ctx := context.Background()
	d, _ := openTest(t)
	in := Incident{DetectedAt: t0, Partner: "braintree", Object: "a.csv", SHA256: "s1", Rule: "extra-label",
		NotifyPartnersDue: t0.Add(48 * time.Hour), ICODue: t0.Add(72 * time.Hour)}
	a, created, err := d.OpenIncident(ctx, in)
	if err != nil || !created || a.ID != "INC-2026-0001" {
		t.Fatalf("open = %+v %v %v", a, created, err)
	}
	again, created, err := d.OpenIncident(ctx, in)
	if err != nil || created || again.ID != a.ID {
		t.Fatalf("reopen = %+v %v %v", again, created, err)
	}
	in.Rule = "partner-mismatch"
	b, _, _ := d.OpenIncident(ctx, in)
	if b.ID != "INC-2026-0002" {
		t.Fatalf("second id = %s", b.ID)
	}
	if _, err := d.AckIncident(ctx, a.ID, IncidentAck{ICODecision: "maybe"}); err == nil {
		t.Fatal("a bad ICO decision was accepted")
	}
	got, err := d.AckIncident(ctx, a.ID, IncidentAck{PartnersNotified: t0.Add(time.Hour), Note: "phoned"})
	if err != nil || !got.PartnersNotified.Equal(t0.Add(time.Hour)) || got.ICODecision != "" {
		t.Fatalf("ack = %+v, %v", got, err)
	}
	got, err = d.AckIncident(ctx, a.ID, IncidentAck{ICODecision: ICONotRequired, ICOAt: t0.Add(2 * time.Hour), Note: "no risk"})
	if err != nil || got.Notes != "phoned\nno risk" || got.ICODecision != ICONotRequired || got.PartnersNotified.IsZero() {
		t.Fatalf("second ack = %+v, %v", got, err)
	}
	if _, err := d.CloseIncident(ctx, a.ID, t0.Add(3*time.Hour), "done"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CloseIncident(ctx, a.ID, t0.Add(3*time.Hour), "done"); err == nil {
		t.Fatal("closed twice")
	}
	if _, err := d.CloseIncident(ctx, "INC-2026-0099", t0, "x"); !errors.Is(err, ErrNoIncident) {
		t.Fatalf("unknown id: %v", err)
	}
	open, _ := d.Incidents(ctx, false)
	all, _ := d.Incidents(ctx, true)
	if len(open) != 1 || open[0].ID != b.ID || len(all) != 2 {
		t.Fatalf("open = %+v all = %d", open, len(all))
	}
	// A closed incident does not absorb a new breach of the same content.
	in.Rule = "extra-label"
	c, created, _ := d.OpenIncident(ctx, in)
	if !created || c.ID != "INC-2026-0003" {
		t.Fatalf("after close = %+v %v", c, created)
	}
}
