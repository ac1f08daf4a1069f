package transform

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		serials bool
		order   DateOrder
		want    string // YYYY-MM-DD, "" when not a date
		kind    dateKind
	}{
		{in: "2025-12-31", want: "2025-12-31", kind: dateOK},
		{in: "2024-02-29", want: "2024-02-29", kind: dateOK},
		{in: "2025-02-29", kind: dateBad},
		{in: "1900-02-29", kind: dateBad},
		{in: "2000-02-29", want: "2000-02-29", kind: dateOK},
		{in: "2025-04-31", kind: dateBad},
		{in: "2025-13-01", kind: dateBad},
		{in: "2025-00-10", kind: dateBad},
		{in: "2025-1-01", kind: dateBad},
		{in: "+025-12-31", kind: dateBad},
		{in: "2025-12-31T00:00:00", want: "2025-12-31", kind: dateOK},
		{in: "2025-12-31T14:05:09", want: "2025-12-31", kind: dateTimeDropped},
		{in: "2025-12-31 00:00:00.000", want: "2025-12-31", kind: dateOK},
		{in: "2025-12-31 00:00:00.001", want: "2025-12-31", kind: dateTimeDropped},
		{in: "2025-12-31T24:00:00", kind: dateBad},
		{in: "2025-12-31T", kind: dateBad},
		{in: "2025-12-31Z", kind: dateBad},
		{in: "2025-12-31T00:00:00Z", kind: dateBad},
		{in: "31/12/2025", want: "2025-12-31", kind: dateOK},
		{in: "1/2/2025", want: "2025-02-01", kind: dateOK},
		{in: "01/02/2025", want: "2025-02-01", kind: dateOK},
		{in: "28/02/2005 00:00:00", want: "2005-02-28", kind: dateOK},
		{in: "28/02/2005 00:00", want: "2005-02-28", kind: dateOK},
		{in: "28/02/2005  0:00", want: "2005-02-28", kind: dateOK},
		{in: "28/02/2005 09:30", want: "2005-02-28", kind: dateTimeDropped},
		{in: "28/02/2005 09:30:15", want: "2005-02-28", kind: dateTimeDropped},
		{in: "28/02/2005 12:00:00 AM", want: "2005-02-28", kind: dateOK},
		{in: "28/02/2005 12:00:00 PM", want: "2005-02-28", kind: dateTimeDropped},
		{in: "28/02/2005 13:00:00 PM", kind: dateBad},
		{in: "28/02/2005 9:3", kind: dateBad},
		{in: "28/02/2005 09:60", kind: dateBad},
		{in: "28/02/2005T00:00:00", kind: dateBad},
		{in: "28/02/2005x", kind: dateBad},
		{in: "28/02/05", kind: dateBad},
		{in: "28/02/0999", kind: dateBad},
		{in: "28/02/20055", kind: dateBad},
		{in: "123/02/2005", kind: dateBad},
		{in: "31/04/2025", kind: dateBad},
		{in: "29/02/2024", want: "2024-02-29", kind: dateOK},
		// Month first under day first: the file is in the other order.
		{in: "03/25/2025", kind: dateWrongOrder},
		{in: "12/13/2025 00:00:00", kind: dateWrongOrder},
		{in: "13/13/2025", kind: dateBad},
		{in: "03/32/2025", kind: dateBad},
		{in: "03/04/2025", order: MonthFirst, want: "2025-03-04", kind: dateOK},
		{in: "3/25/2025 12:00:00 AM", order: MonthFirst, want: "2025-03-25", kind: dateOK},
		{in: "25/03/2025", order: MonthFirst, kind: dateWrongOrder},
		{in: "2025-03-04", order: MonthFirst, want: "2025-03-04", kind: dateOK},
		// Excel serials, only from xlsx.
		{in: "45000", kind: dateBad},
		{in: "45000", serials: true, want: "2023-03-15", kind: dateOK},
		{in: "45000.0", serials: true, want: "2023-03-15", kind: dateOK},
		{in: "45000.5", serials: true, want: "2023-03-15", kind: dateTimeDropped},
		{in: "45000.99999999999", serials: true, want: "2023-03-16", kind: dateOK},
		{in: "1", serials: true, want: "1900-01-01", kind: dateOK},
		{in: "59", serials: true, want: "1900-02-28", kind: dateOK},
		{in: "61", serials: true, want: "1900-03-01", kind: dateOK},
		{in: "2958465", serials: true, want: "9999-12-31", kind: dateOK},
		{in: "2958466", serials: true, kind: dateBad},
		{in: "-1", serials: true, kind: dateBad},
		{in: "1e5", serials: true, kind: dateBad},
		{in: "", serials: true, kind: dateBad},
		{in: "yesterday", kind: dateBad},
	}
	for _, tt := range tests {
		got, kind := parseDate(tt.in, tt.serials, false, tt.order)
		gotISO := ""
		if kind == dateOK || kind == dateTimeDropped {
			gotISO = got.Format("2006-01-02")
		}
		if gotISO != tt.want || kind != tt.kind {
			t.Errorf("parseDate(%q, serials %v, %q) = %q, kind %d; want %q, kind %d", tt.in, tt.serials, tt.order, gotISO, kind, tt.want, tt.kind)
		}
	}
	if got, _ := parseDate("0", true, true, DayFirst); got.Format("2006-01-02") != "1904-01-01" {
		t.Errorf("serial 0 in a 1904 workbook is %s", got.Format("2006-01-02"))
	}
}

