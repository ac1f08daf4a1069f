package transform

import (
	"strings"
	"testing"
)

func TestHeaderQuestion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"H-CLIC 1.15 Main reason for loss of settled home", "1.15"},
		{"1.15 Reason", "1.15"},
		{"1.15", "1.15"},
		{"1.15. Reason", "1.15"},
		{"1.15: Reason", "1.15"},
		{"1.15Reason", "1.15"},
		{"1.15-Reason", "1.15"},
		{"1.15 (Main reason)", "1.15"},
		{"HCLIC 9.7 TA duty", "9.7"},
		{"hclic_1.5_assess_date", "1.5"},
		{"H CLIC: 1.22 Date homeless application made", "1.22"},
		{"H–CLIC 1.13", "1.13"},
		{"Q1.15", "1.15"},
		{"Question 1.15 reason", "1.15"},
		{"\ufeff1.1 Local Authority Code and Case Reference Number", "1.1"},
		{"  2.4 Age at application", "2.4"},
		{"1.1.5 Something", "1.1.5"}, // no field has it
		{"1.15.x", ""},
		{"1.", ""},
		{"1 Reason", ""},
		{"12345.1 Reason", ""},
		{"A1.6 NINO", ""},
		{"Reason 1.15", ""},
		{"Relationship HCLIC -2.5", ""},
		{"2025-03-31", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := headerQuestion(tt.in); got != tt.want {
			t.Errorf("headerQuestion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMatchHeaderHCLIC matches the headers of a per-person export that
// names its columns by H-CLIC question number, element name, or both.
func TestMatchHeaderHCLIC(t *testing.T) {
	t.Parallel()
	s := loadTestSchema(t)
	tests := []struct {
		cell, want string // want "" means no field
	}{
		{"H-CLIC 1.15 Main reason for loss of settled home", "reasonloss"},
		{"1.15 Reason", "reasonloss"},
		{"REASONLOSS", "reasonloss"},
		{"reasonloss", "reasonloss"},
		{"1.1 Local Authority Code and Case Reference Number", "case_ref"},
		{"1.1", "case_ref"},
		{"1.13 Current accommodation", "currentaccom"},
		{"1.14", "lastaccom"},
		{"H-CLIC 1.5 Date of assessment", "assess_date"},
		{"assess date", "assess_date"},
		{"H-CLIC 4.8", "accom_pr"},
		{"7.5 Priority need", "pneed"},
		{"9.2 Entry date", "ta_entry_date"},
		{"ENTRY_DATE", "ta_entry_date"},
		{"9.7 Duty under which TA provided", "taduty"},
		{"H-CLIC 9.8", "taduty"},
		{"TADUTY", "taduty"},
		{"1.10 Employment status", "main_app_employment_status"},
		{"1.16 Reason for loss of AST", ""},
		{"1.150 Reason", ""},
		{"1.1.5 Reason", ""},
		{"A1.6 NINO", ""},
		{"2.5 Relationship", ""},
		{"H-CLIC 3.2 Support needs", ""},
	}
	for _, tt := range tests {
		i, ok := s.headerField(tt.cell)
		got := ""
		if ok {
			got = s.Fields[i].Name
		}
		if got != tt.want {
			t.Errorf("header %q names %q, want %q", tt.cell, got, tt.want)
		}
	}
	cols, issues := s.MatchHeader([]string{"1.1 Case", "H-CLIC 1.15 Reason", "REASONLOSS"})
	if cols[1] != s.Index("reasonloss") || cols[2] != -1 || len(issues) == 0 || issues[0].Rule != RuleDuplicateLabel {
		t.Errorf("a question number and an element naming one field: cols %v, issues %v", cols, issues)
	}
	if !s.IsHeader([]string{"1.1 Case", "1.22 Date homeless application made", "H-CLIC 1.15 Main reason", "2.4 Age", "Forename"}) {
		t.Error("IsHeader rejects a header of question numbers")
	}
}

// TestSchemaHCLIC checks the H-CLIC items the shipped field list names:
// the ones the sources confirm are not marked inferred.
func TestSchemaHCLIC(t *testing.T) {
	t.Parallel()
	s := loadTestSchema(t)
	confirmed := map[string][2]string{
		"reasonloss":    {"1.15", "REASONLOSS"},
		"assess_date":   {"1.5", "ASSESS_DATE"},
		"currentaccom":  {"1.13", "CURRENTACCOM"},
		"lastaccom":     {"1.14", "LASTACCOM"},
		"accom_pr":      {"4.8", "ACCOM_PR"},
		"pneed":         {"7.5", "PNEED"},
		"ta_entry_date": {"9.2", "ENTRY_DATE"},
		"taduty":        {"9.7/9.8", "TADUTY"},
	}
	for name, want := range confirmed {
		f := s.Field(name)
		if f.Question() != want[0] || f.Element() != want[1] || f.HCLIC.Inferred {
			t.Errorf("%s: question %q element %q inferred %v; want %v, confirmed", name, f.Question(), f.Element(), f.HCLIC.Inferred, want)
		}
	}
	for _, f := range s.Fields {
		if _, ok := confirmed[f.Name]; ok || f.HCLIC == nil {
			continue
		}
		if !f.HCLIC.Inferred {
			t.Errorf("%s: question %s is not among the confirmed items but is not marked inferred", f.Name, f.Question())
		}
	}
	for _, name := range []string{"la_code", "quarter_end_date", "household_type"} {
		if f := s.Field(name); f.HCLIC != nil || f.Question() != "" || f.Element() != "" {
			t.Errorf("%s is not an H-CLIC item but has %+v", name, f.HCLIC)
		}
	}
}

func TestLoadSchemaHCLICRejects(t *testing.T) {
	t.Parallel()
	base := `{"name":"x","fields":[
		{"name":"la_code","type":"string","constraints":{"required":true}},
		{"name":"case_ref","type":"string","constraints":{"required":true},"landingd:hclic":{"question":"1.1"}},
		{"name":"quarter_end_date","type":"date","constraints":{"required":true}}`
	tests := []struct{ name, field, want string }{
		{"BadNumber", `{"name":"a","type":"string","landingd:hclic":{"question":"1"}}`, `"1" is not a number`},
		{"Padded", `{"name":"a","type":"string","landingd:hclic":{"question":"1.2 "}}`, `is not a number`},
		{"SameQuestion", `{"name":"a","type":"string","landingd:hclic":{"question":"1.2/1.1"}}`, "question 1.1 is also field case_ref"},
		{"ElementClash", `{"name":"a","type":"string","landingd:hclic":{"question":"1.2","element":"CASE_REF"}}`, "also names field case_ref"},
	}
	for _, tt := range tests {
		_, err := LoadSchema([]byte(base + "," + tt.field + "]}"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestOlderDAWordings holds that no older wording of a domestic abuse
// reason is an error or out of scope.
func TestOlderDAWordings(t *testing.T) {
	t.Parallel()
	s := loadTestSchema(t)
	rl := s.Field("reasonloss")
	tests := []struct{ in, want string }{
		{"Domestic violence", "da_retired"},
		{"DOMESTIC VIOLENCE", "da_retired"},
		{"DV", "da_retired"},
		{"Domestic abuse", "da_retired"},
		{"Violent relationship breakdown", "da_retired"},
		{"DV - partner", "da_victim"},
		{"DV – partner", "da_victim"},
		{"dv-partner", "da_victim"},
		{"DV (partner)", "da_victim"},
		{"Domestic abuse - victim", "da_victim"},
		{"Domestic Abuse – Victim", "da_victim"},
		{"Domestic abuse (victim)", "da_victim"},
		{"Domestic violence - victim", "da_victim"},
		{"Domestic abuse - perpetrator", "da_alleged_perpetrator"},
		{"Non-violent relationship breakdown", "relationship_breakdown"},
	}
	keep := map[string]bool{"da_victim": true, "da_alleged_perpetrator": true, "da_retired": true}
	for _, tt := range tests {
		got, ok := rl.Lookup(tt.in, nil)
		if !ok || got != tt.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
		if strings.HasPrefix(tt.want, "da_") && !keep[got] {
			t.Errorf("%q is out of scope", tt.in)
		}
	}
}

// FuzzHeaderQuestion checks that a question number read from a heading
// is in the heading whole: never cut from a longer number.
func FuzzHeaderQuestion(f *testing.F) {
	for _, v := range []string{"H-CLIC 1.15 Main reason", "1.1", "1.15.", "1.1.5 x", "Q9.7/9.8", "A1.6 NINO", "12345.1", "\ufeff2.4 Age"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		q := headerQuestion(cell)
		if q == "" {
			return
		}
		if n, ok := questionNumber(q); !ok || n != len(q) {
			t.Fatalf("headerQuestion(%q) = %q, not a question number", cell, q)
		}
		i := strings.Index(cell, q)
		if i < 0 {
			t.Fatalf("headerQuestion(%q) = %q, not in the cell", cell, q)
		}
		if rest := cell[i+len(q):]; rest != "" && (rest[0] >= '0' && rest[0] <= '9' || len(rest) > 1 && rest[0] == '.' && rest[1] >= '0' && rest[1] <= '9') {
			t.Fatalf("headerQuestion(%q) = %q, cut from a longer number", cell, q)
		}
	})
}
