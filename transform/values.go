package transform

import (
	"strconv"
	"strings"
	"time"
)

// hclicStart is the day H-CLIC began: no application date is earlier.
var hclicStart = time.Date(2018, time.April, 3, 0, 0, 0, 0, time.UTC)

// isISODate reports whether v is shaped like YYYY-MM-DD. When parseDate
// accepts such a v, v is the date written as t.Format("2006-01-02") would
// write it: the layout takes exactly four, two and two digits.
func isISODate(v string) bool {
	return len(v) == 10 && v[4] == '-' && v[7] == '-'
}

// parseBool reads yes/no, y/n, true/false and 1/0 in any case.
func parseBool(v string) (value, ok bool) {
	switch strings.ToLower(v) {
	case "yes", "y", "true", "1":
		return true, true
	case "no", "n", "false", "0":
		return false, true
	}
	return false, false
}

// parseInt reads a whole number, allowing a ".0" that spreadsheets add.
func parseInt(v string) (int, bool) {
	v = strings.TrimSuffix(v, ".0")
	if v == "" || len(v) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// isQuarterEnd reports whether t is 31 March, 30 June, 30 September or
// 31 December.
func isQuarterEnd(t time.Time) bool {
	switch t.Month() {
	case time.March, time.December:
		return t.Day() == 31
	case time.June, time.September:
		return t.Day() == 30
	}
	return false
}

// isDecimal reports whether v is digits with at most one decimal point:
// an Excel serial, never a sign, exponent, NaN or Inf.
func isDecimal(v string) bool {
	dot := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return v != ""
}
