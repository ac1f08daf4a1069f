package state

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// createAtVersion makes a database at schema version v (the first v
// migrations, applied as an older landingd did), runs fill on it and
// closes it. It returns the database's path.
func createAtVersion(t *testing.T, v int, fill func(db *sql.DB) error) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, m := range migrations[:v] {
		if _, err := db.Exec(m); err != nil {
			t.Fatalf("migration %d: %v", i+1, err)
		}
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		t.Fatal(err)
	}
	if err := fill(db); err != nil {
		t.Fatal(err)
	}
	return path
}

// allCases lists every stored case with its restricted flag, in one
// order whatever the table's key.
func allCases(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT la_code, pseudonym, quarter_end_date, quarter, object_id, source_row,
		schema_version, hex(vals), restricted FROM cases ORDER BY la_code, pseudonym, quarter_end_date`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var la, ps, qend, q, sv, vals string
		var obj, src, restricted int
		if err := rows.Scan(&la, &ps, &qend, &q, &obj, &src, &sv, &vals, &restricted); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(la, " ", ps, " ", qend, " ", q, " ", obj, " ", src, " ", sv, " ", vals, " ", restricted))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMigrateCasesKeyedByQuarter takes a store at version 8 (keyed by
// la_code first) holding two quarters, a restricted case and what an
// erasure leaves, to the quarter-first key, and runs every duty on it.
func TestMigrateCasesKeyedByQuarter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const la, la2 = "E07000067", "E07000069"
	path := createAtVersion(t, 8, func(db *sql.DB) error {
		for _, s := range []string{
			`INSERT INTO objects (id, run_id, partner, name, sha256, verdict, received_at, disposed_to, disposed_name, disposed_at)
				VALUES (1, 'r0', 'braintree', 'q3.csv', 's1', 'accepted', '2025-10-07T06:00:00.000000000Z', 'processed', 'q3.csv', '2025-10-07T06:01:00.000000000Z'),
				(2, 'r0', 'braintree', 'q4.csv', 's2', 'accepted', '2026-01-07T06:00:00.000000000Z', 'processed', 'q4.csv', '2026-01-07T06:01:00.000000000Z'),
				(3, 'r0', 'colchester', 'q4.csv', 's3', 'accepted', '2026-01-07T06:00:00.000000000Z', 'processed', 'q4.csv', '2026-01-07T06:01:00.000000000Z')`,
			// The remains of an erasure: its token, and the file its rows
			// came from, deleted.
			`INSERT INTO objects (id, run_id, partner, name, sha256, verdict, received_at, disposed_to, disposed_name, deleted_at)
				VALUES (4, 'r0', 'braintree', 'q3-erased.csv', 's4', 'accepted', '2025-10-07T06:00:00.000000000Z', 'processed', 'q3-erased.csv', '2025-11-01T00:00:00.000000000Z')`,
			`INSERT INTO erasures (token, erased_at) VALUES ('token-0', '2025-11-01T00:00:00.000000000Z')`,
			`INSERT INTO object_quarters (object_id, quarter, rows) VALUES (1, '2025Q3', 3), (2, '2025Q4', 2), (3, '2025Q4', 1), (4, '2025Q3', 1)`,
			`INSERT INTO restrictions (la_code, pseudonym, restricted_at) VALUES ('E07000067', 'p1', '2025-11-02T00:00:00.000000000Z')`,
		} {
			if _, err := db.Exec(s); err != nil {
				return err
			}
		}
		for _, c := range []struct {
			la, ps, qend, q string
			obj, src        int
			val             string
			restricted      int
		}{
			{la, "p1", "2025-09-30", "2025Q3", 1, 2, "a", 1},
			{la, "p2", "2025-09-30", "2025Q3", 1, 3, "b", 0},
			{la, "p3", "2025-09-30", "2025Q3", 1, 4, "c", 0},
			{la, "p1", "2025-12-31", "2025Q4", 2, 2, "d", 1},
			{la, "p3", "2025-12-31", "2025Q4", 2, 3, "e", 0},
			{la2, "p1", "2025-12-31", "2025Q4", 3, 2, "f", 0},
		} {
			if _, err := db.Exec(`INSERT INTO cases (la_code, pseudonym, quarter_end_date, quarter, object_id, source_row, schema_version, vals, restricted)
				VALUES (?, ?, ?, ?, ?, ?, '1.0', ?, ?)`, c.la, c.ps, c.qend, c.q, c.obj, c.src, appendValues(nil, []string{c.val, "9"}), c.restricted); err != nil {
				return err
			}
		}
		return nil
	})
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	before := allCases(t, raw)
	if len(before) != 6 {
		t.Fatalf("cases before = %q", before)
	}

	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v, err := d.version(ctx, d.db); err != nil || v != SchemaVersion() {
		t.Fatalf("version = %d, %v", v, err)
	}
	if after := allCases(t, d.db); !reflect.DeepEqual(after, before) {
		t.Fatalf("cases after migration:\n%s\nwant:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	pk, err := queryStrings(ctx, d.db, `SELECT name FROM pragma_table_info('cases') WHERE pk > 0 ORDER BY pk`)
	if want := []string{"quarter", "la_code", "pseudonym", "quarter_end_date"}; err != nil || !reflect.DeepEqual(pk, want) {
		t.Fatalf("key = %v, %v; want %v", pk, err, want)
	}
	idx, err := queryStrings(ctx, d.db, `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'cases' AND sql IS NOT NULL ORDER BY name`)
	if err != nil || !reflect.DeepEqual(idx, []string{"cases_object"}) {
		t.Fatalf("indexes of cases = %v, %v", idx, err)
	}

	// Publishing reads each quarter without the restricted case.
	if got := quarterRows(t, d, "2025Q3"); len(got) != 2 || got[0].Pseudonym != "p2" || got[1].Pseudonym != "p3" || got[1].Values[0] != "c" {
		t.Fatalf("2025Q3 rows = %+v", got)
	}
	if got := quarterRows(t, d, "2025Q4"); len(got) != 2 || got[0].LACode != la || got[0].Pseudonym != "p3" || got[1].LACode != la2 {
		t.Fatalf("2025Q4 rows = %+v", got)
	}
	if files, err := d.QuarterFiles(ctx, "2025Q4"); err != nil || len(files) != 2 || files[0].Name != "q4.csv" || files[0].RowsInQuarter != 1 {
		t.Fatalf("2025Q4 files = %+v, %v", files, err)
	}
	subs, err := d.Submissions(ctx)
	if err != nil || len(subs) != 3 || subs[0].Quarter != "2025Q3" || subs[0].Cases != 3 || subs[1].Cases != 2 || subs[2].Cases != 1 {
		t.Fatalf("submissions = %+v, %v", subs, err)
	}
	// A resubmission keeps the restriction; a new quarter's row of the
	// restricted case is restricted by ApplyRestrictions.
	commitFile(t, d, rec("braintree", "q4-fix.csv", "s5"), row(la, "p1", "2025-12-31", 2, "d2", "9"))
	commitFile(t, d, rec("braintree", "q1.csv", "s6"), row(la, "p1", "2026-03-31", 2, "g", "9"), row(la, "p2", "2026-03-31", 3, "h", "9"))
	if n, err := d.ApplyRestrictions(ctx); err != nil || n != 1 {
		t.Fatalf("apply restrictions = %d, %v", n, err)
	}
	cr, err := d.CaseRows(ctx, la, "p1")
	if err != nil || len(cr) != 3 || !cr[0].Restricted || !cr[1].Restricted || !cr[2].Restricted || cr[1].Values[0] != "d2" || cr[0].File.Name != "q3.csv" {
		t.Fatalf("case rows of p1 = %+v, %v", cr, err)
	}
	// Restriction and its lifting.
	if changed, held, err := d.Restrict(ctx, la, "p2", true, t0); err != nil || changed != 2 || held != 2 {
		t.Fatalf("restrict p2 = %d %d %v", changed, held, err)
	}
	if changed, held, err := d.Restrict(ctx, la, "p2", false, t0); err != nil || changed != 2 || held != 2 {
		t.Fatalf("lift p2 = %d %d %v", changed, held, err)
	}
	// Erasure: the old one is still listed, a new one removes the case.
	if listed, err := d.IsErased(ctx, "token-0"); err != nil || !listed {
		t.Fatalf("token-0 listed = %v, %v", listed, err)
	}
	e, err := d.EraseCase(ctx, la, "p3", "token-1", t0, nil)
	if err != nil || e.Rows != 2 || !reflect.DeepEqual(e.Quarters, []string{"2025Q3", "2025Q4"}) || len(e.Files) != 2 || e.AlreadyListed {
		t.Fatalf("erase p3 = %+v, %v", e, err)
	}
	if cr, err := d.CaseRows(ctx, la, "p3"); err != nil || len(cr) != 0 {
		t.Fatalf("erased case rows = %+v, %v", cr, err)
	}
	// Retention: 2025Q3 expires; p1 keeps its restriction (it has later
	// rows), and only 2025Q3's rows go.
	if got, err := d.ExpiredCases(ctx, "2025-09-30"); err != nil || !reflect.DeepEqual(got, map[string]int{"2025Q3": 2}) {
		t.Fatalf("expired = %v, %v", got, err)
	}
	if got, err := d.PurgeCases(ctx, "2025-09-30", t0, nil); err != nil || !reflect.DeepEqual(got, map[string]int{"2025Q3": 2}) {
		t.Fatalf("purged = %v, %v", got, err)
	}
	if got := quarterRows(t, d, "2025Q3"); len(got) != 0 {
		t.Fatalf("2025Q3 rows after purge = %+v", got)
	}
	if cr, err := d.CaseRows(ctx, la, "p1"); err != nil || len(cr) != 2 || cr[0].QuarterEndDate != "2025-12-31" {
		t.Fatalf("case rows of p1 after purge = %+v, %v", cr, err)
	}
	if rs, err := queryStrings(ctx, d.db, `SELECT pseudonym FROM restrictions`); err != nil || !reflect.DeepEqual(rs, []string{"p1"}) {
		t.Fatalf("restrictions = %v, %v", rs, err)
	}
	if got := quarterRows(t, d, "2026Q1"); len(got) != 1 || got[0].Pseudonym != "p2" {
		t.Fatalf("2026Q1 rows = %+v", got)
	}
}
