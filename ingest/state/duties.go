package state

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// This file holds what the protocol's duties need from the store: the
// erasure list, restrictions, a case's rows for a subject access request,
// retention, compaction and breach incidents.

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// queryStrings runs a query returning one text column.
func queryStrings(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ErasureList returns every token on the erasure list, for a run to check
// each row against in memory. It fails on a database error.
func (d *DB) ErasureList(ctx context.Context) (map[string]bool, error) {
	toks, err := queryStrings(ctx, d.db, `SELECT token FROM erasures`)
	if err != nil {
		return nil, fmt.Errorf("read erasure list: %w", err)
	}
	m := make(map[string]bool, len(toks))
	for _, t := range toks {
		m[t] = true
	}
	return m, nil
}

// IsErased reports whether token is on the erasure list. It fails on a
// database error.
func (d *DB) IsErased(ctx context.Context, token string) (bool, error) {
	var n int
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM erasures WHERE token = ?`, token).Scan(&n); err != nil {
		return false, fmt.Errorf("read erasure list: %w", err)
	}
	return n > 0, nil
}

// CaseFile is one file in the ledger that held rows of a case.
type CaseFile struct {
	ObjectID     int64
	Partner      string
	Name         string // the name the district gave it
	SHA256       string
	DisposedTo   string // processed | rejected | kept | ""
	DisposedName string // its name in DisposedTo
	Deleted      bool   // erasure or retention deleted it from the zone
	// Erasing is the erasure token the file is being deleted for ("" when
	// none): set before the file is deleted from the zone, so that an
	// erasure interrupted after the deletion finishes recording it.
	Erasing string
}

// Erasure is what EraseCase removed.
type Erasure struct {
	Rows     int
	Quarters []string   // the quarters that held the case, now dirty
	Files    []CaseFile // the files its rows came from
	// AlreadyListed is true when the token was on the erasure list before.
	AlreadyListed bool
}

// EraseCase deletes every row of the case (laCode, pseudonym), restricted
// or not, and its restriction, puts token on the erasure list, marks the
// quarters that held it dirty, marks the files in processed/ its rows came
// from as being erased for token (CaseFile.Erasing), and adds the audit
// entries entries returns for what was removed (nil entries, or entries
// returning none, adds none), all in one transaction. It returns what it
// removed; erasing a case with no rows still lists its token. It fails on
// a database error, and then nothing changes.
func (d *DB) EraseCase(ctx context.Context, laCode, pseudonym, token string, at time.Time, entries func(Erasure) []Pending) (Erasure, error) {
	var e Erasure
	err := d.write(ctx, func(tx *sql.Tx) error {
		var err error
		if e.Quarters, err = queryStrings(ctx, tx, `SELECT DISTINCT quarter FROM cases
			WHERE la_code = ? AND pseudonym = ? ORDER BY quarter`, laCode, pseudonym); err != nil {
			return err
		}
		if e.Files, err = caseFiles(ctx, tx, laCode, pseudonym); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE objects SET erasing = ?
			WHERE disposed_to = ? AND disposed_name != '' AND deleted_at = ''
			AND id IN (SELECT object_id FROM cases WHERE la_code = ? AND pseudonym = ?)`,
			token, DisposedProcessed, laCode, pseudonym); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM cases WHERE la_code = ? AND pseudonym = ?`, laCode, pseudonym)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		e.Rows = int(n)
		if _, err := tx.ExecContext(ctx, `DELETE FROM restrictions WHERE la_code = ? AND pseudonym = ?`, laCode, pseudonym); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO erasures (token, erased_at) VALUES (?, ?) ON CONFLICT (token) DO NOTHING`,
			token, timeText(at))
		if err != nil {
			return err
		}
		added, _ := res.RowsAffected()
		e.AlreadyListed = added == 0
		if err := markDirty(ctx, tx, e.Quarters...); err != nil {
			return err
		}
		if entries != nil {
			return addPending(ctx, tx, at, entries(e)...)
		}
		return nil
	})
	if err != nil {
		return Erasure{}, fmt.Errorf("erase a case of %s: %w", laCode, err)
	}
	return e, nil
}

