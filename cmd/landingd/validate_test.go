package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"landingd/transform"
)

const validateHeader = "la_code,quarter_end_date,case_ref,app_date,reasonloss,household_type,main_app_age,main_app_sex\n"

// runCmd runs landingd in-process and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(context.Background(), &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, args)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// protocolCopy copies the default protocol and its field list into a
// temporary folder, with a key file where the protocol expects it.
func protocolCopy(t *testing.T, keyMode os.FileMode) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "deploy", "protocols", "da-needs-assessment")
	for _, name := range []string{"protocol.yaml", "hclic-da.schema.json"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, name, string(b))
	}
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "keys", "pseudonym.key")
	if err := transform.WriteKeyFile(key); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(key, keyMode); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "protocol.yaml")
}

type validateJSON struct {
	Files []transform.Result `json:"files"`
}

func TestValidate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := writeFile(t, dir, "basildon.csv", validateHeader+
		"E07000066,2025-12-31,SECRET-0001,2025-11-03,da_victim,single_female,34,female\n"+
		"E07000066,2025-12-31,SECRET-0002,2025-11-03,ast_end,single_male,40,male\n")
	braintree := writeFile(t, dir, "braintree.csv", validateHeader+
		"E07000067,2025-12-31,SECRET-0003,2025-11-03,da_victim,single_female,34,female\n"+
		"E07000067,2025-12-31,SECRET-0004,2025-11-03,da_victim,single_female,34,female\n"+
		"E07000066,2025-12-31,SECRET-0005,2025-11-03,da_victim,single_female,34,female\n")
	extra := writeFile(t, dir, "extra.csv", strings.TrimSuffix(validateHeader, "\n")+",nino\n"+
		"E07000066,2025-12-31,SECRET-0006,2025-11-03,da_victim,single_female,34,female,QQ123456C\n")
	nobody := writeFile(t, dir, "nobody.csv", validateHeader+
		"E07000099,2025-12-31,SECRET-0007,2025-11-03,da_victim,single_female,34,female\n")
	xls := writeFile(t, dir, "old.xls", "not really")

	tests := []struct {
		name     string
		args     []string
		code     int
		verdicts []string
		partners []string
		stderr   string
	}{
		{"Accepted", []string{"--json", good}, exitOK, []string{"accepted"}, []string{"basildon"}, ""},
		{"InferredPartnerSeesMismatch", []string{"--json", braintree}, exitFailed, []string{"rejected"}, []string{"braintree"}, ""},
		{"FixedPartner", []string{"--json", "--partner", "basildon", braintree}, exitFailed, []string{"rejected"}, []string{"basildon"}, ""},
		{"ExtraLabelNoPartner", []string{"--json", good, extra}, exitFailed, []string{"accepted", "rejected"}, []string{"basildon", "basildon"}, ""},
		{"UnreadableFormat", []string{"--json", xls}, exitFailed, []string{"rejected"}, []string{""}, ""},
		{"NoPartner", []string{"--json", nobody}, exitUsage, nil, nil, "use --partner"},
		{"UnknownPartner", []string{"--partner", "southend", good}, exitUsage, nil, nil, `no partner "southend" in embedded:protocols/da-needs-assessment/protocol.yaml; the partners are: basildon, braintree, brentwood,`},
		{"NoFiles", []string{"--json"}, exitUsage, nil, nil, "usage"},
		{"BadFlag", []string{"--bogus", good}, exitUsage, nil, nil, ""},
		{"MissingFile", []string{filepath.Join(dir, "none.csv")}, exitUsage, nil, nil, "no such file"},
		{"BadConfig", []string{"--config", filepath.Join(dir, "none.yaml"), good}, exitUsage, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, append([]string{"validate"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q lacks %q", errOut, tt.stderr)
			}
			for _, secret := range []string{"SECRET-", "QQ123456C"} {
				if strings.Contains(out+errOut, secret) {
					t.Errorf("output holds the cell value %s", secret)
				}
			}
			if tt.verdicts == nil {
				return
			}
			var got validateJSON
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("json: %v\n%s", err, out)
			}
			if len(got.Files) != len(tt.verdicts) {
				t.Fatalf("%d files, want %d", len(got.Files), len(tt.verdicts))
			}
			for i, f := range got.Files {
				if string(f.Verdict) != tt.verdicts[i] || f.Partner != tt.partners[i] {
					t.Errorf("file %d: verdict %s partner %q, want %s %q", i, f.Verdict, f.Partner, tt.verdicts[i], tt.partners[i])
				}
			}
		})
	}
}

