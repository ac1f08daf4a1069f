package transform

import (
	"reflect"
	"strings"
	"testing"
)

func TestLoadSchemaRejects(t *testing.T) {
	base := func(fields string) string {
		return `{"name":"x","primaryKey":["la_code"],"fields":[
			{"name":"la_code","type":"string","constraints":{"required":true}},
			{"name":"case_ref","type":"string","constraints":{"required":true}},
			{"name":"quarter_end_date","type":"date","constraints":{"required":true}}` + fields + `]}`
	}
	tests := []struct {
		name, json, want string
	}{
		{"Valid", base(""), ""},
		{"NotJSON", "{", "unexpected EOF"},
		{"Trailing", base("") + "{}", "trailing"},
		{"UnknownType", base(`,{"name":"a","type":"number"}`), `unknown type "number"`},
		{"DuplicateName", base(`,{"name":"case_ref","type":"string"}`), "defined twice"},
		{"DuplicateHeader", base(`,{"name":"a","type":"string","landingd:headerAliases":["Case-Ref"]}`), "also names field case_ref"},
		{"DuplicateCodeFolded", base(`,{"name":"a","type":"string","categories":[{"value":"x","label":"Domestic abuse – victim"},{"value":"y","label":"domestic abuse-victim"}]}`), "folds to the same text"},
		{"AliasClash", base(`,{"name":"a","type":"string","categories":[{"value":"x","label":"X"},{"value":"y","label":"Y","landingd:aliases":["x"]}]}`), "folds to the same text"},
		{"CodesOnInteger", base(`,{"name":"a","type":"integer","categories":[{"value":"1","label":"one"}]}`), "need type string"},
		{"MinAboveMax", base(`,{"name":"a","type":"integer","constraints":{"minimum":5,"maximum":1}}`), "minimum above maximum"},
		{"UnknownKeyField", `{"name":"x","primaryKey":["nope"],"fields":[{"name":"la_code","type":"string","constraints":{"required":true}},{"name":"case_ref","type":"string","constraints":{"required":true}},{"name":"quarter_end_date","type":"date","constraints":{"required":true}}]}`, `unknown field "nope"`},
		{"MissingCoreField", `{"name":"x","fields":[{"name":"a","type":"string"}]}`, "lacks the field la_code"},
		{"MissingValues", strings.Replace(base(""), `"name":"x",`, `"name":"x","missingValues":["NA"],`, 1), "missingValues"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadSchema([]byte(tt.json))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestShippedSchemaContent(t *testing.T) {
	s := loadTestSchema(t)
	want := []string{"la_code", "quarter_end_date", "case_ref", "app_date", "reasonloss", "household_type", "main_app_age", "main_app_sex"}
	if got := s.Required(); !reflect.DeepEqual(got, want) {
		t.Errorf("required %v, want %v", got, want)
	}
	for _, name := range []string{"assess_date", "num_dependent_children", "initial_assessment", "currentaccom", "lastaccom",
		"main_app_ethnicity", "main_app_employment_status", "support_need_domestic_abuse", "referral_source",
		"prevention_end_reason", "accom_pr", "relief_end_reason", "accom_relief", "main_duty_decision", "pneed",
		"main_duty_end_reason", "ta_type", "taduty"} {
		f := s.Field(name)
		if f == nil || f.Required {
			t.Errorf("optional field %s missing or required", name)
		}
	}
	rl := s.Field("reasonloss")
	codes := map[string]string{}
	for _, c := range rl.Codes {
		codes[c.Value] = c.Label
	}
	if len(codes) != 15 || codes["da_victim"] != "Domestic abuse – victim" || codes["da_retired"] != "Domestic abuse" ||
		codes["other"] != "Other reasons or not known" {
		t.Errorf("reasonloss codes %v", codes)
	}
	if got := s.Field("main_app_age"); *got.Minimum != 16 || *got.Maximum != 120 {
		t.Error("main_app_age range")
	}
	if f := s.Field("case_ref"); f.MinLength != 1 || f.MaxLength != 64 {
		t.Error("case_ref lengths")
	}
	if s.Index("nino") != -1 || s.Index("la_code") != 0 {
		t.Error("Index")
	}
	byHand := &Schema{Fields: []Field{{Name: "la_code"}, {Name: "case_ref"}}}
	if byHand.Index("case_ref") != 1 || byHand.Index("nino") != -1 || byHand.Field("la_code") != &byHand.Fields[0] {
		t.Error("Index on a schema built by hand")
	}
	if s.Field("la_code").Label("E07000077") != "Uttlesford" || len(s.Field("la_code").Codes) != 12 {
		t.Error("la_code codes")
	}
	for _, f := range s.Fields {
		if f.Description == "" || f.Title == "" {
			t.Errorf("field %s lacks a title or description", f.Name)
		}
	}
}

func TestLookup(t *testing.T) {
	s := loadTestSchema(t)
	rl := s.Field("reasonloss")
	tests := []struct {
		in    string
		extra map[string]string
		want  string
	}{
		{"da_victim", nil, "da_victim"},
		{"DA_VICTIM", nil, "da_victim"},
		{"Domestic abuse – victim", nil, "da_victim"},
		{"Domestic abuse — victim", nil, "da_victim"},
		{"domestic abuse - victim", nil, "da_victim"},
		{" Domestic\tabuse\u00a0-victim ", nil, "da_victim"},
		{"DA victim", nil, "da_victim"},
		{"Domestic abuse", nil, "da_retired"},
		{"Domestic abuse victim?", nil, ""},
		{"domestic-abuse-victim", nil, ""}, // hyphens are not spaces
		{"", nil, ""},
		{"21", map[string]string{"21": "da_victim"}, "da_victim"},
		{"D A 2", map[string]string{"da2": "da_alleged_perpetrator"}, "da_alleged_perpetrator"},
		{"21", map[string]string{"21": "no_such_code"}, ""},
		// Two aliases that fold alike: the one that sorts first wins, every time.
		{"x", map[string]string{"X ": "da_victim", "x": "ast_end"}, "da_victim"},
		{"x", map[string]string{"X": "ast_end", "x": "da_victim"}, "ast_end"},
		{"x", map[string]string{"X": "no_such_code", "x": "da_victim"}, "da_victim"},
		{strings.Repeat("É", 40), map[string]string{strings.Repeat("é", 40): "da_victim"}, "da_victim"},
	}
	for _, tt := range tests {
		got, ok := rl.Lookup(tt.in, tt.extra)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	if _, ok := s.Field("app_date").Lookup("x", nil); ok {
		t.Error("lookup on an uncoded field matched")
	}
}

func TestMatchHeader(t *testing.T) {
	s := loadTestSchema(t)
	tests := []struct {
		name  string
		cells []string
		cols  []int
		rules []string
	}{
		{"Names", strings.Split(hdr, ","), []int{0, 1, 2, 3, 6, 9, 11, 12}, nil},
		{"TitlesAndAliases", []string{"Local Authority Code", "QUARTER END", "Case ID", "Date of application", "REASONLOSS", "household-type", "age", "gender"},
			[]int{0, 1, 2, 3, 6, 9, 11, 12}, nil},
		{"Problems", []string{"la_code", "", "LA-CODE", "nino", "case_ref"}, []int{0, -1, -1, -1, 2},
			[]string{RuleBlankLabel, RuleDuplicateLabel, RuleExtraLabel, RuleMissingLabel, RuleMissingLabel, RuleMissingLabel, RuleMissingLabel, RuleMissingLabel, RuleMissingLabel}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols, issues := s.MatchHeader(tt.cells)
			if !reflect.DeepEqual(cols, tt.cols) {
				t.Errorf("cols %v, want %v", cols, tt.cols)
			}
			var rules []string
			for _, is := range issues {
				rules = append(rules, is.Rule)
			}
			if !reflect.DeepEqual(rules, tt.rules) {
				t.Errorf("rules %v, want %v", rules, tt.rules)
			}
		})
	}
	if !s.IsHeader([]string{"la_code", "case_ref", "app date", "Reason loss", "x"}) {
		t.Error("IsHeader rejects half the required fields")
	}
	if s.IsHeader([]string{"la_code", "case_ref", "app_date", "title"}) {
		t.Error("IsHeader accepts three of eight")
	}
}
