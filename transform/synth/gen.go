package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"landingd/transform"
)

// kind is the kind of a generated value.
type kind uint8

const (
	kBlank kind = iota
	kText       // s, written as is
	kCode       // n is an index into the field's Codes
	kDate       // t
	kInt        // n
	kBool       // n is 0 or 1
	kRaw        // a deliberately bad value s, written verbatim
)

// value is one generated value of a schema field, before spelling.
type value struct {
	k kind
	s string
	n int
	t time.Time
}

// Classes of household_type and main_app_sex codes, read from their
// values and labels so that household type, children and sex agree.
const (
	kidsAny int8 = iota
	kidsNone
	kidsSome
)

const (
	sexAny int8 = iota
	sexFemale
	sexMale
)

// generator makes the values of one case in one quarter. A case's values
// come from a generator seeded by (seed, district, case number), so a case
// looks the same in every quarter and every file.
type generator struct {
	s     *transform.Schema
	d     District
	share float64
	seed  uint64
	salt  uint64
	src   rand.PCG
	r     *rand.Rand
	vals  []value

	// Indices of the fields with their own rules, or -1.
	la, qed, ref, app, assess, reason, house, kids, age, sex, version int

	laCode int // index of the district's GSS among la_code's codes, or -1
	// keep are the indices of the filter's codes among its field's
	// codes, kept marks them, and nonDA are the other codes.
	keep  []int
	kept  []bool
	nonDA []int
	// hclic is true for the domestic abuse filter of H-CLIC, whose codes
	// follow the 2023 split (see daCode); daVictim, daPerp and daRetired
	// are then their indices.
	hclic                        bool
	daVictim, daPerp, daRetired  int
	houseKids, houseSex, sexKind []int8

	// The current case.
	isDA           bool
	uRole1, uRole2 float64
	nonDACode      int
	appDate        time.Time
}

func newGenerator(s *transform.Schema, d District, seed uint64, share float64, filter Filter) (*generator, error) {
	g := &generator{s: s, d: d, share: share, seed: seed, salt: mix(hashString(d.GSS)), vals: make([]value, len(s.Fields))}
	g.r = rand.New(&g.src)
	find := func(name, typ string, coded bool) int {
		i := s.Index(name)
		if i < 0 || (typ != "" && s.Fields[i].Type != typ) || coded != (len(s.Fields[i].Codes) > 0) {
			return -1
		}
		return i
	}
	g.qed, g.app, g.assess = find("quarter_end_date", "date", false), find("app_date", "date", false), find("assess_date", "date", false)
	g.ref, g.version = find("case_ref", "", false), find("hclic_spec_version", "", false)
	g.kids, g.age = find("num_dependent_children", "integer", false), find("main_app_age", "integer", false)
	g.house, g.sex, g.reason = find("household_type", "", true), find("main_app_sex", "", true), find(filter.Field, "", true)
	g.la = s.Index("la_code")
	g.laCode = -1
	if g.la >= 0 {
		g.laCode = codeIndex(s.Fields[g.la].Codes, d.GSS)
	}
	if g.reason < 0 {
		return nil, fmt.Errorf("synth schema %s: no coded %s field", s.Name, filter.Field)
	}
	rc := s.Fields[g.reason].Codes
	g.kept = make([]bool, len(rc))
	for _, code := range filter.Keep {
		i := codeIndex(rc, code)
		if i < 0 {
			return nil, fmt.Errorf("synth schema %s: %s lacks one of %v", s.Name, filter.Field, filter.Keep)
		}
		g.keep = append(g.keep, i)
		g.kept[i] = true
	}
	for i := range rc {
		if !g.kept[i] {
			g.nonDA = append(g.nonDA, i)
		}
	}
	if len(g.nonDA) == 0 {
		return nil, fmt.Errorf("synth schema %s: %s has no codes out of scope", s.Name, filter.Field)
	}
	g.daVictim, g.daPerp, g.daRetired = codeIndex(rc, CodeDAVictim), codeIndex(rc, CodeDAPerpetrator), codeIndex(rc, CodeDARetired)
	g.hclic = filter.Field == hclicFilter.Field && len(g.keep) == len(DACodes) &&
		g.daVictim >= 0 && g.kept[g.daVictim] && g.daPerp >= 0 && g.kept[g.daPerp] && g.daRetired >= 0 && g.kept[g.daRetired]
	if g.house >= 0 {
		for _, c := range s.Fields[g.house].Codes {
			g.houseKids = append(g.houseKids, classifyKids(c))
			g.houseSex = append(g.houseSex, classifySex(c))
		}
	}
	if g.sex >= 0 {
		for _, c := range s.Fields[g.sex].Codes {
			g.sexKind = append(g.sexKind, classifySex(c))
		}
	}
	return g, nil
}