// caseFiles lists the files the case's current rows came from.
func caseFiles(ctx context.Context, q querier, laCode, pseudonym string) ([]CaseFile, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT o.id, o.partner, o.name, o.sha256, o.disposed_to, o.disposed_name, o.deleted_at
		FROM cases c JOIN objects o ON o.id = c.object_id
		WHERE c.la_code = ? AND c.pseudonym = ? ORDER BY o.id`, laCode, pseudonym)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseFile
	for rows.Next() {
		var f CaseFile
		var deleted string
		if err := rows.Scan(&f.ObjectID, &f.Partner, &f.Name, &f.SHA256, &f.DisposedTo, &f.DisposedName, &deleted); err != nil {
			return nil, err
		}
		f.Deleted = deleted != ""
		out = append(out, f)
	}
	return out, rows.Err()
}

// Restrict sets (restricted true) or lifts the restriction of the case
// (laCode, pseudonym): its rows stay in the store but out of every output.
// A restriction is remembered apart from the rows, so that rows the
// district sends later are restricted too (see ApplyRestrictions). The
// quarters whose rows changed are marked dirty. It returns the rows changed
// and the rows held, and fails on a database error.
func (d *DB) Restrict(ctx context.Context, laCode, pseudonym string, restricted bool, at time.Time) (changed, held int, err error) {
	flag := 0
	if restricted {
		flag = 1
	}
	err = d.write(ctx, func(tx *sql.Tx) error {
		if restricted {
			if _, err := tx.ExecContext(ctx, `INSERT INTO restrictions (la_code, pseudonym, restricted_at) VALUES (?, ?, ?)
				ON CONFLICT (la_code, pseudonym) DO NOTHING`, laCode, pseudonym, timeText(at)); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `DELETE FROM restrictions WHERE la_code = ? AND pseudonym = ?`, laCode, pseudonym); err != nil {
			return err
		}
		qs, err := queryStrings(ctx, tx, `SELECT DISTINCT quarter FROM cases
			WHERE la_code = ? AND pseudonym = ? AND restricted != ? ORDER BY quarter`, laCode, pseudonym, flag)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE cases SET restricted = ? WHERE la_code = ? AND pseudonym = ? AND restricted != ?`,
			flag, laCode, pseudonym, flag)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		changed = int(n)
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE la_code = ? AND pseudonym = ?`,
			laCode, pseudonym).Scan(&held); err != nil {
			return err
		}
		return markDirty(ctx, tx, qs...)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("set restriction of a case of %s: %w", laCode, err)
	}
	return changed, held, nil
}

// ApplyRestrictions restricts every stored row of a restricted case that
// is not restricted yet (rows a district sent after the restriction), and
// marks their quarters dirty. A run calls it before publishing, so that no
// output ever shows a restricted case. It returns the rows changed and
// fails on a database error.
func (d *DB) ApplyRestrictions(ctx context.Context) (int, error) {
	var n int64
	err := d.write(ctx, func(tx *sql.Tx) error {
		qs, err := queryStrings(ctx, tx, `SELECT DISTINCT c.quarter FROM cases c
			JOIN restrictions r ON r.la_code = c.la_code AND r.pseudonym = c.pseudonym
			WHERE c.restricted = 0 ORDER BY c.quarter`)
		if err != nil || len(qs) == 0 {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE cases SET restricted = 1 WHERE restricted = 0 AND EXISTS
			(SELECT 1 FROM restrictions r WHERE r.la_code = cases.la_code AND r.pseudonym = cases.pseudonym)`)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return markDirty(ctx, tx, qs...)
	})
	if err != nil {
		return 0, fmt.Errorf("apply restrictions: %w", err)
	}
	return int(n), nil
}

// CaseRow is one row held for a case, with the file it came from, for a
// subject access request.
type CaseRow struct {
	StoredRow
	Restricted bool
	File       CaseFile
	ReceivedAt time.Time
}

