package transform

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// A file without a header row must not have its first data row quoted
// back as column names: that row holds a raw case_ref and other values.
func TestJudgeFileWithoutHeaderQuotesNothing(t *testing.T) {
	s := loadTestSchema(t)
	input := "E07000066,2025-12-31,BAS-SECRET-0001,2025-10-02,da_victim,single_female,34,female\n" +
		"E07000066,2025-12-31,BAS-SECRET-0002,2025-11-12,da_victim,single_male,41,male\n"
	res, rows := judgeString(t, s, "noheader.csv", input, testOptions())
	if res.Verdict != Rejected || len(rows) != 0 {
		t.Fatalf("verdict %s with %d rows, want rejected with none", res.Verdict, len(rows))
	}
	if len(res.FileErrors) != 1 || res.FileErrors[0].Rule != RuleMissingLabel {
		t.Fatalf("file errors %+v, want one missing-label", res.FileErrors)
	}
	var report bytes.Buffer
	if err := res.WriteText(&report); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"BAS-SECRET-0001", "2025-10-02", "single_female", "34"} {
		if strings.Contains(report.String(), v) || bytes.Contains(js, []byte(v)) {
			t.Errorf("the judgement quotes the cell value %q", v)
		}
	}
}
