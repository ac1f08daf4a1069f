package synth

import (
	"fmt"
	"time"

	"landingd/transform"
)

// quarter is a calendar quarter: 2025Q4 runs from October to December 2025.
type quarter struct{ year, q int }

// firstQuarter is the first H-CLIC quarter (April to June 2018).
var firstQuarter = quarter{2018, 2}

// daSplit is the first quarter with the split domestic abuse options.
var daSplit = quarter{2023, 3}

// earliestAppDate is the earliest application date the generator writes.
var earliestAppDate = time.Date(2018, 4, 3, 0, 0, 0, 0, time.UTC)

// parseQuarter reads a quarter id such as "2025Q4" as transform does, and
// fails on quarters before H-CLIC began.
func parseQuarter(s string) (quarter, error) {
	start, _, err := transform.ParseQuarter(s)
	if err != nil {
		return quarter{}, err
	}
	q := quarter{start.Year(), (int(start.Month())-1)/3 + 1}
	if q.before(firstQuarter) {
		return q, fmt.Errorf("parse quarter %q: before H-CLIC began in %s", s, firstQuarter)
	}
	return q, nil
}

func (q quarter) String() string { return fmt.Sprintf("%04dQ%d", q.year, q.q) }

// index counts quarters from firstQuarter (0).
func (q quarter) index() int {
	return (q.year-firstQuarter.year)*4 + q.q - firstQuarter.q
}

func quarterAt(index int) quarter {
	n := firstQuarter.year*4 + firstQuarter.q - 1 + index
	return quarter{n / 4, n%4 + 1}
}

func (q quarter) before(o quarter) bool { return q.index() < o.index() }

// start is the quarter's first day.
func (q quarter) start() time.Time {
	return time.Date(q.year, time.Month(3*q.q-2), 1, 0, 0, 0, 0, time.UTC)
}

// end is the quarter's last day: 31 Mar, 30 Jun, 30 Sep or 31 Dec.
func (q quarter) end() time.Time {
	return q.start().AddDate(0, 3, -1)
}
