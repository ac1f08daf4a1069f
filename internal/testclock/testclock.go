// Package testclock is how the tests of the schedule, the status and the
// service write a wall-clock time: in Europe/London, the zone of the
// built-in protocol.
package testclock

import "time"

// London is the Europe/London location.
var London = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return l
}()

// At parses s, "2006-01-02 15:04", in London; it panics on a malformed s.
func At(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, London)
	if err != nil {
		panic(err)
	}
	return t
}