func TestValidateJSONShape(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := writeFile(t, dir, "b.csv", validateHeader+
		"E07000066,2025-12-31,SECRET-0001,2025-11-03,da_victim,single_female,34,female\n"+
		"E07000066,2025-12-31,SECRET-0002,2025-11-03,ast_end,single_male,40,male\n"+
		"E07000066,2025-12-31,SECRET-0003,2025-11-03,DVX,single_male,40,male\n")
	code, out, _ := runCmd(t, "validate", "--json", f)
	if code != exitFailed {
		t.Fatalf("exit %d", code)
	}
	var raw map[string][]map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	file := raw["files"][0]
	for _, k := range []string{"file", "partner", "format", "verdict", "rows", "file_errors", "errors", "errors_total"} {
		if _, ok := file[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, out)
		}
	}
	rows := file["rows"].(map[string]any)
	if rows["read"] != 3.0 || rows["accepted"] != 1.0 || rows["out_of_scope"] != 1.0 || rows["rejected"] != 1.0 {
		t.Errorf("rows %v", rows)
	}
	errs := file["errors"].([]any)
	first := errs[0].(map[string]any)
	if first["row"] != 4.0 || first["field"] != "reasonloss" || first["rule"] != "constraint-error" || !strings.Contains(first["message"].(string), `"DVX"`) {
		t.Errorf("error %v", first)
	}
	if file["file"] != f || file["format"] != "csv" {
		t.Errorf("file %v format %v", file["file"], file["format"])
	}
}

func TestValidateHumanOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := writeFile(t, dir, "b.csv", validateHeader+
		"E07000066,2025-12-31,SECRET-0001,2025-11-03,da_victim,single_female,34,female\n"+
		"E07000066,2025-12-31,SECRET-0002,2025-11-03,ast_end,single_male,40,male\n")
	code, out, _ := runCmd(t, "validate", f, f)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Verdict: ACCEPTED", "out of scope: 1", "tighten your extract", "-----"} {
		if !strings.Contains(flat, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestValidateNeedsNoSecret holds validate to reading no key file and no
// credential: the county's protocol works on a district's machine where
// none of its secrets exist.
func TestValidateNeedsNoSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := writeFile(t, dir, "b.csv", validateHeader+"E07000066,2025-12-31,SECRET-0001,2025-11-03,da_victim,single_female,34,female\n")
	withoutKey := protocolCopy(t, 0o600)
	if err := os.Remove(filepath.Join(filepath.Dir(withoutKey), "keys", "pseudonym.key")); err != nil {
		t.Fatal(err)
	}
	examples := filepath.Join("..", "..", "deploy", "examples")
	tests := []struct {
		name     string
		protocol string
	}{
		{"KeyFileAbsent", withoutKey},
		{"KeyFileWithLooseMode", protocolCopy(t, 0o644)},
		// Zone keys, known_hosts, passphrases and the pseudonymisation
		// key under /etc/landingd, none present; runCmd's environment is
		// empty.
		{"SFTPCredentialsAbsent", filepath.Join(examples, "sftp.yaml")},
		// Connection strings, SAS and account keys named by environment
		// variables that are unset.
		{"AzureCredentialsAbsent", filepath.Join(examples, "azblob.yaml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCmd(t, "validate", "--config", tt.protocol, "--partner", "basildon", f)
			if code != exitOK || errOut != "" {
				t.Fatalf("exit %d, stderr %q, want 0 and nothing\n%s", code, errOut, out)
			}
			if !strings.Contains(out, "ACCEPTED") {
				t.Errorf("output lacks the verdict:\n%s", out)
			}
		})
	}
}
