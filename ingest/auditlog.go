package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"time"

	"landingd/ingest/audit"
	"landingd/ingest/state"
)

// openAudit opens the audit log in the state folder and checks that its
// head is the one the database recorded: a log cut short, or one written
// past the database's record, is reported (and logged) but does not stop
// ingestion; "landingd audit verify" names the entry. It then appends the
// entries a command that stopped early left pending (see flushPending),
// and fails when it cannot: a command that deletes data must not run
// while an earlier deletion is still unrecorded.
func (r *store) openAudit(ctx context.Context) error {
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
	_, head := l.Head()
	mismatch := ok && want != head
	n, found, err := r.flushPending(ctx, true)
	if err != nil {
		return err
	}
	if mismatch && found == 0 {
		r.Logger.Error("the audit log's head is not the one recorded in the state database; run landingd audit verify")
	}
	if n > 0 {
		r.Logger.Warn("audit entries left pending by an interrupted erasure or purge are now recorded", "entries", n)
		// The command that left them stopped before compacting: the rows
		// it deleted may still be in the database's free pages or log.
		if err := r.DB.Compact(ctx); err != nil {
			r.Logger.Warn("compacting the state database after an interrupted erasure or purge failed; the next erasure or purge compacts it", "err", err)
		}
	}
	return nil
}

// flushPending appends to the audit log, in order, the entries the state
// database holds pending (state.Pending) and removes each once appended.
//
// This is how erasure and retention keep the audit trail in step with the
// store. A deletion and its entry are committed to the database in one
// transaction, as a pending row; the entry reaches the log only after.
// Each entry is appended and then removed from the database together with
// the new head (state.DB.DonePending), so:
//
//   - when the append fails (a disk full, a read-only folder), the row
//     stays, the command fails, and the next command that opens the log
//     (Open, so the next erase, purge or cycle) appends it;
//   - when the process dies between the append and the removal, the
//     entry is in the log but still pending. Each entry carries its row's
//     random record_id, so the flush at Open (atOpen) first reads the log
//     for those ids and only removes the rows whose entry it finds; the
//     trail holds each entry exactly once;
//   - when the removal fails in a running process, the log is halted
//     (audit.Log.Halt): nothing more is appended until a new process
//     opens it, which then finds the entry as above.
//
// Only Open's flush reads the log: a row added later in this process can
// only be in the log if its removal failed, and that halts the log. The
// rows hold the erasure token, never the pseudonym or the raw case_ref.
//
// It returns how many entries it appended and how many it found already
// in the log. Without an audit log (after ReleaseLock) it does nothing.
func (r *store) flushPending(ctx context.Context, atOpen bool) (appended, found int, err error) {
	if r.Audit == nil {
		return 0, 0, nil
	}
	r.auditMu.Lock()
	defer r.auditMu.Unlock()
	ctx = context.WithoutCancel(ctx)
	pend, err := r.DB.PendingEntries(ctx)
	if err != nil || len(pend) == 0 {
		return 0, 0, err
	}
	inLog := map[string]bool{}
	if atOpen {
		ids := make(map[string]bool, len(pend))
		for _, p := range pend {
			ids[p.RecordID] = true
		}
		err := audit.Show(ctx, r.Config.State, time.Time{}, func(e audit.Entry) error {
			if id, ok := e.Data[recordIDKey].(string); ok && ids[id] {
				inLog[id] = true
			}
			return nil
		})
		if err != nil {
			return 0, 0, fmt.Errorf("look for pending audit entries in the log: %w", err)
		}
	}
	for _, p := range pend {
		if inLog[p.RecordID] {
			found++
		} else {
			if _, err := r.Audit.Append(ctx, pendingEntry(p)); err != nil {
				return appended, found, fmt.Errorf("record %s in the audit log: %w", p.Event, err)
			}
			appended++
		}
		_, head := r.Audit.Head()
		if err := r.DB.DonePending(ctx, p.ID, head); err != nil {
			r.Audit.Halt(err)
			return appended, found, err
		}
	}
	return appended, found, nil
}

// recordIDKey is the data key under which an entry that was pending
// carries its record id.
const recordIDKey = "record_id"

// pendingEntry is the audit entry a pending row stands for.
func pendingEntry(p state.Pending) audit.Entry {
	data := make(map[string]any, len(p.Data)+1)
	maps.Copy(data, p.Data)
	data[recordIDKey] = p.RecordID
	return audit.Entry{Event: p.Event, RunID: p.RunID, Partner: p.Partner, Object: p.Object, Data: data}
}

// record appends one entry to the audit log and keeps the head hash in the
// state database. Appends and head updates are serialised, so the stored
// head is always the log's last entry. A failure to record is returned:
// what cannot be proven must not silently happen.
func (r *store) record(ctx context.Context, e audit.Entry) error {
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

func (r *store) auditHead() string {
	if r.Audit == nil {
		return ""
	}
	_, h := r.Audit.Head()
	return h
}

// noteProtocolChanges records a change of the protocol file or the field
// list since the last cycle, seen by their hashes.
func (r *store) noteProtocolChanges(ctx context.Context, runID string) error {
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
func (r *store) copyAudit(ctx context.Context) error {
	if r.Audit == nil || r.Config.Output.Local != nil {
		return nil
	}
	return r.Audit.CopySegments(ctx, func(name string, rd io.Reader) error {
		return r.Output.Put(ctx, "audit/"+name, rd)
	})
}
