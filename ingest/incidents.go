package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"landingd/config"
	"landingd/ingest/alert"
	"landingd/ingest/audit"
	"landingd/ingest/state"
	"landingd/transform"
)

// KindIncident is the alert kind sent when a breach incident is opened.
const KindIncident = "breach_incident"

// maxICODeadline is the most UK GDPR Article 33 allows for telling the
// ICO.
const maxICODeadline = 72 * time.Hour

// BreachDeadlines returns how long after detection the partners must be
// notified and the ICO decision made: the protocol's breach settings, 48 h
// and 72 h when unset, the ICO's never more than 72 h.
func BreachDeadlines(cfg *config.Config) (notifyPartners, ico time.Duration) {
	notifyPartners, ico = cfg.Breach.NotifyPartners.Duration, cfg.Breach.ICO.Duration
	if notifyPartners <= 0 {
		notifyPartners = 48 * time.Hour
	}
	if ico <= 0 || ico > maxICODeadline {
		ico = maxICODeadline
	}
	return notifyPartners, ico
}

// incidentRules returns the breach rules a judged file broke, with the
// rows each affects: extra-label when it was rejected for columns outside
// the agreed list (every data row of the file; a misspelt heading is no
// breach), and partner-mismatch when it carried rows of another district.
func incidentRules(res *transform.Result) map[string]int {
	out := map[string]int{}
	if res.Verdict == transform.Rejected && len(res.ExtraColumns) > 0 {
		out[transform.RuleExtraLabel] = res.DataRows
	}
	if res.PartnerMismatch > 0 {
		out[transform.RulePartnerMismatch] = res.PartnerMismatch
	}
	return out
}

// incidentColumns returns the file's columns off the agreed list as an
// incident records them, and the names of those that look personal.
func incidentColumns(res *transform.Result) (cols []state.IncidentColumn, names, personal []string) {
	for _, c := range res.ExtraColumns {
		cols = append(cols, state.IncidentColumn{Name: c.Name, Personal: string(c.Personal)})
		names = append(names, c.Name)
		if c.Personal != "" {
			personal = append(personal, c.Name)
		}
	}
	return cols, names, personal
}

// openIncidents opens an incident for each breach rule the file broke,
// records it in the audit trail and alerts the operators. The alert is
// sent in the background; Cycle waits for it before it returns.
func (r *Runner) openIncidents(ctx context.Context, log *slog.Logger, runID string, p *config.Partner, name, sha string, res *transform.Result) error {
	rules := incidentRules(res)
	for _, rule := range []string{transform.RuleExtraLabel, transform.RulePartnerMismatch} {
		n, ok := rules[rule]
		if !ok {
			continue
		}
		now := r.now().UTC()
		notify, ico := BreachDeadlines(r.Config)
		var cols []state.IncidentColumn
		var names, personal []string
		if rule == transform.RuleExtraLabel {
			cols, names, personal = incidentColumns(res)
		}
		in, created, err := r.DB.OpenIncident(ctx, state.Incident{DetectedAt: now, Partner: p.ID, Object: name,
			SHA256: sha, Rule: rule, RowsAffected: n, Columns: cols, NotifyPartnersDue: now.Add(notify), ICODue: now.Add(ico)})
		if err != nil {
			return err
		}
		if !created {
			continue
		}
		log.Warn("breach incident opened", "incident", in.ID, "rule", rule, "rows", n,
			"columns", len(cols), "personal_columns", len(personal),
			"notify_partners_due", in.NotifyPartnersDue, "ico_due", in.ICODue)
		data := map[string]any{"incident": in.ID, "rule": rule, "rows": n, "sha256": sha,
			"notify_partners_due": in.NotifyPartnersDue.Format(time.RFC3339),
			"ico_due":             in.ICODue.Format(time.RFC3339)}
		if len(names) > 0 {
			data["columns"], data["personal_columns"] = names, personal
		}
		if err := r.record(ctx, audit.Entry{Event: audit.EventIncidentOpen, RunID: runID, Partner: p.ID, Object: name,
			Data: data}); err != nil {
			return err
		}
		r.alertIncident(ctx, log, runID, in)
	}
	return nil
}