func codeIndex(codes []transform.Code, v string) int {
	return slices.IndexFunc(codes, func(c transform.Code) bool { return c.Value == v })
}

func codeText(c transform.Code) string {
	return strings.ToLower(c.Value + " " + c.Label)
}

func classifyKids(c transform.Code) int8 {
	t := strings.ReplaceAll(codeText(c), "_", " ")
	switch {
	case strings.Contains(t, "without") || strings.Contains(t, "no child") || strings.Contains(t, "single adult"):
		return kidsNone
	case strings.Contains(t, "child") || strings.Contains(t, "parent"):
		return kidsSome
	}
	return kidsAny
}

func classifySex(c transform.Code) int8 {
	t := codeText(c)
	switch {
	case strings.Contains(t, "female") || strings.Contains(t, "woman"):
		return sexFemale
	case strings.Contains(t, "male") || strings.Contains(t, " man"):
		return sexMale
	}
	return sexAny
}

// mix is splitmix64's finaliser: it spreads nearby inputs over 64 bits.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func hashString(s string) uint64 {
	h := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// fillCase draws every case-level value of case n, first reported in
// quarter first. Row-level fields are set by setRow.
func (g *generator) fillCase(n int, first quarter) {
	g.src.Seed(g.seed, mix(g.salt^uint64(n)))
	r := g.r
	clear(g.vals)
	end := first.End()
	g.isDA = r.Float64() < g.share
	g.uRole1, g.uRole2 = r.Float64(), r.Float64()
	g.nonDACode = g.nonDA[r.IntN(len(g.nonDA))]

	// Most applications are within the year before the case is first
	// reported; some are older.
	back := r.IntN(365)
	if r.Float64() >= 0.8 {
		back = 365 + r.IntN(2*365)
	}
	g.appDate = end.AddDate(0, 0, -back)
	if g.appDate.Before(earliestAppDate) {
		g.appDate = earliestAppDate
	}
	if g.app >= 0 {
		g.vals[g.app] = value{k: kDate, t: g.appDate}
	}
	if g.assess >= 0 && r.Float64() >= 0.05 {
		days := r.IntN(15)
		if r.Float64() < 0.2 {
			days = r.IntN(57)
		}
		g.vals[g.assess] = value{k: kDate, t: minTime(g.appDate.AddDate(0, 0, days), end)}
	}

	kids, sexWant := kidsAny, sexAny
	if g.house >= 0 {
		h := r.IntN(len(g.houseKids))
		kids, sexWant = g.houseKids[h], g.houseSex[h]
		g.vals[g.house] = value{k: kCode, n: h}
	}
	if g.kids >= 0 {
		var c int
		switch kids {
		case kidsSome:
			c = 1 + r.IntN(3)
			if r.Float64() < 0.15 {
				c = 4 + r.IntN(3)
			}
		case kidsAny:
			if r.Float64() < 0.3 {
				c = 1 + r.IntN(2)
			}
		}
		g.vals[g.kids] = value{k: kInt, n: clampField(&g.s.Fields[g.kids], c)}
	}
	if g.sex >= 0 {
		if sexWant == sexAny {
			switch u := r.Float64(); {
			case u < 0.62:
				sexWant = sexFemale
			case u < 0.97:
				sexWant = sexMale
			}
		}
		g.vals[g.sex] = value{k: kCode, n: g.pickSex(sexWant)}
	}
	if g.age >= 0 {
		g.vals[g.age] = value{k: kInt, n: clampField(&g.s.Fields[g.age], drawAge(r))}
	}

	for i := range g.s.Fields {
		switch i {
		case g.la, g.qed, g.ref, g.reason, g.version, g.app, g.assess, g.house, g.kids, g.age, g.sex:
			continue
		}
		f := &g.s.Fields[i]
		if !f.Required && r.Float64() < 0.2 {
			continue
		}
		g.vals[i] = g.generic(f, end)
	}
}

// pickSex returns a main_app_sex code of the wanted class, at random
// among all codes when there is none.
func (g *generator) pickSex(want int8) int {
	var idx [16]int
	m := 0
	for i, k := range g.sexKind {
		if k == want && m < len(idx) {
			idx[m] = i
			m++
		}
	}
	if m == 0 {
		return g.r.IntN(len(g.sexKind))
	}
	return idx[g.r.IntN(m)]
}