// CaseRows returns every row held for the case (laCode, pseudonym),
// restricted ones included, ordered by quarter_end_date. It fails on a
// database error or when a stored row does not decode.
func (d *DB) CaseRows(ctx context.Context, laCode, pseudonym string) ([]CaseRow, error) {
	rows, err := d.db.QueryContext(ctx, `
SELECT c.la_code, c.pseudonym, c.quarter_end_date, c.quarter, c.object_id, c.source_row, c.schema_version, c.vals,
	c.restricted, o.partner, o.name, o.sha256, o.disposed_to, o.disposed_name, o.deleted_at, o.received_at
FROM cases c JOIN objects o ON o.id = c.object_id
WHERE c.la_code = ? AND c.pseudonym = ? ORDER BY c.quarter_end_date`, laCode, pseudonym)
	if err != nil {
		return nil, fmt.Errorf("read a case of %s: %w", laCode, err)
	}
	defer rows.Close()
	var out []CaseRow
	for rows.Next() {
		var r CaseRow
		var vals []byte
		var deleted, recv string
		if err := rows.Scan(&r.LACode, &r.Pseudonym, &r.QuarterEndDate, &r.Quarter, &r.ObjectID, &r.SourceRow,
			&r.SchemaVersion, &vals, &r.Restricted, &r.File.Partner, &r.File.Name, &r.File.SHA256,
			&r.File.DisposedTo, &r.File.DisposedName, &deleted, &recv); err != nil {
			return nil, fmt.Errorf("read a case of %s: %w", laCode, err)
		}
		r.File.ObjectID = r.ObjectID
		r.File.Deleted = deleted != ""
		if r.ReceivedAt, err = parseTime(recv); err != nil {
			return nil, fmt.Errorf("read a case of %s: %w", laCode, err)
		}
		if r.Values, err = decodeValues(nil, vals); err != nil {
			return nil, fmt.Errorf("read a case of %s: object %d row %d: %w", laCode, r.ObjectID, r.SourceRow, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read a case of %s: %w", laCode, err)
	}
	return out, nil
}

// ZoneFiles returns partner's files that the ledger places in folder
// (DisposedProcessed or DisposedRejected) and that were not deleted since,
// oldest disposition first. With before non-zero, only files disposed
// before it. It fails on a database error.
func (d *DB) ZoneFiles(ctx context.Context, partner, folder string, before time.Time) ([]CaseFile, error) {
	where := `disposed_to = ? AND disposed_name != '' AND deleted_at = ''`
	args := []any{folder}
	if partner != "" {
		where += ` AND partner = ?`
		args = append(args, partner)
	}
	if !before.IsZero() {
		where += ` AND disposed_at < ?`
		args = append(args, timeText(before))
	}
	rows, err := d.db.QueryContext(ctx, `SELECT id, partner, name, sha256, disposed_to, disposed_name, erasing FROM objects
		WHERE `+where+` ORDER BY disposed_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list files in %s: %w", folder, err)
	}
	defer rows.Close()
	var out []CaseFile
	for rows.Next() {
		var f CaseFile
		if err := rows.Scan(&f.ObjectID, &f.Partner, &f.Name, &f.SHA256, &f.DisposedTo, &f.DisposedName, &f.Erasing); err != nil {
			return nil, fmt.Errorf("list files in %s: %w", folder, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list files in %s: %w", folder, err)
	}
	return out, nil
}

// MarkFileDeleted records that the file of ledger entry id was deleted
// from its zone (by erasure or retention), clears its Erasing token, and
// adds the audit entries given, in one transaction: the ledger never says
// deleted without the entries that record it. A file already marked
// deleted is left alone and adds no entries. It fails on a database
// error, and then nothing changes.
func (d *DB) MarkFileDeleted(ctx context.Context, id int64, at time.Time, entries ...Pending) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE objects SET deleted_at = ?, erasing = '' WHERE id = ? AND deleted_at = ''`, timeText(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return addPending(ctx, tx, at, entries...)
	})
	if err != nil {
		return fmt.Errorf("mark object %d deleted: %w", id, err)
	}
	return nil
}

// MarkFileErasing records that the file of ledger entry id is about to be
// deleted from its zone for the erasure of token (see CaseFile.Erasing).
// It fails on a database error.
func (d *DB) MarkFileErasing(ctx context.Context, id int64, token string) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE objects SET erasing = ? WHERE id = ? AND deleted_at = ''`, token, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark object %d as being erased: %w", id, err)
	}
	return nil
}

// ExpiredCases counts, by quarter, the rows whose quarter_end_date is on
// or before cutoff (YYYY-MM-DD). It fails on a database error.
func (d *DB) ExpiredCases(ctx context.Context, cutoff string) (map[string]int, error) {
	out, err := expiredCases(ctx, d.db, cutoff)
	if err != nil {
		return nil, fmt.Errorf("count expired cases: %w", err)
	}
	return out, nil
}

// expiredCases counts, by quarter, the rows whose quarter_end_date is on
// or before cutoff.
func expiredCases(ctx context.Context, q querier, cutoff string) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT quarter, count(*) FROM cases WHERE quarter_end_date <= ? GROUP BY quarter`, cutoff)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var q string
		var n int
		if err := rows.Scan(&q, &n); err != nil {
			return nil, err
		}
		out[q] = n
	}
	return out, rows.Err()
}

