package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"

	"landingd/ingest/audit"
	"landingd/ingest/state"
)

// openAudit opens the audit log in the state folder and checks that its
// head is the one the database recorded: a log cut short, or one written
// past the database's record, is reported (and logged) but does not stop
// ingestion; "landingd audit verify" names the entry.
func (r *Runner) openAudit(ctx context.Context) error {
	l, err := audit.Open(ctx, r.Config.State)
	if errors.Is(err, audit.ErrPartialTail) {
		return fmt.Errorf("open audit log: %w (a write was cut short; run landingd audit repair)", err)
	}
	if err != nil {
		return fmt.Errorf("open audit log: %w", err)
	}
	r.Audit = l
	want, ok, err := r.DB.Meta(ctx, state.MetaAuditHead)
	if err != nil {
		return err
	}
	if _, head := l.Head(); ok && want != head {
		r.Logger.Error("the audit log's head is not the one recorded in the state database; run landingd audit verify")
	}
	return nil
}

// record appends one entry to the audit log and keeps the head hash in the
// state database. Appends and head updates are serialised, so the stored
// head is always the log's last entry. A failure to record is returned:
// what cannot be proven must not silently happen.
func (r *Runner) record(ctx context.Context, e audit.Entry) error {
	if r.Audit == nil {
		return nil
	}
	r.auditMu.Lock()
	defer r.auditMu.Unlock()
	ctx = context.WithoutCancel(ctx)
	got, err := r.Audit.Append(ctx, e)
	if err != nil {
		return fmt.Errorf("record %s in the audit log: %w", e.Event, err)
	}
	return r.DB.SetMeta(ctx, state.MetaAuditHead, got.Hash)
}

func (r *Runner) auditHead() string {
	if r.Audit == nil {
		return ""
	}
	_, h := r.Audit.Head()
	return h
}

// noteProtocolChanges records a change of the protocol file or the field
// list since the last cycle, seen by their hashes.
func (r *Runner) noteProtocolChanges(ctx context.Context, runID string) error {
	for _, c := range []struct{ key, event, hash, path string }{
		{state.MetaProtocolHash, audit.EventProtocolChange, r.Config.Hash, r.Config.Path},
		{state.MetaSchemaHash, audit.EventSchemaChange, r.Config.SchemaHash, r.Config.Schema},
	} {
		old, ok, err := r.DB.Meta(ctx, c.key)
		if err != nil {
			return err
		}
		if ok && old == c.hash {
			continue
		}
		data := map[string]any{"sha256": c.hash, "previous_sha256": old}
		if c.event == audit.EventSchemaChange {
			data["version"] = r.Schema.Version
		}
		if err := r.record(ctx, audit.Entry{Event: c.event, RunID: runID, Object: c.path, Data: data}); err != nil {
			return err
		}
		if err := r.DB.SetMeta(ctx, c.key, c.hash); err != nil {
			return err
		}
	}
	return nil
}

// copyAudit copies the audit log's segments to an output that is not a
// local folder (a local output sits beside the state anyway), under
// "audit/".
func (r *Runner) copyAudit(ctx context.Context) error {
	if r.Audit == nil || r.Config.Output.Kind == "local" {
		return nil
	}
	return r.Audit.CopySegments(ctx, func(name string, rd io.Reader) error {
		return r.Output.Put(ctx, "audit/"+name, rd)
	})
}
