package transform

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// rowsCase is one generated data row of TestJudgeKeepsEmittedRows and what
// Judge must make of it.
type rowsCase struct {
	cells  []string
	kept   bool              // accepted and in scope
	erased bool              // on the erasure list
	bad    bool              // has a rejected value
	want   map[string]string // canonical values by field, when kept
}

// rowsInput builds n rows that vary how the same values are written
// (codes, labels, aliases, ISO and UK dates, padded numbers) and mix
// accepted, out-of-scope, rejected and erased rows.
func rowsInput(n int) []rowsCase {
	las := []string{"E07000066", "e07000066", "Basildon"}
	qeds := [][2]string{ // as written, canonical
		{"2025-03-31", "2025-03-31"}, {"31/03/2025", "2025-03-31"},
		{"2025-06-30", "2025-06-30"}, {"30/6/2025", "2025-06-30"},
		{"2025-09-30", "2025-09-30"}, {"30/09/2025", "2025-09-30"},
		{"2025-12-31", "2025-12-31"}, {"31/12/2025", "2025-12-31"},
	}
	reasons := [][2]string{
		{"ast_end", ""}, // out of scope
		{"Domestic abuse – victim", "da_victim"},
		{"DA victim", "da_victim"},
		{"Domestic abuse", "da_retired"},
		{"ours-21", "da_alleged_perpetrator"}, // the partner's alias
	}
	households := [][2]string{{"single_female", "single_female"}, {"Single adult – female", "single_female"}, {"SINGLE MAN", "single_male"}}
	sexes := [][2]string{{"F", "female"}, {"female", "female"}, {"m", "male"}, {"Unknown", "other_not_known"}}
	bools := [][2]string{{"yes", "true"}, {"Y", "true"}, {"0", "false"}, {"", ""}}
	out := make([]rowsCase, n)
	for i := range out {
		q := qeds[i%len(qeds)]
		day := 1 + i%28
		app := [2]string{fmt.Sprintf("2025-01-%02d", day), fmt.Sprintf("2025-01-%02d", day)}
		if i%2 == 1 {
			app[0] = fmt.Sprintf("%d/1/2025", day)
		}
		assess := [2]string{"", ""}
		if i%3 == 1 {
			assess = [2]string{fmt.Sprintf("%02d/02/2025", day), fmt.Sprintf("2025-02-%02d", day)}
		}
		age := 16 + i%80
		ageCell := []string{strconv.Itoa(age), "0" + strconv.Itoa(age), strconv.Itoa(age) + ".0"}[i%3]
		children := [2]string{"", ""}
		if i%4 == 2 {
			children = [2]string{"0" + strconv.Itoa(i%10), strconv.Itoa(i % 10)}
		}
		r, h, sx, b := reasons[i%len(reasons)], households[i%len(households)], sexes[i%len(sexes)], bools[i%len(bools)]
		c := rowsCase{bad: i%7 == 6, erased: i%11 == 10}
		if c.bad {
			ageCell = "3"
		}
		ref := fmt.Sprintf("C-%05d", i)
		c.cells = []string{las[i%len(las)], q[0], ref, app[0], r[0], h[0], ageCell, sx[0], assess[0], children[0], b[0]}
		c.kept = !c.bad && !c.erased && r[1] != ""
		c.want = map[string]string{
			"la_code": "E07000066", "quarter_end_date": q[1], "case_ref": ref, "app_date": app[1],
			"reasonloss": r[1], "household_type": h[1], "main_app_age": strconv.Itoa(age), "main_app_sex": sx[1],
			"assess_date": assess[1], "num_dependent_children": children[1], "support_need_domestic_abuse": b[1],
		}
		out[i] = c
	}
	return out
}

// TestJudgeKeepsEmittedRows keeps every emitted Row, as ingest does, and
// checks them all once the file is judged: rows emitted early must not be
// changed by the rows judged after them.
func TestJudgeKeepsEmittedRows(t *testing.T) {
	s := loadTestSchema(t)
	cases := rowsInput(3000)
	var in strings.Builder
	in.WriteString(hdr + ",assess_date,num_dependent_children,support_need_domestic_abuse\n")
	for _, c := range cases {
		in.WriteString(strings.Join(c.cells, ",") + "\n")
	}

	// Pseudonyms and erasure tokens are computed here from their
	// definitions, not with the Pseudonymiser.
	mac := func(key []byte, ref string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte("E07000066\x1f" + ref))
		return hex.EncodeToString(m.Sum(nil))
	}
	em := hmac.New(sha256.New, []byte(testKey))
	em.Write([]byte("landingd erasure-token v1"))
	erasureKey := em.Sum(nil)
	erased := map[string]bool{}
	var want []Row
	for i, c := range cases {
		ref := c.cells[2]
		if c.erased {
			erased[mac(erasureKey, ref)] = true
		}
		if !c.kept {
			continue
		}
		p := mac([]byte(testKey), ref)
		vals := make([]string, len(s.Fields))
		for name, v := range c.want {
			vals[s.Index(name)] = v
		}
		vals[s.Index("case_ref")] = p
		qed := mustDate(t, c.want["quarter_end_date"])
		want = append(want, Row{
			LACode:         "E07000066",
			Pseudonym:      p,
			QuarterEndDate: c.want["quarter_end_date"],
			Quarter:        fmt.Sprintf("%dQ%d", qed.Year(), (int(qed.Month())+2)/3),
			SourceRow:      i + 2, // the header is row 1
			Values:         vals,
		})
	}

	opt := testOptions()
	opt.MaxRowErrorRate = 1
	opt.Aliases = map[string]map[string]string{"reasonloss": {"OURS-21": "da_alleged_perpetrator"}}
	opt.Erased = func(token string) bool { return erased[token] }
	res, rows := judgeString(t, s, "rows.csv", in.String(), opt)

	if res.Verdict != Accepted || len(res.FileErrors) > 0 {
		t.Fatalf("verdict %s, file errors %v", res.Verdict, res.FileErrors)
	}
	nErased, nBad := 0, 0
	for _, c := range cases {
		switch {
		case c.erased:
			nErased++
		case c.bad:
			nBad++
		}
	}
	if res.Erased != nErased || res.Rows.Rejected != nErased+nBad || res.Rows.Accepted != len(want) {
		t.Fatalf("counts %+v, erased %d; want %d erased, %d rejected, %d accepted", res.Rows, res.Erased, nErased, nErased+nBad, len(want))
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows emitted, want %d", len(rows), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(rows[i], want[i]) {
			t.Fatalf("emitted row %d (source row %d) is\n%+v\nwant\n%+v", i, want[i].SourceRow, rows[i], want[i])
		}
	}
	for _, is := range res.Errors {
		if is.Rule == RuleConstraintError && (is.Field != "main_app_age" || !cases[is.Row-2].bad) {
			t.Errorf("unexpected issue %+v", is)
		}
	}
}
