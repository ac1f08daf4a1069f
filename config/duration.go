package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

const (
	day  = 24 * time.Hour
	year = 365 * day
)

// errDuration is returned for any text ParseDuration cannot read. Its
// message is a hint, not the rejected text, which callers quote themselves
// when it is safe to.
var errDuration = errors.New("want a duration such as 60s, 36h, 90d or 7y")

// ParseDuration reads a Go duration ("90s", "1h30m") extended with two
// units: d (24 hours) and y (365 days), which may be combined with the
// others ("1y6d", "1d12h", "1.5d"). A leading sign is allowed. It returns
// an error for a bare number (other than 0), an unknown unit, or a value
// beyond about 292 years.
func ParseDuration(s string) (time.Duration, error) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, errDuration
	}
	// total is kept as a magnitude in uint64 so that "-292y..." can reach
	// math.MinInt64 exactly like time.ParseDuration.
	var total uint64
	for s != "" {
		i := 0
		for i < len(s) && (s[i] == '.' || ('0' <= s[i] && s[i] <= '9')) {
			i++
		}
		num := s[:i]
		if num == "" || num == "." {
			return 0, errDuration
		}
		s = s[i:]
		j := 0
		for j < len(s) && s[j] != '.' && (s[j] < '0' || s[j] > '9') {
			j++
		}
		unit := s[:j]
		s = s[j:]
		var part uint64
		switch unit {
		case "d", "y":
			f, err := strconv.ParseFloat(num, 64)
			if err != nil || strings.Count(num, ".") > 1 {
				return 0, errDuration
			}
			per := day
			if unit == "y" {
				per = year
			}
			v := f * float64(per)
			if v >= 1<<63 || math.IsNaN(v) {
				return 0, errDuration
			}
			// Whole numbers are exact; only fractions go through floats.
			if w, err := strconv.ParseUint(num, 10, 63); err == nil {
				if w > uint64(math.MaxInt64)/uint64(per) {
					return 0, errDuration
				}
				part = w * uint64(per)
			} else {
				part = uint64(math.Round(v))
			}
		case "ns", "us", "µs", "μs", "ms", "s", "m", "h":
			d, err := time.ParseDuration(num + unit)
			if err != nil || d < 0 {
				return 0, errDuration
			}
			part = uint64(d)
		default:
			return 0, errDuration
		}
		if total+part < total || total+part > 1<<63 {
			return 0, errDuration
		}
		total += part
	}
	if neg {
		return -time.Duration(total), nil // 1<<63 wraps to MinInt64 as wanted
	}
	if total > math.MaxInt64 {
		return 0, errDuration
	}
	return time.Duration(total), nil
}

// String formats d so that ParseDuration reads it back: whole days as "7y",
// "90d" or "1y6d", anything else as time.Duration does ("36h0m0s").
func (d Duration) String() string {
	if d.Duration == 0 || d.Duration%day != 0 {
		return d.Duration.String()
	}
	days := int64(d.Duration / day)
	var b strings.Builder
	if days < 0 {
		b.WriteByte('-')
		days = -days
	}
	if y := days / 365; y != 0 {
		b.WriteString(strconv.FormatInt(y, 10) + "y")
	}
	if dd := days % 365; dd != 0 {
		b.WriteString(strconv.FormatInt(dd, 10) + "d")
	}
	return b.String()
}

// UnmarshalYAML reads a scalar with ParseDuration. It returns an error for
// a non-scalar, a bare number other than 0, or an unreadable duration.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return errDuration
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("%q: %w", n.Value, errDuration)
	}
	d.Duration = v
	return nil
}

// MarshalYAML writes d as String does.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalText writes d as String does, so JSON shows "90d", not nanoseconds.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// dateLayout is the only accepted date form.
const dateLayout = "2006-01-02"

// ParseDate reads a calendar date written YYYY-MM-DD, as midnight UTC. It
// returns an error for any other form or an impossible date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil || len(s) != len(dateLayout) {
		return Date{}, errors.New("want a date written YYYY-MM-DD")
	}
	return Date{t}, nil
}

// String formats the date as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(dateLayout)
}

// UnmarshalYAML reads a scalar with ParseDate. It returns an error for a
// non-scalar or anything but YYYY-MM-DD.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return errors.New("want a date written YYYY-MM-DD")
	}
	v, err := ParseDate(n.Value)
	if err != nil {
		return fmt.Errorf("%q: %w", n.Value, err)
	}
	*d = v
	return nil
}

// MarshalYAML writes d as String does.
func (d Date) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalText writes d as String does, in place of time.Time's timestamp.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// MarshalJSON writes d as a JSON string YYYY-MM-DD, in place of the
// timestamp time.Time would write.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(d.String())), nil }
