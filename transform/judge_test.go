package transform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testKey = "0123456789abcdef0123456789abcdef"

const hdr = "la_code,quarter_end_date,case_ref,app_date,reasonloss,household_type,main_app_age,main_app_sex"

func testPseudonymiser(t testing.TB) *Pseudonymiser {
	t.Helper()
	p, err := NewPseudonymiser([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func testOptions() Options {
	return Options{
		PartnerID:       "basildon",
		PartnerGSS:      "E07000066",
		Keep:            []string{"da_victim", "da_alleged_perpetrator", "da_retired"},
		FilterField:     "reasonloss",
		MaxRowErrorRate: 0.5,
		Now:             time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC),
	}
}

// judgeString judges input as the file name and returns the result and
// the emitted rows.
func judgeString(t testing.TB, s *Schema, name, input string, opt Options) (*Result, []Row) {
	t.Helper()
	var rows []Row
	res, err := Judge(context.Background(), s, testPseudonymiser(t), name, strings.NewReader(input), opt,
		func(r Row) error { rows = append(rows, r.Clone()); return nil })
	if err != nil {
		t.Fatalf("Judge: %v", err)
	}
	return res, rows
}

// sameIssues compares issues by row, field and rule, and by message when
// the wanted message is not empty (then as a substring).
func sameIssues(got, want []Issue) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Row != w.Row || g.Field != w.Field || g.Rule != w.Rule || g.Message == "" {
			return false
		}
		if w.Message != "" && !strings.Contains(g.Message, w.Message) {
			return false
		}
	}
	return true
}

