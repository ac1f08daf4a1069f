package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateFields = flag.Bool("update-fields", false, "rewrite testdata/fields.txt")

// TestFieldsGolden compares the text field list of the built-in protocol
// with testdata/fields.txt; -update-fields rewrites it.
func TestFieldsGolden(t *testing.T) {
	code, out, errOut := runCmd(t, "fields")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	golden := filepath.Join("testdata", "fields.txt")
	if *updateFields {
		if err := os.MkdirAll("testdata", 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("fields output differs from %s (run with -update-fields and review):\n%s", golden, out)
	}
}

func TestFieldsJSON(t *testing.T) {
	t.Parallel()
	code, out, _ := runCmd(t, "fields", "--json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var got struct {
		Fields []fieldInfo `json:"fields"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	var reason *fieldInfo
	for i := range got.Fields {
		if got.Fields[i].Name == "reasonloss" {
			reason = &got.Fields[i]
		}
	}
	if reason == nil || !reason.Required || reason.Question != "1.15" || reason.Element != "REASONLOSS" {
		t.Fatalf("reasonloss = %+v", reason)
	}
	var victim bool
	for _, c := range reason.Codes {
		victim = victim || c.Code == "da_victim" && c.Label != ""
	}
	if !victim {
		t.Errorf("reasonloss lacks da_victim with its label: %+v", reason.Codes)
	}
}
