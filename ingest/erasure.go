package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"landingd/config"
	"landingd/ingest/audit"
	"landingd/ingest/state"
	"landingd/storage"
	"landingd/transform"
)

// caseKey is how the store knows one case. The raw case_ref it was made
// from lives only in the caller's memory.
type caseKey struct {
	partner   *config.Partner
	laCode    string
	pseudonym string
	token     string
}

func (r *View) caseKey(partnerID, caseRef string) (caseKey, error) {
	p, ok := r.Config.Partner(partnerID)
	if !ok {
		return caseKey{}, fmt.Errorf("find partner %q: not in the protocol", partnerID)
	}
	caseRef = strings.TrimSpace(caseRef)
	if caseRef == "" {
		return caseKey{}, fmt.Errorf("identify a case of %s: the case_ref is empty", partnerID)
	}
	return caseKey{partner: p, laCode: p.GSS, pseudonym: r.Pseudo.Pseudonym(p.GSS, caseRef),
		token: r.Pseudo.ErasureToken(p.GSS, caseRef)}, nil
}

// ErasureReport is what one erasure did. It holds the case's erasure
// token, never its pseudonym or raw reference.
type ErasureReport struct {
	Partner  string
	Token    string
	Rows     int      // rows removed from the store
	Quarters []string // quarters whose outputs were regenerated
	// FilesDeleted are the files removed from the partner's processed/
	// folder, as "processed/NAME".
	FilesDeleted []string
	// AlreadyErased is true when the case was erased before and nothing
	// was left to do.
	AlreadyErased bool
	// OutputErr is set when an affected quarter's outputs could not be
	// regenerated; they stay marked for the next cycle.
	OutputErr error
}

// Erase removes every row of the partner's case caseRef from the store,
// puts the case's erasure token on the erasure list (so a later file
// carrying it is dropped and its district told to erase it at source),
// regenerates the affected quarters' outputs, deletes the files in the
// partner's processed/ folder that held the case, compacts the database
// and records it all in the audit trail. A case erased before, with
// nothing left of it, is a no-op reported by AlreadyErased.
//
// The audit trail never misses an erasure. The rows are deleted in the
// same database transaction that stores the audit entry as pending, and
// each file's deletion is marked in the ledger in the same transaction as
// its entry; the entries are then appended to the log (see flushPending).
// The files that held the case are marked as being erased before any is
// deleted from the zone. So when the audit log cannot be written, or the
// process stops part way, Erase fails (or never returns) and running it
// again (or any command that opens the log) appends each missing entry
// exactly once and deletes the files left; the audit entries name the
// case by its erasure token only.
//
// caseRef is used in memory only, to compute the pseudonym and the token.
// The Duties hold the state lock. Erase fails on an
// unknown partner, an empty caseRef, or when the store, the audit trail,
// the zone or compaction fail; what was done before the failure is
// recorded, or held to be recorded, and running Erase again finishes the
// job.
func (r *Duties) Erase(ctx context.Context, partnerID, caseRef, reason string) (*ErasureReport, error) {
	k, err := r.caseKey(partnerID, caseRef)
	if err != nil {
		return nil, err
	}
	if _, _, err := r.flushPending(ctx, false); err != nil {
		return nil, err
	}
	log := r.Logger.With("partner", partnerID)
	rep := &ErasureReport{Partner: partnerID, Token: k.token}
	e, err := r.DB.EraseCase(ctx, k.laCode, k.pseudonym, k.token, r.now(), func(e state.Erasure) []state.Pending {
		if e.Rows == 0 && e.AlreadyListed {
			return nil
		}
		return []state.Pending{{Event: audit.EventErasure, Partner: partnerID,
			Data: map[string]any{"token": k.token, "rows": e.Rows, "quarters": e.Quarters, "reason": reason,
				"files": len(e.Files)}}}
	})
	if err != nil {
		return nil, err
	}
	rep.Rows = e.Rows
	if _, _, err := r.flushPending(ctx, false); err != nil {
		return rep, err
	}
	if e.Rows > 0 || !e.AlreadyListed {
		log.Info("case erased from the store", "rows", e.Rows, "quarters", len(e.Quarters))
	}
	rep.Quarters, rep.OutputErr = r.publishDirty(ctx, log, "")

	deleted, err := r.deleteFilesHolding(ctx, log, k)
	rep.FilesDeleted = deleted
	if err != nil {
		return rep, err
	}
	// Compaction runs on a repeat call too: if it failed the first time,
	// the erased pages are still in the database files until it succeeds.
	if err := r.DB.Compact(ctx); err != nil {
		return rep, err
	}
	if e.Rows == 0 && e.AlreadyListed && len(deleted) == 0 {
		rep.AlreadyErased = true
		return rep, nil
	}
	if err := r.copyAudit(ctx); err != nil && rep.OutputErr == nil {
		rep.OutputErr = fmt.Errorf("copy audit log: %w", err)
	}
	return rep, nil
}