// PurgeCases deletes the rows whose quarter_end_date is on or before
// cutoff (YYYY-MM-DD), and the restrictions of cases left with no rows,
// marks the quarters dirty, and adds the audit entries entries returns for
// the rows deleted by quarter (when any were; nil adds none), in one
// transaction. It returns the rows deleted by quarter and fails on a
// database error, and then nothing changes.
func (d *DB) PurgeCases(ctx context.Context, cutoff string, at time.Time, entries func(map[string]int) []Pending) (map[string]int, error) {
	var out map[string]int
	err := d.write(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = expiredCases(ctx, tx, cutoff); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cases WHERE quarter_end_date <= ?`, cutoff); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM restrictions WHERE NOT EXISTS
			(SELECT 1 FROM cases c WHERE c.la_code = restrictions.la_code AND c.pseudonym = restrictions.pseudonym)`); err != nil {
			return err
		}
		if err := markDirty(ctx, tx, slices.Sorted(maps.Keys(out))...); err != nil {
			return err
		}
		if entries != nil {
			return addPending(ctx, tx, at, entries(out)...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("purge cases ended on or before %s: %w", cutoff, err)
	}
	return out, nil
}

// Compact rebuilds the database file without free pages (VACUUM) and then
// checkpoints and empties the write-ahead log, so that deleted rows are
// left in none of the database's files. Together with secure_delete, which
// Open turns on, it is what makes an erasure or a purge final. It waits
// for the write lock; it fails on a database error, or when another
// connection keeps the log busy.
func (d *DB) Compact(ctx context.Context) error {
	if err := d.lock(ctx); err != nil {
		return fmt.Errorf("compact state %s: %w", d.path, err)
	}
	defer d.unlock()
	if _, err := d.db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("compact state %s: %w", d.path, err)
	}
	var busy, logPages, done int
	if err := d.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
		return fmt.Errorf("checkpoint state %s: %w", d.path, err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint state %s: the log is in use by another connection", d.path)
	}
	return nil
}

// Incident ICO decisions.
const (
	ICONotified    = "notified"
	ICONotRequired = "not-required"
)