// FuzzParseDate checks the dates parseDate accepts: a date written
// YYYY-MM-DD is accepted only as the canonical form of itself, which Judge
// relies on to emit the cell as it is; every date is a UTC midnight; a
// date in either order that is not wrong-ordered reads the same as
// time.Parse reads it; and serials agree with the reader's ExcelDate.
func FuzzParseDate(f *testing.F) {
	for _, v := range []string{"2025-12-31", "31/12/2025", "1/2/2025", "2025-1-01", "+025-12-31", "2025-02-30", "45000", "45000.5",
		"0001-01-01", "28/02/2005 00:00:00", "2025-12-31T10:00:00", "03/25/2025", "3/4/2025 12:00:00 AM", "2025-12-31 00:00:00.000"} {
		f.Add(v, true, false)
	}
	f.Fuzz(func(t *testing.T, v string, serials, mdy bool) {
		order := DayFirst
		if mdy {
			order = MonthFirst
		}
		d, kind := parseDate(v, serials, false, order)
		if kind == dateBad || kind == dateWrongOrder {
			if !d.IsZero() {
				t.Fatalf("parseDate(%q) = %v with kind %d", v, d, kind)
			}
			return
		}
		if d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Location() != time.UTC {
			t.Fatalf("parseDate(%q) = %v, not a UTC day", v, d)
		}
		if isISODate(v) && d.Format("2006-01-02") != v {
			t.Fatalf("parseDate(%q) = %s: an ISO-shaped cell that is not canonical", v, d.Format("2006-01-02"))
		}
		if len(v) <= 10 && !isDecimal(v) {
			layout := "2006-01-02"
			if v[len(v)-5] == '/' {
				layout = map[DateOrder]string{DayFirst: "2/1/2006", MonthFirst: "1/2/2006"}[order]
			}
			want, err := time.Parse(layout, v)
			if err != nil || !want.Equal(d) {
				t.Fatalf("parseDate(%q) = %s, time.Parse %q gives %s, %v", v, d.Format("2006-01-02"), layout, want.Format("2006-01-02"), err)
			}
		}
	})
}

// BenchmarkParseDate compares parseDate with the time.Parse reading it
// replaced, on the cells real exports carry.
func BenchmarkParseDate(b *testing.B) {
	for _, v := range []string{"2025-12-31", "28/02/2005", "28/02/2005 00:00:00", "2025-12-31T00:00:00"} {
		b.Run("hand/"+v, func(b *testing.B) {
			for b.Loop() {
				if _, kind := parseDate(v, false, false, DayFirst); kind != dateOK {
					b.Fatal(v)
				}
			}
		})
		b.Run("time.Parse/"+v, func(b *testing.B) {
			for b.Loop() {
				if _, ok := timeParseDate(v); !ok {
					b.Fatal(v)
				}
			}
		})
	}
}

