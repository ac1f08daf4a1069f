package state

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order, each in its own transaction, and never
// edited once released: a change to the schema is a new entry at the end.
// PRAGMA user_version holds how many have been applied.
var migrations = []string{
	// 1: the ledger, the case store, dirty quarters and runs.
	`
CREATE TABLE runs (
	id          TEXT PRIMARY KEY,
	started_at  TEXT NOT NULL,
	finished_at TEXT NOT NULL DEFAULT '',
	trigger     TEXT NOT NULL DEFAULT '',
	outcome     TEXT NOT NULL DEFAULT '',   -- '' while running; ok | failed | interrupted
	error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_started ON runs(started_at);

CREATE TABLE run_partners (
	run_id   TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	partner  TEXT NOT NULL,
	outcome  TEXT NOT NULL,
	error    TEXT NOT NULL DEFAULT '',
	accepted INTEGER NOT NULL DEFAULT 0,
	rejected INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (run_id, partner)
);

CREATE TABLE objects (
	id                INTEGER PRIMARY KEY,
	run_id            TEXT NOT NULL,
	partner           TEXT NOT NULL,
	name              TEXT NOT NULL,
	size              INTEGER NOT NULL DEFAULT 0,
	mod_time          TEXT NOT NULL DEFAULT '',
	etag              TEXT NOT NULL DEFAULT '',
	sha256            TEXT NOT NULL,
	format            TEXT NOT NULL DEFAULT '',
	verdict           TEXT NOT NULL,        -- pending (inside a FileTx) | accepted | rejected | duplicate
	rows_read         INTEGER NOT NULL DEFAULT 0,
	rows_accepted     INTEGER NOT NULL DEFAULT 0,
	rows_out_of_scope INTEGER NOT NULL DEFAULT 0,
	rows_rejected     INTEGER NOT NULL DEFAULT 0,
	rows_stored       INTEGER NOT NULL DEFAULT 0,
	errors_total      INTEGER NOT NULL DEFAULT 0,
	rule_counts       TEXT NOT NULL DEFAULT '{}', -- {"rule": count}; never a cell value
	partner_mismatch  INTEGER NOT NULL DEFAULT 0,
	erased            INTEGER NOT NULL DEFAULT 0,
	schema_version    TEXT NOT NULL DEFAULT '',
	quarter_hint      TEXT NOT NULL DEFAULT '',
	received_at       TEXT NOT NULL DEFAULT '',
	judged_at         TEXT NOT NULL DEFAULT '',
	disposed_to       TEXT NOT NULL DEFAULT '',  -- processed | rejected | kept
	disposed_name     TEXT NOT NULL DEFAULT '',
	disposed_at       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX objects_partner_sha ON objects(partner, sha256, verdict);
CREATE INDEX objects_undisposed ON objects(partner) WHERE disposed_at = '';

-- object_quarters: how many rows each accepted file brought to each quarter.
CREATE TABLE object_quarters (
	object_id INTEGER NOT NULL REFERENCES objects(id) ON DELETE CASCADE,
	quarter   TEXT NOT NULL,
	rows      INTEGER NOT NULL,
	PRIMARY KEY (object_id, quarter)
) WITHOUT ROWID;

CREATE TABLE cases (
	la_code          TEXT NOT NULL,
	pseudonym        TEXT NOT NULL,
	quarter_end_date TEXT NOT NULL,
	quarter          TEXT NOT NULL,
	object_id        INTEGER NOT NULL REFERENCES objects(id),
	source_row       INTEGER NOT NULL,
	schema_version   TEXT NOT NULL,
	vals             BLOB NOT NULL,          -- see values.go
	restricted       INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (la_code, pseudonym, quarter_end_date)
) WITHOUT ROWID;
CREATE INDEX cases_quarter ON cases(quarter, la_code, pseudonym);
CREATE INDEX cases_object ON cases(object_id);

CREATE TABLE dirty_quarters (
	quarter    TEXT PRIMARY KEY,
	generation INTEGER NOT NULL
) WITHOUT ROWID;

-- generations counts every marking of a quarter, so a quarter re-dirtied
-- while its outputs were being written is not cleaned by that writer.
CREATE TABLE generations (
	quarter    TEXT PRIMARY KEY,
	generation INTEGER NOT NULL
) WITHOUT ROWID;
`,

	// 2: settings the run keeps between cycles: the audit log's head hash,
	// and the hashes of the protocol file and field list last seen.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
`,

	// 3: the protocol's duties: the erasure list (tokens, never
	// pseudonyms), restrictions that outlive a resubmission, files deleted
	// by erasure or retention, and breach incidents.
	`
CREATE TABLE erasures (
	token     TEXT PRIMARY KEY,
	erased_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE restrictions (
	la_code       TEXT NOT NULL,
	pseudonym     TEXT NOT NULL,
	restricted_at TEXT NOT NULL,
	PRIMARY KEY (la_code, pseudonym)
) WITHOUT ROWID;
INSERT INTO restrictions (la_code, pseudonym, restricted_at)
	SELECT DISTINCT la_code, pseudonym, '' FROM cases WHERE restricted = 1;

ALTER TABLE objects ADD COLUMN deleted_at TEXT NOT NULL DEFAULT '';

CREATE TABLE incidents (
	id                   TEXT PRIMARY KEY,          -- INC-YYYY-NNNN
	detected_at          TEXT NOT NULL,
	partner              TEXT NOT NULL,
	object               TEXT NOT NULL,
	sha256               TEXT NOT NULL,
	rule                 TEXT NOT NULL,
	rows_affected        INTEGER NOT NULL DEFAULT 0,
	notify_partners_due  TEXT NOT NULL,
	ico_due              TEXT NOT NULL,
	partners_notified_at TEXT NOT NULL DEFAULT '',
	ico_decision         TEXT NOT NULL DEFAULT '',  -- '' | notified | not-required
	ico_at               TEXT NOT NULL DEFAULT '',
	notes                TEXT NOT NULL DEFAULT '',
	closed_at            TEXT NOT NULL DEFAULT '',
	close_note           TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX incidents_open ON incidents(partner, sha256, rule) WHERE closed_at = '';
`,

	// 4: the field names of every field list version rows were stored
	// under, so that rows judged under an older version are published by
	// field name under a newer one.
	`
CREATE TABLE field_lists (
	version TEXT PRIMARY KEY,
	fields  TEXT NOT NULL   -- JSON array of field names, in the order rows store values
) WITHOUT ROWID;
`,

	// 5: audit entries committed in the same transaction as the change
	// they record (an erasure, a retention purge, a file either deleted)
	// and kept until they are in the audit log (see PendingEntries); and,
	// per file, the erasure token it is being deleted for, so that an
	// interrupted erasure finishes deleting it.
	`
CREATE TABLE audit_pending (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	record_id  TEXT NOT NULL UNIQUE,       -- random; the entry carries it as data.record_id
	event      TEXT NOT NULL,
	run_id     TEXT NOT NULL DEFAULT '',
	partner    TEXT NOT NULL DEFAULT '',
	object     TEXT NOT NULL DEFAULT '',
	data       TEXT NOT NULL DEFAULT '{}', -- JSON object: counts, hashes, tokens, reasons; never a pseudonym or case_ref
	created_at TEXT NOT NULL
);

ALTER TABLE objects ADD COLUMN erasing TEXT NOT NULL DEFAULT ''; -- erasure token; '' when not being erased
`,

	// 6: the columns that opened a breach incident: their headings (cut
	// to 64 characters; never a cell value) and whether they look like
	// personal data.
	`
ALTER TABLE incidents ADD COLUMN columns TEXT NOT NULL DEFAULT '[]'; -- JSON array of {"name", "personal"}
`,

	// 7: judging marks: which object version a run is judging now, and how
	// many times a process died while judging it (see judging.go).
	`
CREATE TABLE judging (
	partner    TEXT NOT NULL,
	name       TEXT NOT NULL,
	size       INTEGER NOT NULL,
	mod_time   TEXT NOT NULL,
	etag       TEXT NOT NULL,
	run_id     TEXT NOT NULL DEFAULT '',  -- the run judging it now; '' when none is
	deaths     INTEGER NOT NULL DEFAULT 0,
	last_death TEXT NOT NULL DEFAULT '',
	cause      TEXT NOT NULL DEFAULT '',  -- how the last death showed; never a cell value
	PRIMARY KEY (partner, name, size, mod_time, etag)
) WITHOUT ROWID;
`,

	// 8: reports waiting to be written beside a file's disposition, so
	// that a cycle that could not write one leaves it for the next (see
	// reports.go).
	`
CREATE TABLE pending_reports (
	object_id INTEGER PRIMARY KEY REFERENCES objects(id) ON DELETE CASCADE,
	report    BLOB NOT NULL  -- the report's text, as the district will read it
);
`,

	// 9: the case store keyed by quarter first, so that a quarter's rows
	// (publishing, retention) are one range of the table instead of an
	// index walk with a table lookup per row. A quarter is a function of
	// quarter_end_date, so the key is as unique as before. cases_quarter
	// goes with it. There is no index on (la_code, pseudonym): a case is
	// looked up with one seek per stored quarter (see storedQuarters),
	// which keeps each stored row to two B-tree inserts (the table and
	// cases_object).
	`
CREATE TABLE cases_new (
	la_code          TEXT NOT NULL,
	pseudonym        TEXT NOT NULL,
	quarter_end_date TEXT NOT NULL,
	quarter          TEXT NOT NULL,
	object_id        INTEGER NOT NULL REFERENCES objects(id),
	source_row       INTEGER NOT NULL,
	schema_version   TEXT NOT NULL,
	vals             BLOB NOT NULL,          -- see values.go
	restricted       INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (quarter, la_code, pseudonym, quarter_end_date)
) WITHOUT ROWID;
INSERT INTO cases_new (la_code, pseudonym, quarter_end_date, quarter, object_id, source_row, schema_version, vals, restricted)
	SELECT la_code, pseudonym, quarter_end_date, quarter, object_id, source_row, schema_version, vals, restricted
	FROM cases ORDER BY quarter, la_code, pseudonym, quarter_end_date;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX cases_object ON cases(object_id);
`,
}

// SchemaVersion returns the state database version this binary writes
// (the number of migrations it knows).
func SchemaVersion() int { return len(migrations) }

func (d *DB) version(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// migrate applies every migration the database has not seen, each in one
// transaction together with the version bump.
func (d *DB) migrate(ctx context.Context) error {
	if err := d.lock(ctx); err != nil {
		return err
	}
	defer d.unlock()
	for {
		tx, err := d.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		v, err := d.version(ctx, tx)
		if err != nil {
			_ = tx.Rollback()
			return err
		}
		if v > len(migrations) {
			_ = tx.Rollback()
			return fmt.Errorf("schema version %d is newer than this landingd's %d", v, len(migrations))
		}
		if v == len(migrations) {
			return tx.Commit()
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
	}
}
