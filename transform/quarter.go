package transform

import (
	"fmt"
	"time"
)

// Quarter is a calendar quarter: Quarter{2025, 4} runs from October to
// December 2025 and is written "2025Q4". The zero Quarter is not a
// quarter; ParseQuarterID and QuarterFor are the only ways to make one
// from outside data, and every quarter id in landingd is read by
// ParseQuarterID.
type Quarter struct {
	Year int // 1000 to 9999
	Q    int // 1 to 4
}

// ParseQuarterID reads a quarter id such as "2025Q4". It fails on
// anything else, including years before 1000, a lower-case q and quarters
// other than 1 to 4. It is the one parser of quarter ids.
func ParseQuarterID(id string) (Quarter, error) {
	if len(id) != 6 || id[4] != 'Q' || id[5] < '1' || id[5] > '4' {
		return Quarter{}, fmt.Errorf("parse quarter %q: want YYYYQn, n from 1 to 4", id)
	}
	y := 0
	for _, c := range id[:4] {
		if c < '0' || c > '9' {
			return Quarter{}, fmt.Errorf("parse quarter %q: bad year", id)
		}
		y = 10*y + int(c-'0')
	}
	if y < 1000 {
		return Quarter{}, fmt.Errorf("parse quarter %q: bad year", id)
	}
	return Quarter{y, int(id[5] - '0')}, nil
}

// QuarterFor returns the calendar quarter holding date's calendar day.
func QuarterFor(date time.Time) Quarter {
	return Quarter{date.Year(), (int(date.Month())-1)/3 + 1}
}

// String returns the quarter's id, such as "2025Q4".
func (q Quarter) String() string { return fmt.Sprintf("%04dQ%d", q.Year, q.Q) }

// Start returns the quarter's first day, at UTC midnight.
func (q Quarter) Start() time.Time {
	return time.Date(q.Year, time.Month(3*q.Q-2), 1, 0, 0, 0, 0, time.UTC)
}

// End returns the quarter's last day (31 March, 30 June, 30 September or
// 31 December), at UTC midnight.
func (q Quarter) End() time.Time { return q.Start().AddDate(0, 3, -1) }

// Index counts quarters from the start of year 0, so that quarters
// compare and subtract as integers.
func (q Quarter) Index() int { return q.Year*4 + q.Q - 1 }

// QuarterAt is the inverse of Index.
func QuarterAt(index int) Quarter { return Quarter{index / 4, index%4 + 1} }

// Next returns the quarter after q.
func (q Quarter) Next() Quarter { return QuarterAt(q.Index() + 1) }

// Prev returns the quarter before q.
func (q Quarter) Prev() Quarter { return QuarterAt(q.Index() - 1) }

// Before reports whether q is earlier than o.
func (q Quarter) Before(o Quarter) bool { return q.Index() < o.Index() }

// Label names the quarter in words, such as "October to December 2025".
func (q Quarter) Label() string {
	return fmt.Sprintf("%s to %s %d", q.Start().Month(), q.End().Month(), q.Year)
}

// Financial names the quarter in the UK financial year, which starts in
// April: 2025Q4 (October to December 2025) is "2025/26 Q3" and 2026Q1 is
// "2025/26 Q4".
func (q Quarter) Financial() string {
	y, fq := q.Year, q.Q-1
	if q.Q == 1 {
		y, fq = y-1, 4
	}
	return fmt.Sprintf("%d/%02d Q%d", y, (y+1)%100, fq)
}

// QuarterOf returns the id of the calendar quarter holding date, such as
// "2025Q4" for any day from 1 October to 31 December 2025.
func QuarterOf(date time.Time) string { return QuarterFor(date).String() }

// ParseQuarter reads a quarter id with ParseQuarterID and returns its
// first and last days (UTC midnight).
func ParseQuarter(id string) (start, end time.Time, err error) {
	q, err := ParseQuarterID(id)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return q.Start(), q.End(), nil
}

// QuarterLabel is Quarter.Label for a quarter id. It returns the id
// unchanged when it is not a quarter id.
func QuarterLabel(id string) string {
	q, err := ParseQuarterID(id)
	if err != nil {
		return id
	}
	return q.Label()
}

// FinancialQuarter is Quarter.Financial for a quarter id. It returns the
// id unchanged when it is not a quarter id.
func FinancialQuarter(id string) string {
	q, err := ParseQuarterID(id)
	if err != nil {
		return id
	}
	return q.Financial()
}

// LastCompletedQuarter returns the latest quarter that ended before now's
// date: on any day of 2026Q1 it is "2025Q4".
func LastCompletedQuarter(now time.Time) string {
	return QuarterFor(now).Prev().String()
}

// NextQuarter returns the quarter after id ("2025Q4" gives "2026Q1"), or
// "" when id is not a quarter id.
func NextQuarter(id string) string {
	q, err := ParseQuarterID(id)
	if err != nil {
		return ""
	}
	return q.Next().String()
}

// PrevQuarter returns the quarter before id ("2026Q1" gives "2025Q4"), or
// "" when id is not a quarter id.
func PrevQuarter(id string) string {
	q, err := ParseQuarterID(id)
	if err != nil {
		return ""
	}
	return q.Prev().String()
}
