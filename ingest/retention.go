package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"landingd/config"
	"landingd/ingest/audit"
	"landingd/ingest/state"
	"landingd/storage"
)

// PurgeReport is what a retention purge did, or, for a dry run, would do.
type PurgeReport struct {
	DryRun bool      `json:"dry_run"`
	At     time.Time `json:"at"`
	// CasesCutoff is the last quarter_end_date whose rows expire.
	CasesCutoff string `json:"cases_cutoff"`
	// Cases counts expired rows by quarter. Quarters listed here have no
	// rows left, so their outputs are removed.
	Cases map[string]int `json:"cases"`
	// Files are district files (and their reports) deleted from zones.
	Files []PurgedFile `json:"files"`
	// AuditSegments are the sealed audit segments deleted.
	AuditSegments []string `json:"audit_segments"`
	// Quarters are the output quarters regenerated or removed.
	Quarters []string `json:"quarters"`
	// Problems lists what could not be purged (a zone that cannot be
	// reached, a partner no longer in the protocol); the next purge tries
	// again.
	Problems []string `json:"problems,omitempty"`
}

// PurgedFile is one district file a purge deletes.
type PurgedFile struct {
	Partner    string    `json:"partner"`
	Folder     string    `json:"folder"` // processed | rejected
	Name       string    `json:"name"`
	DisposedAt time.Time `json:"disposed_at,omitzero"`
}

// Empty reports whether the purge found nothing to delete.
func (p *PurgeReport) Empty() bool {
	return len(p.Cases) == 0 && len(p.Files) == 0 && len(p.AuditSegments) == 0
}

// casesCutoff returns the last quarter_end_date whose quarter ended more
// than keep before now: a quarter ends at the close of its last day.
func casesCutoff(now time.Time, keep time.Duration) string {
	return now.UTC().Add(-keep).AddDate(0, 0, -1).Format(time.DateOnly)
}