// deleteFilesHolding deletes from the partner's processed/ folder the
// files marked as being erased for the case (EraseCase marks those its
// rows came from), and any other file still there that carries the case:
// an earlier file that a resubmission replaced holds it too. Each such
// file is marked before it is deleted, and its deletion is recorded in the
// ledger together with its audit entry, so an interrupted erasure is
// finished and recorded by the next.
func (r *Duties) deleteFilesHolding(ctx context.Context, log *slog.Logger, k caseKey) ([]string, error) {
	files, err := r.DB.ZoneFiles(ctx, k.partner.ID, state.DisposedProcessed, time.Time{})
	if err != nil || len(files) == 0 {
		return nil, err
	}
	z, err := r.openZone(ctx, k.partner)
	if err != nil {
		return nil, fmt.Errorf("open zone of %s: %w", k.partner.ID, err)
	}
	defer z.Close()
	var deleted []string
	for _, f := range files {
		if f.Erasing != k.token {
			found, err := r.fileCarries(ctx, z, k, f.DisposedName)
			if errors.Is(err, storage.ErrNotExist) {
				// Gone already, and not by an erasure (the district tidied
				// up): note it.
				if err := r.DB.MarkFileDeleted(ctx, f.ObjectID, r.now()); err != nil {
					return deleted, err
				}
				continue
			}
			if err != nil {
				return deleted, err
			}
			if !found {
				continue
			}
			if err := r.DB.MarkFileErasing(ctx, f.ObjectID, k.token); err != nil {
				return deleted, err
			}
		}
		name := string(storage.Processed) + "/" + f.DisposedName
		entry := state.Pending{Event: audit.EventErasure, Partner: k.partner.ID, Object: name,
			Data: map[string]any{"token": k.token, "deleted": true, "sha256": f.SHA256}}
		if err := r.deleteZoneFile(ctx, z, storage.Processed, f, entry); err != nil {
			return deleted, err
		}
		deleted = append(deleted, name)
		log.Info("file that held an erased case deleted", "object", name)
		if _, _, err := r.flushPending(ctx, false); err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}

// fileCarries reads a file in processed/ and reports whether any of its
// valid rows is the case, whatever its reasonloss.
func (r *Duties) fileCarries(ctx context.Context, z storage.Zone, k caseKey, name string) (bool, error) {
	rc, err := z.Open(ctx, storage.Processed, name)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	found := false
	opt := JudgeOptions(r.Config, k.partner, r.now())
	opt.TempDir = r.Config.State
	opt.Erased = func(token string) bool {
		if token == k.token {
			found = true
		}
		return false
	}
	if _, err := transform.Judge(ctx, r.Schema, r.Pseudo, name, rc, opt, func(transform.Row) error { return nil }); err != nil {
		return false, fmt.Errorf("read %s of %s: %w", name, k.partner.ID, err)
	}
	return found, nil
}

// deleteZoneFile deletes a file and its report from folder, and records
// the deletion in the ledger together with entry, the audit entry that
// records it, held pending until flushPending appends it. A file already
// gone is not an error: a deletion interrupted before the ledger knew of
// it is recorded by the next attempt.
func (r *Duties) deleteZoneFile(ctx context.Context, z storage.Zone, folder storage.Folder, f state.CaseFile, entry state.Pending) error {
	for _, n := range []string{f.DisposedName, storage.ReportName(f.DisposedName)} {
		if err := z.Delete(ctx, folder, n); err != nil && !errors.Is(err, storage.ErrNotExist) {
			return fmt.Errorf("delete %s/%s of %s: %w", folder, n, f.Partner, err)
		}
	}
	return r.DB.MarkFileDeleted(ctx, f.ObjectID, r.now(), entry)
}

// RestrictionReport is what a restriction or its lifting did.
type RestrictionReport struct {
	Partner    string
	Token      string
	Restricted bool     // true for a restriction, false for its lifting
	Changed    int      // rows whose flag changed
	Held       int      // rows held for the case
	Quarters   []string // quarters whose outputs were regenerated
	OutputErr  error
}

// Restrict restricts (restrict true) or lifts the restriction of the
// partner's case caseRef (UK GDPR Article 18): its rows stay in the store
// but are left out of every output, including rows the district sends
// later, until the restriction is lifted. The affected quarters' outputs
// are regenerated and the change is recorded in the audit trail with the
// case's erasure token and the operator's reason.
//
// Restrict fails on an unknown partner, an empty caseRef, or when the
// store or the audit trail fail.
func (r *Duties) Restrict(ctx context.Context, partnerID, caseRef, reason string, restrict bool) (*RestrictionReport, error) {
	k, err := r.caseKey(partnerID, caseRef)
	if err != nil {
		return nil, err
	}
	log := r.Logger.With("partner", partnerID)
	rep := &RestrictionReport{Partner: partnerID, Token: k.token, Restricted: restrict}
	if rep.Changed, rep.Held, err = r.DB.Restrict(ctx, k.laCode, k.pseudonym, restrict, r.now()); err != nil {
		return nil, err
	}
	event := audit.EventRestriction
	if !restrict {
		event = audit.EventUnrestriction
	}
	if err := r.record(ctx, audit.Entry{Event: event, Partner: partnerID,
		Data: map[string]any{"token": k.token, "rows": rep.Changed, "rows_held": rep.Held, "reason": reason}}); err != nil {
		return rep, err
	}
	log.Info("case "+event, "rows", rep.Changed)
	rep.Quarters, rep.OutputErr = r.publishDirty(ctx, log, "")
	if err := r.copyAudit(ctx); err != nil && rep.OutputErr == nil {
		rep.OutputErr = fmt.Errorf("copy audit log: %w", err)
	}
	return rep, nil
}

// CaseExport is every row held for one case, for a subject access request
// (UK GDPR Article 15). It names the case by its pseudonym.
type CaseExport struct {
	Partner   string      `json:"partner"`
	LACode    string      `json:"la_code"`
	Pseudonym string      `json:"pseudonym"`
	Fields    []string    `json:"fields"` // the current field list's names, in order
	Rows      []ExportRow `json:"rows"`
}

// ExportRow is one row held for a case and the file it came from.
type ExportRow struct {
	Quarter        string            `json:"quarter"`
	QuarterEndDate string            `json:"quarter_end_date"`
	LACode         string            `json:"la_code"`
	Pseudonym      string            `json:"pseudonym"`
	Restricted     bool              `json:"restricted"`
	FieldList      string            `json:"field_list_version"`
	Values         map[string]string `json:"values"`
	SourceFile     string            `json:"source_file"`
	SourceSHA256   string            `json:"source_sha256"`
	SourceRow      int               `json:"source_row"`
	ReceivedAt     time.Time         `json:"received_at"`
}

// ExportCase returns every row held for the partner's case caseRef,
// restricted ones included, with the files they came from. The raw
// caseRef is used in memory only. Each row's values are named by the
// field list version it was judged under (the state records every
// version's fields); a version whose fields are not recorded falls back
// to the current names when the count matches, else "field_N". It fails
// on an unknown partner, an empty caseRef or a database error.
func (r *View) ExportCase(ctx context.Context, partnerID, caseRef string) (*CaseExport, error) {
	k, err := r.caseKey(partnerID, caseRef)
	if err != nil {
		return nil, err
	}
	rows, err := r.DB.CaseRows(ctx, k.laCode, k.pseudonym)
	if err != nil {
		return nil, err
	}
	lists, err := r.DB.FieldLists(ctx)
	if err != nil {
		return nil, err
	}
	ex := &CaseExport{Partner: partnerID, LACode: k.laCode, Pseudonym: k.pseudonym, Rows: []ExportRow{}}
	for _, f := range r.Schema.Fields {
		ex.Fields = append(ex.Fields, f.Name)
	}
	for _, cr := range rows {
		er := ExportRow{Quarter: cr.Quarter, QuarterEndDate: cr.QuarterEndDate, LACode: cr.LACode,
			Pseudonym: cr.Pseudonym, Restricted: cr.Restricted, FieldList: cr.SchemaVersion,
			Values: map[string]string{}, SourceFile: cr.File.Name, SourceSHA256: cr.File.SHA256,
			SourceRow: cr.SourceRow, ReceivedAt: cr.ReceivedAt.UTC()}
		names, ok := lists[cr.SchemaVersion]
		if !ok || len(names) != len(cr.Values) {
			names = ex.Fields
		}
		for i, v := range cr.Values {
			name := fmt.Sprintf("field_%d", i+1)
			if len(cr.Values) == len(names) {
				name = names[i]
			}
			er.Values[name] = v // the stored case_ref is already the pseudonym
		}
		ex.Rows = append(ex.Rows, er)
	}
	return ex, nil
}