func TestJudge(t *testing.T) {
	s := loadTestSchema(t)
	tests := []struct {
		Name       string
		File       string // default in.csv
		Input      string
		Opt        func(*Options)
		Verdict    Verdict
		Rows       Counts
		FileErrors []Issue
		Errors     []Issue
		// Emitted are the wanted values of fields, by name, in each
		// emitted row.
		Emitted  []map[string]string
		Mismatch int
		Erased   int
	}{{
		Name: "Simple",
		Input: hdr + "\n" +
			"E07000066,2025-12-31,REF-1,2025-11-03,da_victim,single_female,34,female\n" +
			"E07000066,2025-12-31,REF-2,2025-11-04,ast_end,single_male,40,male\n",
		Verdict: Accepted,
		Rows:    Counts{Read: 2, Accepted: 1, OutOfScope: 1},
		Emitted: []map[string]string{{"la_code": "E07000066", "quarter_end_date": "2025-12-31", "app_date": "2025-11-03",
			"reasonloss": "da_victim", "household_type": "single_female", "main_app_age": "34", "main_app_sex": "female", "assess_date": ""}},
	}, {
		Name: "LabelsAliasesAndUKDates",
		Input: hdr + "\n" +
			"Basildon,31/12/2025,REF-1,3/11/2025,Domestic abuse - victim,Single adult – female,34,F\n" +
			"e07000066,31/03/2025,REF-2,01/01/2025,DOMESTIC ABUSE,  Couple or two adults with dependent children ,29,m\n" +
			"E07000066,2025-09-30,REF-3,2025-09-30,da alleged perpetrator,not_known,120,Other\n",
		Verdict: Accepted,
		Rows:    Counts{Read: 3, Accepted: 3},
		Emitted: []map[string]string{
			{"la_code": "E07000066", "quarter_end_date": "2025-12-31", "app_date": "2025-11-03", "reasonloss": "da_victim", "household_type": "single_female", "main_app_sex": "female"},
			{"la_code": "E07000066", "quarter_end_date": "2025-03-31", "app_date": "2025-01-01", "reasonloss": "da_retired", "household_type": "couple_with_children", "main_app_sex": "male"},
			{"reasonloss": "da_alleged_perpetrator", "main_app_age": "120", "main_app_sex": "other_not_known"},
		},
	}, {
		Name:    "HeaderByTitleAliasCaseAndSpacing",
		Input:   "LA Code; Quarter End Date ;Case Reference;APP-DATE;Reason_Loss;Household type;Age of main applicant;Sex\nE07000066;2025-12-31;R1;2025-12-01;da_victim;single_female;30;female\n",
		Verdict: Accepted,
		Rows:    Counts{Read: 1, Accepted: 1},
	}, {
		Name:    "TitleRowAboveHeader",
		Input:   "Basildon H-CLIC extract,,\n\n" + hdr + "\nE07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female\nE07000066,2025-12-31,R2,2025-12-01,da_victim,single_female,3,female\n",
		Verdict: Accepted,
		Rows:    Counts{Read: 2, Accepted: 1, Rejected: 1},
		Errors:  []Issue{{Row: 5, Field: "main_app_age", Rule: RuleConstraintError, Message: "from 16 to 120"}},
	}, {
		Name:    "BOMWindows1252Semicolon",
		Input:   "\xEF\xBB\xBF" + strings.ReplaceAll(hdr, ",", ";") + ";main_app_ethnicity\nE07000066;2025-12-31;R1;2025-12-01;da_victim;single_female;30;female;White: Irish\n",
		Verdict: Accepted,
		Rows:    Counts{Read: 1, Accepted: 1},
		Emitted: []map[string]string{{"main_app_ethnicity": "white_irish"}},
	}, {
		Name:    "Windows1252",
		Input:   hdr + ",main_app_employment_status\nE07000066,2025-12-31,R\xE9f1,2025-12-01,Domestic abuse \x96 victim,single_female,30,female,Part-time\n",
		Verdict: Accepted,
		Rows:    Counts{Read: 1, Accepted: 1},
		Emitted: []map[string]string{{"reasonloss": "da_victim", "main_app_employment_status": "part_time"}},
	}, {
		Name:       "ExtraLabel",
		Input:      hdr + ",nino\nE07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female,QQ123456C\n",
		Verdict:    Rejected,
		FileErrors: []Issue{{Field: "nino", Rule: RuleExtraLabel, Message: `column I "nino" is not on the agreed field list`}},
	}, {
		Name:       "MissingLabel",
		Input:      strings.TrimSuffix(hdr, ",main_app_sex") + "\nE07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30\n",
		Verdict:    Rejected,
		FileErrors: []Issue{{Field: "main_app_sex", Rule: RuleMissingLabel}},
	}, {
		Name:       "DuplicateLabel",
		Input:      hdr + ",LA code\nE07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female,E07000066\n",
		Verdict:    Rejected,
		FileErrors: []Issue{{Field: "la_code", Rule: RuleDuplicateLabel, Message: "columns A and I"}},
	}, {
		Name:       "BlankLabel",
		Input:      hdr + ",,assess_date\nE07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female,,\n",
		Verdict:    Rejected,
		FileErrors: []Issue{{Rule: RuleBlankLabel, Message: "column I has no heading"}},
	}, {
		Name: "ExtraCell",
		Input: hdr + "\nE07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female,,\n" +
			"E07000066,2025-12-31,R2,2025-12-01,da_victim,single_female,30,female,secret\n" +
			"E07000066,2025-12-31,R3,2025-12-01,Domestic abuse, victim,single_female,30,female\n",
		Opt:     func(o *Options) { o.MaxRowErrorRate = 1 },
		Verdict: Accepted,
		Rows:    Counts{Read: 3, Accepted: 1, Rejected: 2},
		Errors: []Issue{
			{Row: 3, Rule: RuleExtraCell, Message: "the row has a value in column I, beyond the header's last column H"},
			{Row: 4, Rule: RuleExtraCell, Message: "column I"},
		},
	}, {
		Name: "MissingCell",
		Input: hdr + "\nE07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30\n" +
			"E07000066,2025-12-31,R2,2025-12-01,da_victim,single_female,30,female\n" +
			"E07000066,2025-12-31,R3,2025-12-01,Domestic abuse\n" +
			"victim,single_female,30,female\n",
		Opt:     func(o *Options) { o.MaxRowErrorRate = 1 },
		Verdict: Accepted,
		Rows:    Counts{Read: 4, Accepted: 1, Rejected: 3},
		Errors: []Issue{
			{Row: 2, Rule: RuleMissingCell, Message: "the row has 7 cells but the header has 8"},
			{Row: 4, Rule: RuleMissingCell, Message: "the row has 5 cells"},
			{Row: 5, Rule: RuleMissingCell, Message: "the row has 4 cells"},
		},
	}, {
		Name:    "HeaderOnly",
		Input:   hdr + "\n",
		Verdict: Accepted,
	}, {
		Name:       "EmptyFile",
		Input:      "",
		Verdict:    Rejected,
		FileErrors: []Issue{{Rule: RuleEmptyFile}},
	}, {
		Name:       "XLS",
		File:       "in.xls",
		Input:      "whatever",
		Verdict:    Rejected,
		FileErrors: []Issue{{Rule: RuleFormatError, Message: ".xlsx"}},
	}, {
		Name:       "NotWhatItsNameSays",
		File:       "in.xlsx",
		Input:      hdr + "\n",
		Verdict:    Rejected,
		FileErrors: []Issue{{Rule: RuleFormatError, Message: ".csv"}},
	}, {
		Name: "OtherDistrict",
		Input: hdr + "\n" +
			"E07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female\n" +
			"E07000067,2025-12-31,R2,2025-12-01,da_victim,single_female,30,female\n" +
			"E07000099,2025-12-31,R3,2025-12-01,da_victim,single_female,30,female\n",
		Opt:     func(o *Options) { o.MaxRowErrorRate = 0.9 },
		Verdict: Accepted,
		Rows:    Counts{Read: 3, Accepted: 1, Rejected: 2},
		Errors: []Issue{
			{Row: 3, Field: "la_code", Rule: RulePartnerMismatch, Message: "E07000067 (Braintree) is not this district's code E07000066"},
			{Row: 4, Field: "la_code", Rule: RuleConstraintError, Message: `"E07000099" is not one of the agreed codes`},
		},
		Mismatch: 1,
	}, {
		Name: "UnknownCodesOverThreshold",
		Input: hdr + "\n" +
			"E07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female\n" +
			"E07000066,2025-12-31,R2,2025-12-01,DVX,single_female,30,female\n" +
			"E07000066,2025-12-31,R3,2025-12-01,da_victim,lone parent,30,female\n",
		Opt:     func(o *Options) { o.MaxRowErrorRate = 0.05 },
		Verdict: Rejected,
		Rows:    Counts{Read: 3, Accepted: 1, Rejected: 2},
		Errors: []Issue{
			{Row: 3, Field: "reasonloss", Rule: RuleConstraintError, Message: `reasonloss "DVX" is not one of the agreed codes`},
			{Row: 4, Field: "household_type", Rule: RuleConstraintError, Message: `"lone parent"`},
		},
		FileErrors: []Issue{{Rule: RuleErrorRate, Message: "2 of 3 rows (66.7%)"}},
	}, {
		Name: "PartnerAliases",
		Input: hdr + "\n" +
			"E07000066,2025-12-31,R1,2025-12-01,DA 1,SF,30,female\n" +
			"E07000066,2025-12-31,R2,2025-12-01,Unmapped,SF,30,female\n",
		Opt: func(o *Options) {
			o.Aliases = map[string]map[string]string{
				"reasonloss":     {"da1": "da_victim", "Unmapped": "no_such_code"},
				"household_type": {"sf": "single_female"},
			}
		},
		Verdict: Accepted,
		Rows:    Counts{Read: 2, Accepted: 1, Rejected: 1},
		Errors:  []Issue{{Row: 3, Field: "reasonloss", Rule: RuleConstraintError}},
		Emitted: []map[string]string{{"reasonloss": "da_victim", "household_type": "single_female"}},
	}, {
		Name: "DuplicateKeys",
		Input: hdr + "\n" +
			"E07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female\n" +
			"E07000066,2025-12-31,R1,2025-12-02,da_victim,single_female,30,female\n" +
			"E07000066,2025-09-30,R1,2025-09-01,da_victim,single_female,30,female\n" +
			"Basildon,31/12/2025,R1,2025-12-01,ast_end,single_female,30,female\n",
		Verdict: Accepted,
		Rows:    Counts{Read: 4, Accepted: 2, Rejected: 2},
		Errors: []Issue{
			{Row: 3, Field: "case_ref", Rule: RuleDuplicateKey, Message: "as row 2"},
			{Row: 5, Field: "case_ref", Rule: RuleDuplicateKey, Message: "as row 2"},
		},
	}, {
		Name: "QuarterEndDates",
		Input: hdr + "\n" +
			"E07000066,2026-03-31,R1,2026-01-05,da_victim,single_female,30,female\n" +
			"E07000066,2025-12-30,R2,2025-12-01,da_victim,single_female,30,female\n" +
			"E07000066,2025-06-30,R3,2025-06-30,da_victim,single_female,30,female\n" +
			"E07000066,2025-12-31,R4,2026-01-02,da_victim,single_female,30,female\n" +
			"E07000066,2018-06-30,R5,2018-04-02,da_victim,single_female,30,female\n" +
			"E07000066,2018-06-30,R6,2018-04-03,da_victim,single_female,30,female\n",
		Opt:     func(o *Options) { o.MaxRowErrorRate = 0.9 },
		Verdict: Accepted,
		Rows:    Counts{Read: 6, Accepted: 2, Rejected: 4},
		Errors: []Issue{
			{Row: 2, Field: "quarter_end_date", Rule: RuleConstraintError, Message: "in the future"},
			{Row: 3, Field: "quarter_end_date", Rule: RuleConstraintError, Message: "last day of a quarter"},
			{Row: 5, Field: "app_date", Rule: RuleConstraintError, Message: "after quarter_end_date"},
			{Row: 6, Field: "app_date", Rule: RuleConstraintError, Message: "before 3 April 2018"},
		},
	}, {
		Name: "TypesAndRequired",
		Input: hdr + ",support_need_domestic_abuse,num_dependent_children,assess_date\n" +
			"E07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female,Yes,2,\n" +
			"E07000066,2025-12-31,R2,2025-12-01,da_victim,single_female,30,female,n,0,2025-12-02\n" +
			"E07000066,2025-12-31,R3,2025-12-01,da_victim,single_female,30,female,1,,\n" +
			"E07000066,2025-12-31,R4,2025-12-01,da_victim,single_female,30,female,FALSE,,\n" +
			"E07000066,2025-12-31,R5,2025-12-01,da_victim,single_female,thirty,female,maybe,21,2025-12-1\n" +
			"E07000066,2025-12-31,,2025-12-01,,single_female,30,female,,,31/31/2025\n" +
			"E07000066,2025-12-31," + strings.Repeat("x", 65) + ",2025-12-01,da_victim,single_female,30,female,,,\n",
		Verdict: Accepted,
		Rows:    Counts{Read: 7, Accepted: 4, Rejected: 3},
		Errors: []Issue{
			{Row: 6, Field: "assess_date", Rule: RuleTypeError, Message: "YYYY-MM-DD"},
			{Row: 6, Field: "num_dependent_children", Rule: RuleConstraintError, Message: "from 0 to 20"},
			{Row: 6, Field: "main_app_age", Rule: RuleTypeError, Message: "not a whole number"},
			{Row: 6, Field: "support_need_domestic_abuse", Rule: RuleTypeError},
			{Row: 7, Field: "case_ref", Rule: RuleConstraintError, Message: "required"},
			{Row: 7, Field: "assess_date", Rule: RuleTypeError},
			{Row: 7, Field: "reasonloss", Rule: RuleConstraintError, Message: "required"},
			{Row: 8, Field: "case_ref", Rule: RuleConstraintError, Message: "1 to 64 characters"},
		},
		Emitted: []map[string]string{
			{"support_need_domestic_abuse": "true", "num_dependent_children": "2"},
			{"support_need_domestic_abuse": "false", "num_dependent_children": "0", "assess_date": "2025-12-02"},
			{"support_need_domestic_abuse": "true", "num_dependent_children": ""},
			{"support_need_domestic_abuse": "false"},
		},
	}, {
		Name: "MultiLineFieldKeepsExcelRows",
		Input: hdr + "\n" +
			"E07000066,2025-12-31,\"R\n1\",2025-12-01,da_victim,single_female,30,female\n" +
			"\n" +
			"E07000066,2025-12-31,R2,2025-12-01,da_victim,single_female,300,female\n",
		Verdict: Accepted,
		Rows:    Counts{Read: 2, Accepted: 1, Rejected: 1},
		Errors:  []Issue{{Row: 4, Field: "main_app_age", Rule: RuleConstraintError}},
	}, {
		Name: "Erased",
		Input: hdr + "\n" +
			"E07000066,2025-12-31,GONE-1,2025-12-01,da_victim,single_female,30,female\n" +
			"E07000066,2025-12-31,KEEP-1,2025-12-01,da_victim,single_female,30,female\n",
		Opt: func(o *Options) {
			gone := testPseudonymiser(t).ErasureToken("E07000066", "GONE-1")
			o.Erased = func(tok string) bool { return tok == gone }
			o.MaxRowErrorRate = 0
		},
		Verdict: Accepted,
		Rows:    Counts{Read: 2, Accepted: 1, Rejected: 1},
		Errors:  []Issue{{Row: 2, Field: "case_ref", Rule: RuleErased, Message: "erase it at source"}},
		Erased:  1,
	}, {
		Name:    "EmptyKeepKeepsNothing",
		Input:   hdr + "\nE07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female\n",
		Opt:     func(o *Options) { o.Keep = nil },
		Verdict: Accepted,
		Rows:    Counts{Read: 1, OutOfScope: 1},
	}, {
		Name:       "ZeroRateRejectsOnAnyError",
		Input:      hdr + "\nE07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female\nE07000066,2025-12-31,R2,2025-12-01,da_victim,single_female,3,female\n",
		Opt:        func(o *Options) { o.MaxRowErrorRate = 0 },
		Verdict:    Rejected,
		Rows:       Counts{Read: 2, Accepted: 1, Rejected: 1},
		Errors:     []Issue{{Row: 3, Field: "main_app_age", Rule: RuleConstraintError}},
		FileErrors: []Issue{{Rule: RuleErrorRate}},
	}}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			opt := testOptions()
			if tt.Opt != nil {
				tt.Opt(&opt)
			}
			name := tt.File
			if name == "" {
				name = "in.csv"
			}
			res, rows := judgeString(t, s, name, tt.Input, opt)
			if res.Verdict != tt.Verdict {
				t.Errorf("verdict %s, want %s", res.Verdict, tt.Verdict)
			}
			if res.Rows != tt.Rows {
				t.Errorf("rows %+v, want %+v", res.Rows, tt.Rows)
			}
			if !sameIssues(res.FileErrors, tt.FileErrors) {
				t.Errorf("file errors:\n got %+v\nwant %+v", res.FileErrors, tt.FileErrors)
			}
			if !sameIssues(res.Errors, tt.Errors) {
				t.Errorf("errors:\n got %+v\nwant %+v", res.Errors, tt.Errors)
			}
			if res.ErrorsTotal != len(tt.Errors) {
				t.Errorf("errors_total %d, want %d", res.ErrorsTotal, len(tt.Errors))
			}
			if res.PartnerMismatch != tt.Mismatch || res.Erased != tt.Erased {
				t.Errorf("partner mismatch %d erased %d, want %d %d", res.PartnerMismatch, res.Erased, tt.Mismatch, tt.Erased)
			}
			if len(rows) != res.Rows.Accepted {
				t.Errorf("emitted %d rows, accepted %d", len(rows), res.Rows.Accepted)
			}
			if tt.Emitted != nil && len(rows) != len(tt.Emitted) {
				t.Fatalf("emitted %d rows, want %d", len(rows), len(tt.Emitted))
			}
			for i, want := range tt.Emitted {
				for f, v := range want {
					if got := rows[i].Values[s.Index(f)]; got != v {
						t.Errorf("row %d %s = %q, want %q", i, f, got, v)
					}
				}
			}
			for _, r := range rows {
				if len(r.Values) != len(s.Fields) {
					t.Errorf("row has %d values, want %d", len(r.Values), len(s.Fields))
				}
				if r.Values[s.Index("case_ref")] != r.Pseudonym || len(r.Pseudonym) != 64 {
					t.Errorf("case_ref value %q is not the pseudonym %q", r.Values[s.Index("case_ref")], r.Pseudonym)
				}
				if r.Quarter != QuarterOf(mustDate(t, r.QuarterEndDate)) || r.LACode != r.Values[s.Index("la_code")] {
					t.Errorf("row quarter %s la %s", r.Quarter, r.LACode)
				}
			}
			assertNoCaseRefs(t, res, rows, tt.Input)
		})
	}
}

