package state

import (
	"context"
	"fmt"
	"sort"
	"time"

	"landingd/transform"
)

// Submission is what one partner sent for one quarter.
type Submission struct {
	Partner string
	Quarter string
	// AcceptedFiles counts accepted files that brought rows to the quarter,
	// plus accepted files with no in-scope rows whose QuarterHint is the
	// quarter (a header-only file is a submission of 0 cases).
	AcceptedFiles int
	// Cases counts the partner's cases held for the quarter now,
	// restricted ones included.
	Cases int
	// RejectedFiles counts rejected files whose QuarterHint is the quarter.
	RejectedFiles int
	// LastReceived is when the latest of those files was first seen.
	LastReceived time.Time
}

// Submissions returns one entry per partner and quarter that has any file,
// ordered by partner then quarter. Duplicate files are not counted. It
// fails on a database error.
func (d *DB) Submissions(ctx context.Context) ([]Submission, error) {
	type key struct{ partner, quarter string }
	m := map[key]*Submission{}
	get := func(p, q string) *Submission {
		k := key{p, q}
		s := m[k]
		if s == nil {
			s = &Submission{Partner: p, Quarter: q}
			m[k] = s
		}
		return s
	}
	seen := func(s *Submission, recv string) error {
		t, err := parseTime(recv)
		if err != nil {
			return err
		}
		if t.After(s.LastReceived) {
			s.LastReceived = t
		}
		return nil
	}
	// Files: accepted ones by the quarters their rows went to, or by their
	// hint when they had none; rejected ones by their hint.
	rows, err := d.db.QueryContext(ctx, `
SELECT o.partner, oq.quarter, o.verdict, o.received_at FROM objects o JOIN object_quarters oq ON oq.object_id = o.id
WHERE o.verdict = ?
UNION ALL
SELECT o.partner, o.quarter_hint, o.verdict, o.received_at FROM objects o
WHERE o.quarter_hint != '' AND ((o.verdict = ? AND o.rows_stored = 0) OR o.verdict = ?)`,
		transform.Accepted, transform.Accepted, transform.Rejected)
	if err != nil {
		return nil, fmt.Errorf("list submissions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, q, recv string
		var verdict transform.Verdict
		if err := rows.Scan(&p, &q, &verdict, &recv); err != nil {
			return nil, fmt.Errorf("list submissions: %w", err)
		}
		s := get(p, q)
		if verdict == transform.Accepted {
			s.AcceptedFiles++
		} else {
			s.RejectedFiles++
		}
		if err := seen(s, recv); err != nil {
			return nil, fmt.Errorf("list submissions: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list submissions: %w", err)
	}
	rows.Close()

	// Counted per file and quarter first, which reads only the index
	// cases_object (its entries hold the key), then summed per partner.
	cases, err := d.db.QueryContext(ctx, `
SELECT o.partner, c.quarter, sum(c.n) FROM
	(SELECT object_id, quarter, count(*) AS n FROM cases GROUP BY object_id, quarter) c
JOIN objects o ON o.id = c.object_id
GROUP BY o.partner, c.quarter`)
	if err != nil {
		return nil, fmt.Errorf("count cases: %w", err)
	}
	defer cases.Close()
	for cases.Next() {
		var p, q string
		var n int
		if err := cases.Scan(&p, &q, &n); err != nil {
			return nil, fmt.Errorf("count cases: %w", err)
		}
		get(p, q).Cases = n
	}
	if err := cases.Err(); err != nil {
		return nil, fmt.Errorf("count cases: %w", err)
	}

	out := make([]Submission, 0, len(m))
	for _, s := range m {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Partner != out[j].Partner {
			return out[i].Partner < out[j].Partner
		}
		return out[i].Quarter < out[j].Quarter
	})
	return out, nil
}

// AcceptedPartners returns the partners with an accepted file for quarter
// q: the files Submissions counts as q's AcceptedFiles (by the quarters
// their rows went to, or by their hint when they stored none). Unlike
// Submissions it reads only the ledger, never the cases. It fails on a
// database error.
func (d *DB) AcceptedPartners(ctx context.Context, q string) (map[string]bool, error) {
	ps, err := queryStrings(ctx, d.db, `
SELECT o.partner FROM objects o JOIN object_quarters oq ON oq.object_id = o.id
WHERE o.verdict = ? AND oq.quarter = ?
UNION
SELECT o.partner FROM objects o WHERE o.verdict = ? AND o.rows_stored = 0 AND o.quarter_hint = ?`,
		transform.Accepted, q, transform.Accepted, q)
	if err != nil {
		return nil, fmt.Errorf("list partners accepted for %s: %w", q, err)
	}
	out := make(map[string]bool, len(ps))
	for _, p := range ps {
		out[p] = true
	}
	return out, nil
}