// Incident is a possible personal data breach: a file with fields outside
// the agreed list, or rows of another district.
type Incident struct {
	ID           string    `json:"id"` // INC-YYYY-NNNN, numbered within the year detected
	DetectedAt   time.Time `json:"detected_at"`
	Partner      string    `json:"partner"`
	Object       string    `json:"object"` // the file's name in the zone
	SHA256       string    `json:"sha256"`
	Rule         string    `json:"rule"` // extra-label | partner-mismatch
	RowsAffected int       `json:"rows_affected"`
	// Columns are the columns off the agreed list that opened an
	// extra-label incident (none for partner-mismatch).
	Columns           []IncidentColumn `json:"columns,omitempty"`
	NotifyPartnersDue time.Time        `json:"notify_partners_due"`
	ICODue            time.Time        `json:"ico_due"`
	PartnersNotified  time.Time        `json:"partners_notified_at,omitzero"` // zero until acknowledged
	ICODecision       string           `json:"ico_decision,omitempty"`        // "" until decided; ICONotified | ICONotRequired
	ICOAt             time.Time        `json:"ico_at,omitzero"`
	Notes             string           `json:"notes,omitempty"` // notes given with acknowledgements, one a line
	ClosedAt          time.Time        `json:"closed_at,omitzero"`
	CloseNote         string           `json:"close_note,omitempty"`
}

// IncidentColumn is a column that opened an incident: its heading, cut to
// 64 characters, and the kind of personal data it looks like ("" for
// none).
type IncidentColumn struct {
	Name     string `json:"name"`
	Personal string `json:"personal,omitempty"`
}

// Open reports whether the incident is not closed.
func (in Incident) Open() bool { return in.ClosedAt.IsZero() }

// ErrNoIncident is returned (wrapped) for an incident id that does not
// exist.
var ErrNoIncident = errors.New("no such incident")

// OpenIncident records in as a new incident and returns it with its id.
// When an open incident already names the same partner, content and rule
// (a retried file), that one is returned and created is false. It fails
// on a database error.
func (d *DB) OpenIncident(ctx context.Context, in Incident) (out Incident, created bool, err error) {
	err = d.write(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM incidents WHERE partner = ? AND sha256 = ? AND rule = ? AND closed_at = ''`,
			in.Partner, in.SHA256, in.Rule).Scan(&id)
		if err == nil {
			out, err = getIncident(ctx, tx, id)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		prefix := fmt.Sprintf("INC-%04d-", in.DetectedAt.UTC().Year())
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM incidents WHERE id LIKE ? || '%'`, prefix).Scan(&n); err != nil {
			return err
		}
		in.ID = fmt.Sprintf("%s%04d", prefix, n+1)
		cols, err := json.Marshal(in.Columns)
		if err != nil || in.Columns == nil {
			cols = []byte("[]")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO incidents (id, detected_at, partner, object, sha256, rule,
			rows_affected, notify_partners_due, ico_due, columns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.ID, timeText(in.DetectedAt), in.Partner, in.Object, in.SHA256, in.Rule, in.RowsAffected,
			timeText(in.NotifyPartnersDue), timeText(in.ICODue), string(cols)); err != nil {
			return err
		}
		out, created = in, true
		return nil
	})
	if err != nil {
		return Incident{}, false, fmt.Errorf("open incident for %s of %s: %w", in.Object, in.Partner, err)
	}
	return out, created, nil
}

const incidentColumns = `id, detected_at, partner, object, sha256, rule, rows_affected, notify_partners_due, ico_due,
	partners_notified_at, ico_decision, ico_at, notes, closed_at, close_note, columns`

func scanIncident(sc interface{ Scan(...any) error }) (Incident, error) {
	var in Incident
	var det, npd, icod, pn, icoat, closed, cols string
	if err := sc.Scan(&in.ID, &det, &in.Partner, &in.Object, &in.SHA256, &in.Rule, &in.RowsAffected, &npd, &icod,
		&pn, &in.ICODecision, &icoat, &in.Notes, &closed, &in.CloseNote, &cols); err != nil {
		return in, err
	}
	if err := json.Unmarshal([]byte(cols), &in.Columns); err != nil {
		return in, fmt.Errorf("read columns of incident %s: %w", in.ID, err)
	}
	if len(in.Columns) == 0 {
		in.Columns = nil
	}
	for _, p := range []struct {
		s string
		t *time.Time
	}{{det, &in.DetectedAt}, {npd, &in.NotifyPartnersDue}, {icod, &in.ICODue}, {pn, &in.PartnersNotified},
		{icoat, &in.ICOAt}, {closed, &in.ClosedAt}} {
		var err error
		if *p.t, err = parseTime(p.s); err != nil {
			return in, err
		}
	}
	return in, nil
}

