package synth_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"landingd/transform"
	"landingd/transform/synth"
)

// smallSchema is a field list built by hand, with fields the generator has
// no special rule for.
func smallSchema() *transform.Schema {
	lo, hi := 1, 5
	codes := func(vs ...string) []transform.Code {
		var out []transform.Code
		for _, v := range vs {
			out = append(out, transform.Code{Value: v, Label: strings.ToUpper(v[:1]) + strings.ReplaceAll(v[1:], "_", " ")})
		}
		return out
	}
	return &transform.Schema{Name: "small", Fields: []transform.Field{
		{Name: "la_code", Type: "string", Required: true},
		{Name: "quarter_end_date", Type: "date", Required: true},
		{Name: "case_ref", Type: "string", Required: true},
		{Name: "app_date", Type: "date", Required: true},
		{Name: "reasonloss", Type: "string", Required: true, Codes: codes("da_victim", "da_alleged_perpetrator", "da_retired", "ast_end")},
		{Name: "colour", Type: "string", Required: true, Codes: codes("red", "blue")},
		{Name: "rooms", Type: "integer", Required: true, Minimum: &lo, Maximum: &hi},
		{Name: "visit_start_date", Type: "date", Required: true},
		{Name: "visit_end_date", Type: "date", Required: true},
		{Name: "flagged", Type: "boolean", Required: true},
		{Name: "note", Type: "string"},
	}}
}

func TestSmallSchema(t *testing.T) {
	t.Parallel()
	d := district(t, "harlow")
	var buf bytes.Buffer
	st, err := synth.WriteStats(&buf, smallSchema(), synth.Spec{District: d, Quarters: []string{"2025Q4"}, Rows: 300, BadRows: 4})
	if err != nil {
		t.Fatal(err)
	}
	tbl := parseCSV(t, buf.Bytes(), ',', 0)
	if got := strings.Join(tbl.header, ","); got != "la_code,quarter_end_date,case_ref,app_date,reasonloss,colour,rooms,visit_start_date,visit_end_date,flagged,note" {
		t.Fatalf("header %s", got)
	}
	iLA, iColour, iRooms, iStart, iEnd := tbl.col(t, "la_code"), tbl.col(t, "colour"), tbl.col(t, "rooms"), tbl.col(t, "visit_start_date"), tbl.col(t, "visit_end_date")
	bad := map[int]bool{}
	for _, n := range st.BadRows {
		bad[n] = true
	}
	for i, row := range tbl.rows {
		if row[iLA] != d.GSS {
			t.Fatalf("row %d: la_code %q", i+2, row[iLA])
		}
		if bad[i+2] {
			continue
		}
		if row[iColour] != "red" && row[iColour] != "blue" {
			t.Fatalf("row %d: colour %q", i+2, row[iColour])
		}
		if row[iRooms] < "1" || row[iRooms] > "5" || len(row[iRooms]) != 1 {
			t.Fatalf("row %d: rooms %q outside 1..5", i+2, row[iRooms])
		}
		if row[iEnd] < row[iStart] {
			t.Fatalf("row %d: visit ends %s before it starts %s", i+2, row[iEnd], row[iStart])
		}
	}
	if st.Bad != 4 {
		t.Errorf("%d bad rows, want 4", st.Bad)
	}
}

func TestSchemaWithoutDACodes(t *testing.T) {
	t.Parallel()
	s := smallSchema()
	s.Fields[4].Codes = s.Fields[4].Codes[2:] // da_retired and ast_end only
	err := synth.Write(io.Discard, s, synth.Spec{District: district(t, "harlow"), Quarters: []string{"2025Q4"}, Rows: 1})
	if err == nil || !strings.Contains(err.Error(), "reasonloss lacks") {
		t.Fatalf("err = %v, want reasonloss lacks ...", err)
	}
}
