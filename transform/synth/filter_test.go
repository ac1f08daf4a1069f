package synth_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"landingd/transform"
	"landingd/transform/synth"
)

// TestFilterOfAnotherProtocol writes files for the example protocol's
// field list and filter: rows in scope carry only the kept codes, bad
// rows are in scope, and QuarterDropOf writes one file per partner it is
// given.
func TestFilterOfAnotherProtocol(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../deploy/protocols/safeguarding-adults/safeguarding-adults.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := transform.LoadSchema(data)
	if err != nil {
		t.Fatal(err)
	}
	filter := synth.Filter{Field: "enquiry_type", Keep: []string{"s42"}}
	essex := synth.District{ID: "essex", Name: "Essex County Council", GSS: "E10000012"}
	var buf bytes.Buffer
	st, err := synth.WriteStats(&buf, s, synth.Spec{District: essex, Quarters: []string{"2026Q1", "2026Q2"}, Rows: 200,
		Filter: filter, BadRows: 6, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if st.InScope != st.ReasonLoss["s42"] || st.ReasonLoss["other"] == 0 || st.InScope == 0 || st.Rows != 400 {
		t.Errorf("stats = %+v, want rows in and out of scope, in scope counted by the kept code", st)
	}
	if st.Clean != st.InScope-st.Bad {
		t.Errorf("clean %d, in scope %d, bad %d: bad rows must be in scope", st.Clean, st.InScope, st.Bad)
	}
	if !strings.Contains(buf.String(), "SYN-ESS-") {
		t.Error("case references are not the partner's synthetic ones")
	}

	// The default filter's field is not on this field list.
	if _, err := synth.WriteStats(&buf, s, synth.Spec{District: essex, Quarters: []string{"2026Q1"}, Rows: 1}); err == nil ||
		!strings.Contains(err.Error(), "no coded reasonloss field") {
		t.Errorf("the H-CLIC filter on another field list: %v", err)
	}
	if _, err := synth.WriteStats(&buf, s, synth.Spec{District: essex, Quarters: []string{"2026Q1"}, Rows: 1,
		Filter: synth.Filter{Field: "enquiry_type", Keep: []string{"s43"}}}); err == nil || !strings.Contains(err.Error(), "enquiry_type lacks one of [s43]") {
		t.Errorf("a filter keeping no code of its field: %v", err)
	}

	dir := t.TempDir()
	southend := synth.District{ID: "southend", Name: "Southend-on-Sea City Council", GSS: "E06000033"}
	paths, err := synth.QuarterDropOf(dir, s, "2026Q2", 20, 1, synth.Drop{Partners: []synth.District{essex, southend},
		Filter: filter, Name: "sab"})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || !strings.HasPrefix(paths[0], filepath.Join(dir, "essex", "essex-sab-2026Q2.")) ||
		!strings.HasPrefix(paths[1], filepath.Join(dir, "southend", "southend-sab-2026Q2.")) {
		t.Errorf("QuarterDropOf wrote %v, want one file per partner in its folder", paths)
	}
}
