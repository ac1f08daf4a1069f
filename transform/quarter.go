package transform

import (
	"fmt"
	"strconv"
	"time"
)

// QuarterOf returns the id of the calendar quarter holding date, such as
// "2025Q4" for any day from 1 October to 31 December 2025.
func QuarterOf(date time.Time) string {
	return fmt.Sprintf("%04dQ%d", date.Year(), (int(date.Month())-1)/3+1)
}

// ParseQuarter reads a quarter id such as "2025Q4" and returns its first
// and last days (UTC midnight). It fails on anything else, including
// years before 1000 and quarters other than 1 to 4.
func ParseQuarter(id string) (start, end time.Time, err error) {
	if len(id) != 6 || id[4] != 'Q' || id[5] < '1' || id[5] > '4' {
		return time.Time{}, time.Time{}, fmt.Errorf("parse quarter %q: want YYYYQn, n from 1 to 4", id)
	}
	y, err := strconv.Atoi(id[:4])
	if err != nil || y < 1000 {
		return time.Time{}, time.Time{}, fmt.Errorf("parse quarter %q: bad year", id)
	}
	q := int(id[5] - '0')
	start = time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
	end = start.AddDate(0, 3, -1)
	return start, end, nil
}

// QuarterLabel names a quarter in words, such as "October to December
// 2025". It returns the id unchanged when it is not a quarter id.
func QuarterLabel(id string) string {
	start, end, err := ParseQuarter(id)
	if err != nil {
		return id
	}
	return fmt.Sprintf("%s to %s %d", start.Month(), end.Month(), start.Year())
}

// FinancialQuarter names a quarter in the UK financial year, which starts
// in April: "2025Q4" (October to December 2025) is "2025/26 Q3" and
// "2026Q1" is "2025/26 Q4". It returns the id unchanged when it is not a
// quarter id.
func FinancialQuarter(id string) string {
	start, _, err := ParseQuarter(id)
	if err != nil {
		return id
	}
	y, q := start.Year(), (int(start.Month())-1)/3+1
	fq := q - 1
	if q == 1 {
		y, fq = y-1, 4
	}
	return fmt.Sprintf("%d/%02d Q%d", y, (y+1)%100, fq)
}

// LastCompletedQuarter returns the latest quarter that ended before now's
// date: on any day of 2026Q1 it is "2025Q4".
func LastCompletedQuarter(now time.Time) string {
	y, m := now.Year(), now.Month()
	first := time.Date(y, time.Month((int(m)-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	return QuarterOf(first.AddDate(0, 0, -1))
}

// NextQuarter returns the quarter after id ("2025Q4" gives "2026Q1"), or
// "" when id is not a quarter id.
func NextQuarter(id string) string {
	_, end, err := ParseQuarter(id)
	if err != nil {
		return ""
	}
	return QuarterOf(end.AddDate(0, 0, 1))
}
