package synth

import (
	"fmt"
	"time"

	"landingd/transform"
)

// quarter is transform's calendar quarter.
type quarter = transform.Quarter

// firstQuarter is the first H-CLIC quarter (April to June 2018).
var firstQuarter = quarter{Year: 2018, Q: 2}

// daSplit is the first quarter with the split domestic abuse options.
var daSplit = quarter{Year: 2023, Q: 3}

// earliestAppDate is the earliest application date the generator writes.
var earliestAppDate = time.Date(2018, 4, 3, 0, 0, 0, 0, time.UTC)

// parseQuarter reads a quarter id with transform.ParseQuarterID, and
// fails on quarters before H-CLIC began.
func parseQuarter(s string) (quarter, error) {
	q, err := transform.ParseQuarterID(s)
	if err != nil {
		return quarter{}, err
	}
	if q.Before(firstQuarter) {
		return q, fmt.Errorf("parse quarter %q: before H-CLIC began in %s", s, firstQuarter)
	}
	return q, nil
}

// index counts quarters from firstQuarter (0). The generator seeds its
// streams with it, so it must not change.
func index(q quarter) int { return q.Index() - firstQuarter.Index() }

// quarterAt is the inverse of index.
func quarterAt(i int) quarter { return transform.QuarterAt(firstQuarter.Index() + i) }
