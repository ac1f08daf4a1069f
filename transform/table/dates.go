package table

import (
	"math"
	"strconv"
	"time"
)

// ExcelDate turns an xlsx date cell, which Next returns as Excel's serial
// number (days since 1899-12-30, or since 1904-01-01 when date1904), into
// an ISO date YYYY-MM-DD, dropping any time of day. ok is false when s
// is not a number or is outside 1900-01-01 to 9999-12-31.
func ExcelDate(s string, date1904 bool) (iso string, ok bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return "", false
	}
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	days := math.Floor(v + 1e-9) // a time a hair before midnight is that day
	if !date1904 && days < 61 {
		// Excel counts a 29 February 1900 that never was: serials before
		// it are one day later than the calendar says.
		days++
	}
	if days < 0 || days > 3e6 {
		return "", false
	}
	d := base.AddDate(0, 0, int(days))
	if d.Year() < 1900 || d.Year() > 9999 {
		return "", false
	}
	return d.Format("2006-01-02"), true
}

// Date1904 reports whether t is an xlsx workbook that counts dates from
// 1904 (an option of old Mac Excel), which ExcelDate needs to know. It is
// false for CSV.
func Date1904(t Table) bool {
	x, ok := t.(*table)
	return ok && x.date1904
}

// Fields returns how many cells the CSV record Next last returned held
// before its trailing blank cells were trimmed, which tells a short row
// from one whose last cells are blank. It is 0 for xlsx, which leaves
// empty cells out, before the first record, and for a record read while
// looking for the header.
func Fields(t Table) int {
	x, ok := t.(*table)
	if !ok || x.fromPending {
		return 0
	}
	if c, ok := x.src.(*csvSource); ok {
		return c.fields
	}
	return 0
}

// Sheet names the xlsx sheet t reads, or "" for CSV.
func Sheet(t Table) string {
	if x, ok := t.(*table); ok {
		return x.sheet
	}
	return ""
}
