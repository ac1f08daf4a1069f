package synth

import (
	"fmt"
	"slices"

	"landingd/transform"
)

// badRows knows which written fields can carry each kind of bad value.
type badRows struct {
	s                 *transform.Schema
	dateStyle         string
	kinds             []func(g *generator, q quarter, i int)
	code, date, value int // field indices, or -1
}

// newBadRows picks the fields that carry bad values among the written
// columns: an unknown code (main_app_sex, household_type, else another
// coded field), an impossible date (app_date, else another date) and an
// out-of-range integer (main_app_age, else another bounded integer).
func newBadRows(s *transform.Schema, cols []column, sp *Spec) (*badRows, error) {
	b := &badRows{s: s, dateStyle: sp.DateStyle, code: -1, date: -1, value: -1}
	written := func(name string) int {
		for _, c := range cols {
			if c.field >= 0 && s.Fields[c.field].Name == name {
				return c.field
			}
		}
		return -1
	}
	pick := func(preferred []string, ok func(f *transform.Field) bool) int {
		for _, name := range preferred {
			if i := written(name); i >= 0 && ok(&s.Fields[i]) {
				return i
			}
		}
		for _, c := range cols {
			if c.field >= 0 && ok(&s.Fields[c.field]) {
				return c.field
			}
		}
		return -1
	}
	b.code = pick([]string{"main_app_sex", "household_type"}, func(f *transform.Field) bool {
		return len(f.Codes) > 0 && f.Name != "la_code" && f.Name != sp.Filter.Field
	})
	b.date = pick([]string{"app_date"}, func(f *transform.Field) bool {
		return f.Type == "date" && f.Name != "quarter_end_date"
	})
	b.value = pick([]string{"main_app_age"}, func(f *transform.Field) bool {
		return f.Type == "integer" && (f.Minimum != nil || f.Maximum != nil)
	})
	if b.code >= 0 {
		b.kinds = append(b.kinds, b.unknownCode)
	}
	if b.date >= 0 {
		b.kinds = append(b.kinds, b.badDate)
	}
	if b.value >= 0 {
		b.kinds = append(b.kinds, b.outOfRange)
	}
	if sp.BadRows > 0 && len(b.kinds) == 0 {
		return nil, badSpec("bad rows: no written field can carry a bad value")
	}
	if sp.BadRows > 0 && !slices.ContainsFunc(cols, func(c column) bool { return c.name == sp.Filter.Field }) {
		return nil, badSpec("bad rows: %s is not written, so no row is in scope", sp.Filter.Field)
	}
	return b, nil
}

// apply makes the generator's current row the i-th bad row: one bad value,
// and a code in scope of the filter (for H-CLIC, a domestic abuse
// reasonloss) so that the row is in scope.
func (b *badRows) apply(g *generator, q quarter, i int) {
	b.kinds[i%len(b.kinds)](g, q, i/len(b.kinds))
	if !g.inScope() {
		g.vals[g.reason] = value{k: kCode, n: g.scopeCode(q)}
	}
}

// unknownCode is not a code, label or alias of any field.
const unknownCode = "Z9"

func (b *badRows) unknownCode(g *generator, _ quarter, _ int) {
	g.vals[b.code] = value{k: kRaw, s: unknownCode}
}

func (b *badRows) badDate(g *generator, q quarter, _ int) {
	s := fmt.Sprintf("%04d-02-30", q.Year)
	if b.dateStyle != "iso" {
		s = fmt.Sprintf("30/02/%04d", q.Year)
	}
	g.vals[b.date] = value{k: kRaw, s: s}
}

func (b *badRows) outOfRange(g *generator, _ quarter, i int) {
	f := &b.s.Fields[b.value]
	v := -1
	switch {
	case f.Maximum != nil && (i%2 == 0 || f.Minimum == nil):
		v = *f.Maximum + 10
	case f.Minimum != nil:
		v = *f.Minimum - 4
	}
	g.vals[b.value] = value{k: kInt, n: v}
}
