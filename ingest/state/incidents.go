package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// This file holds breach incidents: opening, listing, acknowledging and
// closing them.

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