func mustDate(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// assertNoCaseRefs checks that no case_ref of the input (values of the
// third column, long enough to be distinctive) appears in the result's
// JSON, its report or the emitted rows.
func assertNoCaseRefs(t *testing.T, res *Result, rows []Row, input string) {
	t.Helper()
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var report bytes.Buffer
	if err := res.WriteText(&report); err != nil {
		t.Fatal(err)
	}
	emitted := fmt.Sprint(rows)
	for _, line := range strings.Split(input, "\n") {
		cells := strings.Split(line, ",")
		if len(cells) < 3 || len(cells[2]) < 4 || !strings.Contains(cells[2], "-") {
			continue
		}
		ref := cells[2]
		for what, text := range map[string]string{"json": string(js), "report": report.String(), "rows": emitted} {
			if strings.Contains(text, ref) {
				t.Errorf("case_ref %q appears in the %s", ref, what)
			}
		}
	}
}

func TestJudgeEmitErrorStops(t *testing.T) {
	s := loadTestSchema(t)
	in := hdr + "\nE07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female\n"
	boom := fmt.Errorf("disk full")
	res, err := Judge(context.Background(), s, testPseudonymiser(t), "in.csv", strings.NewReader(in), testOptions(),
		func(Row) error { return boom })
	if res != nil || err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("got %v, %v; want the emit error", res, err)
	}
}