// timeParseDate reads the same cells with time.Parse, as the judge once
// did, for BenchmarkParseDate.
func timeParseDate(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "2/1/2006", "2/1/2006 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
		}
	}
	return time.Time{}, false
}

func TestJudgeDates(t *testing.T) {
	t.Parallel()
	s := loadTestSchema(t)
	row := func(qed, app string) string {
		return "E07000066," + qed + ",R1," + app + ",da_victim,single_female,30,female\n"
	}
	tests := []struct {
		name    string
		input   string
		order   DateOrder
		verdict Verdict
		file    []Issue
		dropped int
		app     string
	}{
		{"DateTimes", hdr + "\n" + row("31/12/2025 00:00:00", "2025-12-01T09:30:00"), "", Accepted, nil, 1, "2025-12-01"},
		{"MidnightDropped", hdr + "\n" + row("2025-12-31T00:00:00", "01/12/2025 00:00"), DayFirst, Accepted, nil, 0, "2025-12-01"},
		{"MonthFirstAgreed", hdr + "\n" + row("12/31/2025", "12/01/2025 12:00:00 AM"), MonthFirst, Accepted, nil, 0, "2025-12-01"},
		{"MonthFirstUnderDayFirst", hdr + "\n" + row("2025-12-31", "12/01/2025") + strings.Replace(row("2025-12-31", "11/13/2025"), "R1", "R2", 1), DayFirst, Rejected,
			[]Issue{{Field: "app_date", Rule: RuleDateOrder, Message: "row 3, column D (app_date) holds a date whose second part is above 12"}}, 0, ""},
		{"DayFirstUnderMonthFirst", hdr + "\n" + row("31/12/2025", "01/12/2025"), MonthFirst, Rejected,
			[]Issue{{Field: "quarter_end_date", Rule: RuleDateOrder, Message: "row 2, column B (quarter_end_date) holds a date whose first part is above 12"}}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := testOptions()
			opt.DateOrder = tt.order
			res, rows := judgeString(t, s, "in.csv", tt.input, opt)
			if res.Verdict != tt.verdict || !sameIssues(res.FileErrors, tt.file) || res.TimesDropped != tt.dropped {
				t.Fatalf("verdict %s, file errors %+v, times dropped %d; want %s, %+v, %d", res.Verdict, res.FileErrors, res.TimesDropped, tt.verdict, tt.file, tt.dropped)
			}
			for _, is := range res.FileErrors {
				if strings.Contains(is.Message, "11/13") || strings.Contains(is.Message, "2025") {
					t.Errorf("a cell value in %q", is.Message)
				}
			}
			if tt.app != "" && (len(rows) != 1 || rows[0].Values[s.Index("app_date")] != tt.app) {
				t.Errorf("rows %+v, want app_date %s", rows, tt.app)
			}
		})
	}
}

// TestUTCDate checks the hand-counted day against time.Date on every day
// of the years parseDate reads, and against civilFromDays back again.
func TestUTCDate(t *testing.T) {
	t.Parallel()
	want := time.Date(0, time.January, 1, 0, 0, 0, 0, time.UTC)
	for n := int(want.Unix() / 86400); want.Year() < 10000; n++ {
		y, m, d := want.Date()
		if got := utcDate(y, int(m), d); got != want {
			t.Fatalf("utcDate(%d, %d, %d) = %v, want %v", y, m, d, got, want)
		}
		if got := daysFromCivil(y, int(m), d); got != n {
			t.Fatalf("daysFromCivil(%d, %d, %d) = %d, want %d", y, m, d, got, n)
		}
		if cy, cm, cd := civilFromDays(n); cy != y || cm != int(m) || cd != d {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %v", n, cy, cm, cd, want)
		}
		want = want.AddDate(0, 0, 1)
	}
}

// BenchmarkUTCDate compares utcDate with the time.Date call it replaced.
func BenchmarkUTCDate(b *testing.B) {
	var t time.Time
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			t = utcDate(2025, 12, 31)
		}
	})
	b.Run("time.Date", func(b *testing.B) {
		for b.Loop() {
			t = time.Date(2025, time.December, 31, 0, 0, 0, 0, time.UTC)
		}
	})
	if t.IsZero() {
		b.Fatal("no date")
	}
}
