package state

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Judging marks make a file that kills the process judging it visible
// and stoppable. A run writes a mark for an object version before it
// judges it (BeginJudging) and removes it once the file is judged
// (EndJudging). A mark that is still held when the next process takes the
// state lock was left by a process that died while judging the file:
// RecordDeaths counts one death for each such version. The lock makes
// runs exclusive, so a held mark is never a live run's.

// Version identifies one version of a file in a partner's zone, as the
// listing showed it.
type Version struct {
	Partner string
	Name    string
	Size    int64
	ModTime time.Time
	ETag    string
}

// Suspect is a file version that a process died while judging.
type Suspect struct {
	Version
	Deaths    int
	LastDeath time.Time
	// Cause is how the last death showed (an exit status, "fatal error: out
	// of memory"); never a cell value.
	Cause string
}

// Crash is what RecordDeaths found: the runs a dead process left
// unfinished and the files it was judging.
type Crash struct {
	Runs  []string
	Files []Suspect
}

// Text describes the crash for the ledger, status, alerts and logs, such
// as "the cycle process died (fatal error: out of memory) while judging
// basildon: bomb.xlsx". It names files and partners, never a cell value.
func (c *Crash) Text(cause string) string {
	var b strings.Builder
	b.WriteString("the cycle process died")
	if cause != "" {
		b.WriteString(" (" + cause + ")")
	}
	if len(c.Files) == 0 {
		b.WriteString(" while no file was being judged")
		return b.String()
	}
	b.WriteString(" while judging ")
	for i, f := range c.Files {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %s", f.Partner, f.Name)
	}
	return b.String()
}

// BeginJudging marks v as being judged by run runID. It fails on a
// database error.
func (d *DB) BeginJudging(ctx context.Context, runID string, v Version) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO judging (partner, name, size, mod_time, etag, run_id)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (partner, name, size, mod_time, etag) DO UPDATE SET run_id = excluded.run_id`,
			v.Partner, v.Name, v.Size, timeText(v.ModTime), v.ETag, runID)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark %s as being judged: %w", v.Name, err)
	}
	return nil
}

// EndJudging removes v's mark, and with it any deaths counted against it:
// the version was judged (or quarantined) without killing the process. It
// fails on a database error.
func (d *DB) EndJudging(ctx context.Context, v Version) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM judging WHERE partner = ? AND name = ? AND size = ? AND mod_time = ? AND etag = ?`,
			v.Partner, v.Name, v.Size, timeText(v.ModTime), v.ETag)
		return err
	})
	if err != nil {
		return fmt.Errorf("clear the judging mark of %s: %w", v.Name, err)
	}
	return nil
}

// RecordDeaths is called by a process that holds the state lock before it
// runs a cycle, and by serve after a cycle's child process died. Every
// mark still held counts one death against its version; every run left
// unfinished is finished as RunFailed, with an error naming the cause
// and the files being judged (see Crash.Text). It returns nil when no
// process died. It fails on a database error.
func (d *DB) RecordDeaths(ctx context.Context, cause string, at time.Time) (*Crash, error) {
	var c Crash
	err := d.write(ctx, func(tx *sql.Tx) error {
		c = Crash{}
		rows, err := tx.QueryContext(ctx, `SELECT partner, name, size, mod_time, etag, deaths FROM judging
			WHERE run_id != '' ORDER BY partner, name`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var s Suspect
			var mt string
			if err := rows.Scan(&s.Partner, &s.Name, &s.Size, &mt, &s.ETag, &s.Deaths); err != nil {
				rows.Close()
				return err
			}
			if s.ModTime, err = parseTime(mt); err != nil {
				rows.Close()
				return err
			}
			s.Deaths++
			s.LastDeath, s.Cause = at, cause
			c.Files = append(c.Files, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE judging SET deaths = deaths + 1, run_id = '', last_death = ?, cause = ?
			WHERE run_id != ''`, timeText(at), cause); err != nil {
			return err
		}
		ids, err := tx.QueryContext(ctx, `SELECT id FROM runs WHERE outcome = '' ORDER BY started_at`)
		if err != nil {
			return err
		}
		for ids.Next() {
			var id string
			if err := ids.Scan(&id); err != nil {
				ids.Close()
				return err
			}
			c.Runs = append(c.Runs, id)
		}
		ids.Close()
		if err := ids.Err(); err != nil {
			return err
		}
		if len(c.Runs) == 0 && len(c.Files) == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE runs SET outcome = ?, finished_at = ?, error = ? WHERE outcome = ''`,
			RunFailed, timeText(at), c.Text(cause))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("record a dead cycle: %w", err)
	}
	if len(c.Runs) == 0 && len(c.Files) == 0 {
		return nil, nil
	}
	return &c, nil
}

// Suspects returns partner's file versions that a process died while
// judging, by name. It fails on a database error.
func (d *DB) Suspects(ctx context.Context, partner string) ([]Suspect, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT name, size, mod_time, etag, deaths, last_death, cause FROM judging
		WHERE partner = ? AND deaths > 0 ORDER BY name`, partner)
	if err != nil {
		return nil, fmt.Errorf("read suspect files of %s: %w", partner, err)
	}
	defer rows.Close()
	var out []Suspect
	for rows.Next() {
		s := Suspect{Version: Version{Partner: partner}}
		var mt, ld string
		if err := rows.Scan(&s.Name, &s.Size, &mt, &s.ETag, &s.Deaths, &ld, &s.Cause); err != nil {
			return nil, fmt.Errorf("read suspect files of %s: %w", partner, err)
		}
		if s.ModTime, err = parseTime(mt); err != nil {
			return nil, fmt.Errorf("read suspect files of %s: %w", partner, err)
		}
		if s.LastDeath, err = parseTime(ld); err != nil {
			return nil, fmt.Errorf("read suspect files of %s: %w", partner, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read suspect files of %s: %w", partner, err)
	}
	return out, nil
}