// alerter returns the webhook client built from the protocol's alerts
// settings, or nil when none are set. A secret that cannot be read is
// logged (by name, never value) and no alert is sent.
func (r *store) alerter(log *slog.Logger) *alert.Client {
	r.alertOnce.Do(func() {
		if r.Alert != nil {
			return
		}
		c, err := alert.FromConfig(r.Config.Alerts, r.getenv, r.Logger)
		if err != nil {
			log.Error("alerts are configured but the webhook address cannot be read", "err", err)
			return
		}
		if c != nil {
			c.Now = r.Now
			r.Alert = c
		}
	})
	return r.Alert
}

// alertIncident sends the incident's alert in the background: identifiers,
// the rule, counts, the deadlines and the partners' DPO mailboxes, never a
// cell value.
func (r *Runner) alertIncident(ctx context.Context, log *slog.Logger, runID string, in state.Incident) {
	c := r.alerter(log)
	if c == nil {
		return
	}
	var dpos []string
	for _, p := range r.Config.Partners {
		if p.DPOEmail != "" {
			dpos = append(dpos, p.DPOEmail)
		}
	}
	what := "fields outside the agreed list"
	if in.Rule == transform.RulePartnerMismatch {
		what = fmt.Sprintf("%d row(s) of another district", in.RowsAffected)
	}
	details := map[string]any{"incident": in.ID, "rule": in.Rule, "rows": in.RowsAffected, "sha256": in.SHA256}
	if len(in.Columns) > 0 {
		details["columns"] = in.Columns
	}
	ev := alert.Event{
		Kind: KindIncident,
		Summary: fmt.Sprintf("possible personal data breach %s: %s sent %s in %s; notify the partners' DPOs by %s and decide on the ICO by %s",
			in.ID, in.Partner, what, in.Object, in.NotifyPartnersDue.Format(time.RFC3339), in.ICODue.Format(time.RFC3339)),
		Protocol:  r.Config.Protocol.ID,
		Partner:   in.Partner,
		Object:    in.Object,
		RunID:     runID,
		Details:   details,
		DPOEmails: dpos,
		Deadlines: map[string]time.Time{"notify_partners": in.NotifyPartnersDue, "ico": in.ICODue},
		Time:      in.DetectedAt,
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	r.alerts.Add(1)
	go func() {
		defer r.alerts.Done()
		defer cancel()
		if err := c.Send(actx, ev); err != nil {
			log.Error("breach alert not delivered", "incident", in.ID, "err", err)
		}
	}()
}

// AckIncident records, against incident id, when the partners were
// notified and the ICO decision, so the audit trail proves the deadlines
// were kept. It fails for an unknown id (state.ErrNoIncident), a closed
// incident, a bad ICO decision, or when the store or the audit trail fail.
func (r *Duties) AckIncident(ctx context.Context, id string, ack state.IncidentAck) (state.Incident, error) {
	in, err := r.DB.AckIncident(ctx, id, ack)
	if err != nil {
		return in, err
	}
	data := map[string]any{"incident": in.ID, "note": ack.Note}
	if !ack.PartnersNotified.IsZero() {
		data["partners_notified_at"] = ack.PartnersNotified.UTC().Format(time.RFC3339)
		data["partners_notified_in_time"] = !ack.PartnersNotified.After(in.NotifyPartnersDue)
	}
	if ack.ICODecision != "" {
		data["ico"] = ack.ICODecision
		data["ico_at"] = ack.ICOAt.UTC().Format(time.RFC3339)
		data["ico_in_time"] = !ack.ICOAt.After(in.ICODue)
	}
	return in, r.record(ctx, audit.Entry{Event: audit.EventIncidentAck, Partner: in.Partner, Object: in.Object, Data: data})
}

// CloseIncident closes incident id with the operator's note and records it.
// It fails for an unknown id (state.ErrNoIncident), an incident already
// closed, or when the store or the audit trail fail.
func (r *Duties) CloseIncident(ctx context.Context, id, note string) (state.Incident, error) {
	in, err := r.DB.CloseIncident(ctx, id, r.now(), note)
	if err != nil {
		return in, err
	}
	return in, r.record(ctx, audit.Entry{Event: audit.EventIncidentClose, Partner: in.Partner, Object: in.Object,
		Data: map[string]any{"incident": in.ID, "note": note, "partners_notified": !in.PartnersNotified.IsZero(),
			"ico": in.ICODecision}})
}