// Purge applies the protocol's retention at the clock: it deletes
// case rows whose quarter ended more than retention.cases ago and
// regenerates (or, with no rows left, removes) those quarters' outputs;
// deletes from the zones the files in processed/ and rejected/, with their
// reports, whose disposition the ledger dates more than
// retention.processed_files or retention.rejected_files ago; deletes
// sealed audit segments whose entries are all older than retention.audit
// (each leaves a checkpoint entry); records every deletion in the audit
// trail; and compacts the database so deleted rows leave no trace.
// View.PlanPurge reports what it would delete and changes nothing.
//
// Zones that cannot be reached are listed in Problems and retried by the
// next purge. Purge fails on a database or audit trail error.
//
// The audit trail never misses a deletion. Expired rows are deleted in the
// same database transaction that stores their audit entries (one per
// quarter) as pending, and each file's deletion is marked in the ledger
// in the same transaction as its entry; the entries are then appended to
// the log (see flushPending). When the log cannot be written, or the
// process stops part way, Purge fails (or never returns) and the next
// purge, or any command that opens the log first, appends each missing
// entry exactly once; a file deleted from its zone before the ledger knew
// is still listed as due, found gone, and then recorded. The summary entry
// that closes a purge that deleted something is written last and only by
// the purge that got that far: an interrupted purge leaves its itemised
// entries, which are the evidence, and no summary.
func (r *Duties) Purge(ctx context.Context, runID string) (*PurgeReport, error) {
	now := r.now().UTC()
	ret := r.Config.Retention
	log := r.Logger
	if runID != "" {
		log = log.With("run_id", runID)
	}
	rep := newPurgeReport(false, now)
	if _, _, err := r.flushPending(ctx, false); err != nil {
		return rep, err
	}

	// Cases.
	if ret.Cases.Duration > 0 {
		rep.CasesCutoff = casesCutoff(now, ret.Cases.Duration)
		var err error
		rep.Cases, err = r.DB.PurgeCases(ctx, rep.CasesCutoff, now, func(cases map[string]int) []state.Pending {
			var out []state.Pending
			for _, q := range sortedKeys(cases) {
				out = append(out, state.Pending{Event: audit.EventPurge, RunID: runID, Object: q,
					Data: map[string]any{"kind": "cases", "rows": cases[q], "cutoff": rep.CasesCutoff}})
			}
			return out
		})
		if err != nil {
			return rep, err
		}
	}
	for _, q := range sortedKeys(rep.Cases) {
		log.Info("expired cases deleted", "quarter", q, "rows", rep.Cases[q])
	}
	if _, _, err := r.flushPending(ctx, false); err != nil {
		return rep, err
	}
	var err error
	rep.Quarters, err = r.publishDirty(ctx, log, runID)
	if err != nil {
		rep.Problems = append(rep.Problems, "outputs: "+err.Error())
	}

	// Files in the zones.
	for _, lim := range fileRetention(ret) {
		if err := r.purgeFiles(ctx, log, runID, rep, lim.folder, now.Add(-lim.keep)); err != nil {
			return rep, err
		}
	}

	// The audit trail.
	if ret.Audit.Duration > 0 && r.Audit != nil {
		removed, err := r.purgeAudit(ctx, now.Add(-ret.Audit.Duration))
		for _, s := range removed {
			rep.AuditSegments = append(rep.AuditSegments, s.Name)
			log.Info("expired audit segment deleted", "segment", s.Name, "entries", s.Entries)
		}
		if err != nil {
			return rep, err
		}
	}

	if !rep.Empty() {
		if err := r.record(ctx, audit.Entry{Event: audit.EventPurge, RunID: runID,
			Data: map[string]any{"kind": "summary", "cases": sumValues(rep.Cases), "quarters": rep.Quarters,
				"files": len(rep.Files), "audit_segments": rep.AuditSegments}}); err != nil {
			return rep, err
		}
		if err := r.DB.Compact(ctx); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// newPurgeReport returns an empty report of a purge (or, with dryRun, a
// plan) at now.
func newPurgeReport(dryRun bool, now time.Time) *PurgeReport {
	return &PurgeReport{DryRun: dryRun, At: now, Cases: map[string]int{}, Files: []PurgedFile{}, AuditSegments: []string{}}
}

// folderRetention is how long files are kept in one zone folder.
type folderRetention struct {
	folder storage.Folder
	keep   time.Duration
}

// fileRetention returns the zone folders whose files expire, with how
// long each keeps them.
func fileRetention(ret config.Retention) []folderRetention {
	var out []folderRetention
	for _, lim := range []struct {
		folder storage.Folder
		keep   config.Duration
	}{{storage.Processed, ret.ProcessedFiles}, {storage.Rejected, ret.RejectedFiles}} {
		if lim.keep.Duration > 0 {
			out = append(out, folderRetention{lim.folder, lim.keep.Duration})
		}
	}
	return out
}

// partnerFiles are one partner's files due for deletion.
type partnerFiles struct {
	partner *config.Partner
	files   []state.CaseFile
}

// dueFiles returns, by partner in the ledger's order, the files the
// ledger places in folder that were disposed of before cutoff. A partner
// no longer in the protocol is left out and named in rep.Problems.
func (v *View) dueFiles(ctx context.Context, rep *PurgeReport, folder storage.Folder, cutoff time.Time) ([]partnerFiles, error) {
	files, err := v.DB.ZoneFiles(ctx, "", string(folder), cutoff)
	if err != nil {
		return nil, err
	}
	byPartner := map[string][]state.CaseFile{}
	var partners []string
	for _, f := range files {
		if _, ok := byPartner[f.Partner]; !ok {
			partners = append(partners, f.Partner)
		}
		byPartner[f.Partner] = append(byPartner[f.Partner], f)
	}
	var out []partnerFiles
	for _, id := range partners {
		p, ok := v.Config.Partner(id)
		if !ok {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %d file(s) in %s/ are due but the partner is no longer in the protocol", id, len(byPartner[id]), folder))
			continue
		}
		out = append(out, partnerFiles{p, byPartner[id]})
	}
	return out, nil
}

// purgeFiles deletes the files the ledger places in folder that were
// disposed of before cutoff.
func (r *Duties) purgeFiles(ctx context.Context, log *slog.Logger, runID string, rep *PurgeReport, folder storage.Folder, cutoff time.Time) error {
	due, err := r.dueFiles(ctx, rep, folder, cutoff)
	if err != nil {
		return err
	}
	for _, g := range due {
		id := g.partner.ID
		z, err := r.openZone(ctx, g.partner)
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %v", id, err))
			log.Error("retention cannot reach a zone", "partner", id, "err", err)
			continue
		}
		for _, f := range g.files {
			name := string(folder) + "/" + f.DisposedName
			entry := state.Pending{Event: audit.EventPurge, RunID: runID, Partner: id, Object: name,
				Data: map[string]any{"kind": "file", "sha256": f.SHA256}}
			if err := r.deleteZoneFile(ctx, z, folder, f, entry); err != nil {
				rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %v", id, err))
				log.Error("retention cannot delete a file", "partner", id, "object", f.DisposedName, "err", err)
				break
			}
			rep.Files = append(rep.Files, PurgedFile{Partner: id, Folder: string(folder), Name: f.DisposedName})
			log.Info("expired file deleted", "partner", id, "object", name)
			if _, _, err := r.flushPending(ctx, false); err != nil {
				z.Close()
				return err
			}
		}
		z.Close()
	}
	return nil
}

// purgeAudit deletes expired audit segments and stores the new head (the
// checkpoints PurgeBefore appended) in the database.
func (r *Duties) purgeAudit(ctx context.Context, cutoff time.Time) ([]audit.SegmentInfo, error) {
	r.auditMu.Lock()
	defer r.auditMu.Unlock()
	removed, err := r.Audit.PurgeBefore(ctx, cutoff)
	_, head := r.Audit.Head()
	if serr := r.DB.SetMeta(ctx, state.MetaAuditHead, head); serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return removed, fmt.Errorf("purge audit log: %w", err)
	}
	return removed, nil
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
