package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"landingd/transform"
)

// cell is one rendered cell. text is always set; an xlsx sink writes date
// as a real date cell when it is not zero, and num as a number when isNum.
type cell struct {
	text  string
	date  time.Time
	num   int
	isNum bool
}

// renderer spells generated values as the Spec asks.
type renderer struct {
	s     *transform.Schema
	sp    *Spec
	cols  []column
	r     *rand.Rand // spelling variants, only drawn for "mixed"
	cells []cell
	rows  int // rows rendered so far
}

func newRenderer(s *transform.Schema, sp *Spec, cols []column, r *rand.Rand) *renderer {
	return &renderer{s: s, sp: sp, cols: cols, r: r, cells: make([]cell, len(cols))}
}

// render spells the values of case n for every column.
func (rd *renderer) render(vals []value, n int) []cell {
	for i, col := range rd.cols {
		if col.field < 0 {
			rd.cells[i] = cell{text: fakeExtra(col.name, n)}
			continue
		}
		rd.cells[i] = rd.cell(&rd.s.Fields[col.field], vals[col.field])
	}
	rd.rows++
	return rd.cells
}

func (rd *renderer) cell(f *transform.Field, v value) cell {
	switch v.k {
	case kText, kRaw:
		return cell{text: v.s}
	case kInt:
		return cell{text: strconv.Itoa(v.n), num: v.n, isNum: true}
	case kDate:
		switch rd.sp.DateStyle {
		case "uk":
			return cell{text: v.t.Format("02/01/2006")}
		case "excel":
			return cell{text: v.t.Format(time.DateOnly), date: v.t}
		}
		return cell{text: v.t.Format(time.DateOnly)}
	case kBool:
		return cell{text: rd.boolText(v.n == 1)}
	case kCode:
		return cell{text: rd.codeText(f, f.Codes[v.n])}
	}
	return cell{}
}

func (rd *renderer) boolText(b bool) string {
	s := strconv.FormatBool(b)
	switch rd.sp.Spelling {
	case "labels":
		return strings.ToUpper(s[:1]) + s[1:]
	case "mixed":
		switch rd.r.IntN(3) {
		case 1:
			return strings.ToUpper(s)
		case 2:
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return s
}

// codeText spells a code: its value, label, an alias, or (mixed) a case
// or space variant. la_code is always its value. In mixed spelling the
// first row uses labels, so that every label style is seen at least once.
func (rd *renderer) codeText(f *transform.Field, c transform.Code) string {
	label := c.Label
	if label == "" {
		label = c.Value
	}
	if f.Name == "la_code" {
		return c.Value
	}
	switch rd.sp.Spelling {
	case "labels":
		return label
	case "mixed":
		k := rd.r.IntN(6)
		if rd.rows == 0 {
			return label
		}
		switch k {
		case 1:
			return label
		case 2:
			if len(c.Aliases) > 0 {
				return c.Aliases[rd.r.IntN(len(c.Aliases))]
			}
			return strings.ToUpper(label)
		case 3:
			return strings.ToUpper(c.Value)
		case 4:
			return " " + label + "  "
		case 5:
			return strings.ToLower(label)
		}
	}
	return c.Value
}

// fakeExtra is an obviously fake value for a column that is not on the
// agreed list.
func fakeExtra(name string, n int) string {
	key := strings.ToLower(name)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(key, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("nino", "ni_number", "national_insurance", "ni number"):
		return fmt.Sprintf("QQ%06dC", n%1000000) // the QQ prefix is never issued
	case has("postcode", "post_code"):
		return "ZZ99 3ZZ"
	case has("birth", "dob"):
		return "1900-01-01"
	case has("phone", "tel", "mobile"):
		return "01632 960000" // a number reserved for drama
	case has("email"):
		return "case@example.invalid"
	case has("address", "street"):
		return "1 Synthetic Street"
	case has("name"):
		return "Synthetic"
	}
	return "synthetic"
}
