package transform

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPersonalColumn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		heading string
		want    PersonalKind
	}{
		{"nino", PersonalNINumber},
		{"NI Number", PersonalNINumber},
		{"NINumber", PersonalNINumber},
		{"national_insurance_no", PersonalNINumber},
		{"Client DOB", PersonalBirthDate},
		{"ClientDOB", PersonalBirthDate},
		{"date_of_birth", PersonalBirthDate},
		{"Birth Date", PersonalBirthDate},
		{"Surname", PersonalName},
		{"first_name", PersonalName},
		{"Applicant Name", PersonalName},
		{"FORENAME", PersonalName},
		{"Address line 1", PersonalAddress},
		{"addr1", PersonalAddress},
		{"UPRN", PersonalAddress},
		{"Post Code", PersonalPostcode},
		{"postcode", PersonalPostcode},
		{"Tel", PersonalPhone},
		{"mobile_number", PersonalPhone},
		{"Telephone", PersonalPhone},
		{"e-mail", PersonalEmail},
		{"Email Address", PersonalEmail},
		{"NHS No", PersonalNHSNumber},
		// Headings that name no person.
		{"referal_source", ""},
		{"household_type", ""},
		{"notes", ""},
		{"support_need_mental_health", ""},
		{"", ""},
		{"Nineteen", ""},
		{"hotel", ""},
	}
	for _, tt := range tests {
		got, ok := PersonalColumn(tt.heading)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("PersonalColumn(%q) = %q, %v; want %q", tt.heading, got, ok, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	s := loadTestSchema(t)
	tests := []struct {
		heading string
		want    string
	}{
		{"referal_source", "referral_source"},
		{"Referal Source", "referral_source"},
		{"househlod_type", "household_type"}, // two letters swapped: one edit
		{"houshold_typ", "household_type"},   // two letters missing
		{"main_app_sexx", "main_app_sex"},
		// Three edits, or too short to tell.
		{"hshld_type", ""},
		{"sx", ""},
		{"agexyz", ""},
		{"agex", "main_app_age"}, // one edit from the alias "age"
		// Personal data is never a misspelling, however near.
		{"nino", ""},
		{"la_name", ""},
		// An agreed heading is no misspelling.
		{"referral_source", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := s.Suggest(tt.heading)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Suggest(%q) = %q, %v; want %q", tt.heading, got, ok, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "abc", 0},
		{"abc", "acb", 1},
		{"referalsource", "referralsource", 1},
		{"kitten", "sitting", 3},
		{"ca", "abc", 3}, // optimal string alignment, not unrestricted Damerau
		{"é", "e", 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, 10); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.a, tt.b, 1); tt.want > 1 && got <= 1 {
			t.Errorf("editDistance(%q, %q, bound 1) = %d, want above 1", tt.a, tt.b, got)
		}
	}
}

func TestMatchHeaderMisspelt(t *testing.T) {
	t.Parallel()
	s := loadTestSchema(t)
	cells := append(strings.Split(hdr, ","), "referal_source", "NI Number", "notes")
	_, issues := s.MatchHeader(cells)
	var rules []string
	for _, is := range issues {
		rules = append(rules, is.Rule+" "+is.Field)
	}
	want := []string{RuleMisspeltLabel + " referal_source", RuleExtraLabel + " NI Number", RuleExtraLabel + " notes"}
	if !reflect.DeepEqual(rules, want) {
		t.Fatalf("issues %v, want %v", rules, want)
	}
	if !strings.Contains(issues[0].Message, "did you mean `referral_source`?") {
		t.Errorf("message %q", issues[0].Message)
	}
	got := s.ExtraColumns(cells)
	wantCols := []ExtraColumn{{Name: "NI Number", Personal: PersonalNINumber}, {Name: "notes"}}
	if !reflect.DeepEqual(got, wantCols) {
		t.Errorf("ExtraColumns = %+v, want %+v", got, wantCols)
	}
}

func TestJudgeRecordsExtraColumns(t *testing.T) {
	t.Parallel()
	s := loadTestSchema(t)
	long := strings.Repeat("x", 70) + " postcode"
	row := "E07000066,2025-12-31,R%d,2025-12-01,da_victim,single_female,30,female,QQ123456C,v\n"
	var b strings.Builder
	b.WriteString(hdr + ",nino," + long + "\n")
	for i := range 100 {
		b.WriteString(strings.Replace(row, "%d", string(rune('0'+i%10)), 1))
		if i%10 == 0 {
			b.WriteString("\n") // a blank row is no data row
		}
	}
	res, rows := judgeString(t, s, "in.csv", b.String(), testOptions())
	if res.Verdict != Rejected || len(rows) != 0 || res.Rows != (Counts{}) {
		t.Fatalf("verdict %s, %d rows emitted, counts %+v", res.Verdict, len(rows), res.Rows)
	}
	if res.DataRows != 100 {
		t.Errorf("data rows = %d, want 100", res.DataRows)
	}
	want := []ExtraColumn{{Name: "nino", Personal: PersonalNINumber}, {Name: strings.Repeat("x", 64), Personal: PersonalPostcode}}
	if !reflect.DeepEqual(res.ExtraColumns, want) {
		t.Errorf("extra columns = %+v, want %+v", res.ExtraColumns, want)
	}
	// A misspelt heading rejects the file without extra columns.
	res, _ = judgeString(t, s, "in.csv", hdr+",referal_source\n"+strings.Replace(row, ",QQ123456C,v", ",other", 1), testOptions())
	if res.Verdict != Rejected || len(res.ExtraColumns) != 0 || res.DataRows != 0 || res.FileErrors[0].Rule != RuleMisspeltLabel {
		t.Errorf("misspelt heading: %+v", res)
	}
}

func FuzzPersonalAndSuggest(f *testing.F) {
	for _, s := range []string{"nino", "referal_source", "ClientDOB", "NINumber", "é\u00a0x", "Address line 1", ""} {
		f.Add(s, "referral_source")
	}
	s := loadTestSchema(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		kind, personal := PersonalColumn(a)
		if personal != (kind != "") {
			t.Fatalf("PersonalColumn(%q) = %q, %v", a, kind, personal)
		}
		if field, ok := s.Suggest(a); ok && (personal || s.Index(field) < 0) {
			t.Fatalf("Suggest(%q) = %q for a personal or unknown heading", a, field)
		}
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return
		}
		d := editDistance(a, b, 1<<30)
		if d != editDistance(b, a, 1<<30) || (d == 0) != (a == b) || d > max(utf8.RuneCountInString(a), utf8.RuneCountInString(b)) {
			t.Fatalf("editDistance(%q, %q) = %d", a, b, d)
		}
	})
}
