package synth

import (
	"fmt"
	"strings"
)

// District is one Essex district council. ID is the short lower-case id
// landingd uses for the partner (e.g. "castle_point"), GSS its ONS code.
type District struct{ ID, Name, GSS string }

var districts = []District{
	{"basildon", "Basildon Borough Council", "E07000066"},
	{"braintree", "Braintree District Council", "E07000067"},
	{"brentwood", "Brentwood Borough Council", "E07000068"},
	{"castle_point", "Castle Point Borough Council", "E07000069"},
	{"chelmsford", "Chelmsford City Council", "E07000070"},
	{"colchester", "Colchester City Council", "E07000071"},
	{"epping_forest", "Epping Forest District Council", "E07000072"},
	{"harlow", "Harlow District Council", "E07000073"},
	{"maldon", "Maldon District Council", "E07000074"},
	{"rochford", "Rochford District Council", "E07000075"},
	{"tendring", "Tendring District Council", "E07000076"},
	{"uttlesford", "Uttlesford District Council", "E07000077"},
}

// Districts returns the 12 Essex districts in GSS order. The slice is a
// fresh copy on every call; it cannot fail.
func Districts() []District {
	return append([]District(nil), districts...)
}

// DistrictByID returns the district with the given id (e.g. "harlow"), and
// false when there is none.
func DistrictByID(id string) (District, bool) {
	for _, d := range districts {
		if d.ID == id {
			return d, true
		}
	}
	return District{}, false
}

// abbrev is the three-letter tag in a district's case references: the
// first three letters of its id, which differ for all 12 districts.
func (d District) abbrev() string {
	id := strings.ToUpper(d.ID)
	if len(id) > 3 {
		id = id[:3]
	}
	return id
}

// CaseRef returns the synthetic case reference of case n of district d,
// e.g. "SYN-BAS-000123": recognisable and obviously fake, so that tests can
// search written bytes for raw case references. n is padded to six digits
// and may have more; it cannot fail.
func CaseRef(d District, n int) string {
	return fmt.Sprintf("SYN-%s-%06d", d.abbrev(), n)
}
