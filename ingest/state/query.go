package state

import (
	"context"
	"database/sql"
)

// This file holds the query helpers the store's files share.

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

// storedQuarters starts a statement with sq(quarter): the quarters held in
// cases, found with one seek each on the key's first column (its last row
// is NULL, which matches nothing). cases has no index on (la_code,
// pseudonym): a statement that looks a case up by them adds
// inStoredQuarters, and so seeks the case in each stored quarter instead
// of scanning the table. An index cases_person (la_code, pseudonym)
// instead would cost every stored row a third B-tree insert: on the cycle
// benchmark (bench/cycle, 12 x 50,000 rows) the cycle took 24.6 s of CPU
// with it against 22.6 s without (medians of three). The seeks cost a
// case lookup (erasure, restriction, access, retention's restrictions)
// one seek per quarter kept, a few dozen at most.
const storedQuarters = `WITH RECURSIVE sq(quarter) AS (
	SELECT min(quarter) FROM cases
	UNION ALL
	SELECT (SELECT min(c.quarter) FROM cases c WHERE c.quarter > sq.quarter) FROM sq WHERE sq.quarter IS NOT NULL)
`

// inStoredQuarters is the condition that goes with storedQuarters.
const inStoredQuarters = `quarter IN (SELECT quarter FROM sq)`