func TestJudgeCancelled(t *testing.T) {
	s := loadTestSchema(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Judge(ctx, s, testPseudonymiser(t), "in.csv", strings.NewReader(hdr+"\n"), testOptions(), func(Row) error { return nil })
	if err == nil {
		t.Fatal("want ctx error")
	}
}

func TestJudgeCapsIssues(t *testing.T) {
	s := loadTestSchema(t)
	var b strings.Builder
	b.WriteString(hdr + "\n")
	for i := range 30 {
		fmt.Fprintf(&b, "E07000066,2025-12-31,R%d,2025-12-01,bad,single_female,30,female\n", i)
	}
	opt := testOptions()
	opt.MaxIssues = 7
	res, _ := judgeString(t, s, "in.csv", b.String(), opt)
	if len(res.Errors) != 7 || res.ErrorsTotal != 30 || res.Verdict != Rejected {
		t.Fatalf("errors %d total %d verdict %s", len(res.Errors), res.ErrorsTotal, res.Verdict)
	}
}

func TestSamePseudonymAcrossRuns(t *testing.T) {
	s := loadTestSchema(t)
	in := hdr + "\nBasildon,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female\n"
	_, a := judgeString(t, s, "a.csv", in, testOptions())
	_, b := judgeString(t, s, "b.csv", strings.Replace(in, "Basildon", "E07000066", 1), testOptions())
	if len(a) != 1 || len(b) != 1 || a[0].Pseudonym != b[0].Pseudonym {
		t.Fatalf("pseudonyms differ: %v %v", a, b)
	}
	if a[0].Pseudonym != testPseudonymiser(t).Pseudonym("E07000066", "R1") {
		t.Fatal("pseudonym is not over the canonical la_code")
	}
	if !reflect.DeepEqual(a[0].Values, b[0].Values) {
		t.Fatal("values differ")
	}
}

func TestUntrimmable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		In   string
		Want bool
	}{
		{"", true},
		{"a", true},
		{"da_victim", true},
		{"!~", true},
		{"\x7f", true},
		{" a", false},
		{"a ", false},
		{"\ta", false},
		{"a\r", false},
		{"é", false},
		{"a\u00a0", false},
		{"\x00a", false},
	}
	for _, tt := range tests {
		if got := untrimmable(tt.In); got != tt.Want {
			t.Errorf("untrimmable(%q) = %v, want %v", tt.In, got, tt.Want)
		}
	}
}