func getIncident(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (Incident, error) {
	in, err := scanIncident(q.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("%s: %w", id, ErrNoIncident)
	}
	return in, err
}

// Incidents returns the open incidents (all of them with all true), in
// the order detected. It fails on a database error.
func (d *DB) Incidents(ctx context.Context, all bool) ([]Incident, error) {
	where := `WHERE closed_at = ''`
	if all {
		where = ""
	}
	rows, err := d.db.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents `+where+` ORDER BY detected_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	defer rows.Close()
	var out []Incident
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("list incidents: %w", err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return out, nil
}

// IncidentAck is what an operator records against an incident. Zero
// fields leave what is recorded alone.
type IncidentAck struct {
	PartnersNotified time.Time
	ICODecision      string // ICONotified | ICONotRequired
	ICOAt            time.Time
	Note             string
}

// AckIncident records when the incident's duties were met and returns the
// incident as it now stands. It fails for an unknown id (ErrNoIncident), a
// closed incident, an ICO decision that is neither ICONotified nor
// ICONotRequired, or a database error.
func (d *DB) AckIncident(ctx context.Context, id string, ack IncidentAck) (Incident, error) {
	if ack.ICODecision != "" && ack.ICODecision != ICONotified && ack.ICODecision != ICONotRequired {
		return Incident{}, fmt.Errorf("acknowledge incident %s: ICO decision %q is not %s or %s", id, ack.ICODecision, ICONotified, ICONotRequired)
	}
	out, err := d.changeOpenIncident(ctx, id, func(in *Incident) {
		if !ack.PartnersNotified.IsZero() {
			in.PartnersNotified = ack.PartnersNotified
		}
		if ack.ICODecision != "" {
			in.ICODecision, in.ICOAt = ack.ICODecision, ack.ICOAt
		}
		if ack.Note != "" {
			in.Notes = strings.TrimPrefix(in.Notes+"\n"+ack.Note, "\n")
		}
	})
	if err != nil {
		return Incident{}, fmt.Errorf("acknowledge incident %s: %w", id, err)
	}
	return out, nil
}

// CloseIncident closes incident id with a note. It fails for an unknown id
// (ErrNoIncident), an incident already closed, or a database error.
func (d *DB) CloseIncident(ctx context.Context, id string, at time.Time, note string) (Incident, error) {
	out, err := d.changeOpenIncident(ctx, id, func(in *Incident) { in.ClosedAt, in.CloseNote = at, note })
	if err != nil {
		return Incident{}, fmt.Errorf("close incident %s: %w", id, err)
	}
	return out, nil
}

// changeOpenIncident reads incident id, lets change alter what operators
// record against it, and stores the result, in one transaction. It fails
// for an unknown id (ErrNoIncident), a closed incident or a database error.
func (d *DB) changeOpenIncident(ctx context.Context, id string, change func(*Incident)) (Incident, error) {
	var out Incident
	err := d.write(ctx, func(tx *sql.Tx) error {
		in, err := getIncident(ctx, tx, id)
		if err != nil {
			return err
		}
		if !in.Open() {
			return fmt.Errorf("it was closed on %s", in.ClosedAt.Format(time.RFC3339))
		}
		change(&in)
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET partners_notified_at = ?, ico_decision = ?, ico_at = ?,
			notes = ?, closed_at = ?, close_note = ? WHERE id = ?`, timeText(in.PartnersNotified), in.ICODecision,
			timeText(in.ICOAt), in.Notes, timeText(in.ClosedAt), in.CloseNote, id); err != nil {
			return err
		}
		out = in
		return nil
	})
	return out, err
}

// QuarterSchemaVersions returns the field list versions that quarter q's
// unrestricted rows were judged under, sorted. It fails on a database
// error.
func (d *DB) QuarterSchemaVersions(ctx context.Context, q string) ([]string, error) {
	vs, err := queryStrings(ctx, d.db, `SELECT DISTINCT schema_version FROM cases
		WHERE quarter = ? AND restricted = 0 ORDER BY schema_version`, q)
	if err != nil {
		return nil, fmt.Errorf("list field list versions of %s: %w", q, err)
	}
	return vs, nil
}

// Pending is an audit entry held in the state database until it is in the
// audit log. The commands that delete data (erasure, retention) add it in
// the same transaction as the deletion, so that a deletion is never
// committed without the entry that records it; the caller then appends it
// to the log and removes it with DonePending. Its Data holds what an audit
// entry may hold (counts, hashes, erasure tokens, operators' reasons),
// never a pseudonym, a raw case_ref or a cell value: the row outlives the
// erasure it records until it is flushed.
type Pending struct {
	ID int64 // the row's id, in the order added; set by PendingEntries
	// RecordID is a random id the store gives the entry when it is added.
	// The entry carries it into the log (as data.record_id), so that an
	// entry appended just before a crash is recognised and not appended
	// twice.
	RecordID  string
	Event     string
	RunID     string
	Partner   string
	Object    string
	Data      map[string]any // strings, bools, numbers, nil and []string
	CreatedAt time.Time
}

// addPending adds entries inside tx.
func addPending(ctx context.Context, tx *sql.Tx, at time.Time, entries ...Pending) error {
	for _, p := range entries {
		data, err := json.Marshal(p.Data)
		if err != nil {
			return fmt.Errorf("encode audit entry %s: %w", p.Event, err)
		}
		if p.Data == nil {
			data = []byte("{}")
		}
		var id [16]byte
		_, _ = rand.Read(id[:]) // never fails (crypto/rand)
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_pending (record_id, event, run_id, partner, object, data, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, hex.EncodeToString(id[:]), p.Event, p.RunID, p.Partner, p.Object, string(data),
			timeText(at)); err != nil {
			return err
		}
	}
	return nil
}

// PendingEntries returns the audit entries not yet removed by DonePending,
// in the order they were added. Numbers in Data come back as json.Number,
// and arrays of strings as []string. It fails on a database error or when
// a stored entry does not decode.
func (d *DB) PendingEntries(ctx context.Context) ([]Pending, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, record_id, event, run_id, partner, object, data, created_at
		FROM audit_pending ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read pending audit entries: %w", err)
	}
	defer rows.Close()
	var out []Pending
	for rows.Next() {
		var p Pending
		var data, created string
		if err := rows.Scan(&p.ID, &p.RecordID, &p.Event, &p.RunID, &p.Partner, &p.Object, &data, &created); err != nil {
			return nil, fmt.Errorf("read pending audit entries: %w", err)
		}
		if p.Data, err = decodePendingData(data); err != nil {
			return nil, fmt.Errorf("read pending audit entry %d: %w", p.ID, err)
		}
		if p.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("read pending audit entry %d: %w", p.ID, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read pending audit entries: %w", err)
	}
	return out, nil
}

// decodePendingData reads a stored Data object back into the types an
// audit entry accepts.
func decodePendingData(s string) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for k, v := range m {
		arr, ok := v.([]any)
		if !ok {
			continue
		}
		ss := make([]string, len(arr))
		for i, x := range arr {
			if ss[i], ok = x.(string); !ok {
				return nil, fmt.Errorf("data %q holds a %T in its list", k, x)
			}
		}
		m[k] = ss
	}
	if len(m) == 0 {
		m = nil
	}
	return m, nil
}

// DonePending removes pending entry id, once it is in the audit log, and
// stores head (the log's head after it) as the audit head (MetaAuditHead),
// in one transaction: the stored head and the pending rows never disagree
// about whether the entry was written. Removing an entry already removed
// is not an error. It fails on a database error, and then nothing changes.
func (d *DB) DonePending(ctx context.Context, id int64, head string) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM audit_pending WHERE id = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, MetaAuditHead, head)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove pending audit entry %d: %w", id, err)
	}
	return nil
}
