package publish

import "regexp"

// number matches a plain decimal number, optionally signed, such as "-5",
// "+44", "3.5" or "1e6". Spreadsheets read these as numbers, not formulas.
var number = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$`)

// Neutralise returns s made safe to open from a CSV file in a spreadsheet
// (OWASP's CSV injection guidance): a cell that begins with "=", "+", "-",
// "@", a tab or a carriage return and is not a plain number gets a leading
// apostrophe, so it is shown as text and never run as a formula
// ("=SUM(A1)" becomes "'=SUM(A1)"; "-5" is unchanged). It is for CSV only:
// an xlsx cell is typed, so a text cell is never run and an apostrophe
// there would show literally (see xlsxWriter).
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !number.MatchString(s) {
			return "'" + s
		}
	}
	return s
}