// drawAge is skewed to 18-60, with a few 16-17 and some older applicants.
func drawAge(r *rand.Rand) int {
	switch u := r.Float64(); {
	case u < 0.03:
		return 16 + r.IntN(2)
	case u < 0.92:
		return 18 + int((r.Float64()+r.Float64())/2*43)
	case u < 0.995:
		return 61 + r.IntN(30)
	default:
		return 91 + r.IntN(30)
	}
}

func clampField(f *transform.Field, v int) int {
	if f.Minimum != nil && v < *f.Minimum {
		v = *f.Minimum
	}
	if f.Maximum != nil && v > *f.Maximum {
		v = *f.Maximum
	}
	return v
}

func minTime(a, b time.Time) time.Time {
	if a.After(b) {
		return b
	}
	return a
}

// generic draws a value for a field without its own rule. Dates fall
// between the application and the end of the case's first quarter, and an
// end or exit date after its start or entry date.
func (g *generator) generic(f *transform.Field, end time.Time) value {
	r := g.r
	if len(f.Codes) > 0 {
		return value{k: kCode, n: r.IntN(len(f.Codes))}
	}
	switch f.Type {
	case "date":
		lo := g.appDate
		for _, pair := range [][2]string{{"_end_date", "_start_date"}, {"_exit_date", "_entry_date"}} {
			if base, ok := strings.CutSuffix(f.Name, pair[0]); ok {
				if j := g.s.Index(base + pair[1]); j >= 0 && g.vals[j].k == kDate {
					lo = g.vals[j].t
				}
			}
		}
		lo = minTime(lo, end)
		span := min(int(end.Sub(lo).Hours()/24), 180)
		return value{k: kDate, t: lo.AddDate(0, 0, r.IntN(span+1))}
	case "integer":
		lo, hi := 0, 10
		if f.Minimum != nil {
			lo = *f.Minimum
			hi = lo + 10
		}
		if f.Maximum != nil {
			hi = *f.Maximum
		}
		if hi < lo {
			hi = lo
		}
		return value{k: kInt, n: lo + r.IntN(min(hi-lo, 1000)+1)}
	case "boolean":
		// A domestic abuse support need goes with a domestic abuse case.
		p := 0.5
		if strings.Contains(f.Name, "domestic_abuse") {
			p = 0.1
			if g.isDA {
				p = 0.85
			}
		}
		if r.Float64() < p {
			return value{k: kBool, n: 1}
		}
		return value{k: kBool}
	}
	if f.Required {
		return value{k: kText, s: "synthetic"}
	}
	return value{}
}

// setRow sets the fields that depend on the quarter: la_code,
// quarter_end_date, case_ref, reasonloss and the H-CLIC version.
func (g *generator) setRow(q quarter, n int) {
	if g.la >= 0 {
		if g.laCode >= 0 {
			g.vals[g.la] = value{k: kCode, n: g.laCode}
		} else {
			g.vals[g.la] = value{k: kText, s: g.d.GSS}
		}
	}
	if g.qed >= 0 {
		g.vals[g.qed] = value{k: kDate, t: q.End()}
	}
	if g.ref >= 0 {
		g.vals[g.ref] = value{k: kText, s: CaseRef(g.d, n)}
	}
	reason := g.nonDACode
	if g.isDA {
		reason = g.scopeCode(q)
	}
	g.vals[g.reason] = value{k: kCode, n: reason}
	if g.version >= 0 {
		v := "1.4.5"
		if !q.Before(daSplit) {
			v = "2.0"
		}
		g.vals[g.version] = value{k: kText, s: v}
	}
}

// scopeCode is the current case's code in scope of the filter in quarter
// q: for H-CLIC, its domestic abuse option (daCode); otherwise one of the
// kept codes, the same in every quarter.
func (g *generator) scopeCode(q quarter) int {
	if g.hclic {
		return g.daCode(q)
	}
	return g.keep[int(g.uRole1*float64(len(g.keep)))]
}

// daCode is the current case's domestic abuse option in quarter q: the
// single option before 2023Q3; after it mostly victim, some alleged
// perpetrator, and the retired option for a few cases first reported
// before the change.
func (g *generator) daCode(q quarter) int {
	switch {
	case q.Before(daSplit):
		return g.daRetired
	case g.appDate.Before(daSplit.Start()) && g.uRole1 < 0.1:
		return g.daRetired
	case g.uRole2 < 0.11:
		return g.daPerp
	}
	return g.daVictim
}

// inScope reports whether the current row is in scope of the filter
// (for H-CLIC, whether its reasonloss is domestic abuse).
func (g *generator) inScope() bool {
	return g.kept[g.vals[g.reason].n]
}

// reasonCode is the current row's canonical code of the filter's field.
func (g *generator) reasonCode() string {
	return g.s.Fields[g.reason].Codes[g.vals[g.reason].n].Value
}