// FuzzUntrimmable checks that a cell untrimmable passes is one that
// strings.TrimSpace leaves as it is.
func FuzzUntrimmable(f *testing.F) {
	for _, v := range []string{"", "a", " a", "a\u00a0", "\u3000x", "\x85"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if untrimmable(v) && strings.TrimSpace(v) != v {
			t.Fatalf("untrimmable(%q), but TrimSpace gives %q", v, strings.TrimSpace(v))
		}
	})
}

func TestPlainDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		In   string
		Want bool
	}{
		{"0", true},
		{"7", true},
		{"120", true},
		{"999999999", true},
		{"", false},
		{"00", false},
		{"07", false},
		{"-1", false},
		{"+1", false},
		{"1.0", false},
		{"1e3", false},
		{" 1", false},
	}
	for _, tt := range tests {
		if got := plainDecimal(tt.In); got != tt.Want {
			t.Errorf("plainDecimal(%q) = %v, want %v", tt.In, got, tt.Want)
		}
	}
}

// FuzzPlainDecimal checks that a cell plainDecimal passes reads as the
// number whose decimal it is, so that intString may return it as it is.
func FuzzPlainDecimal(f *testing.F) {
	for _, v := range []string{"0", "12", "012", "-3", "+4", "5.0", "999999999"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if !plainDecimal(v) {
			return
		}
		if n, ok := parseInt(v); ok && strconv.Itoa(n) != v {
			t.Fatalf("plainDecimal(%q), but it reads as %d", v, n)
		}
	})
}
