package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"landingd/storage/azblob"
	"landingd/storage/local"
	"landingd/storage/sftp"
)

func TestDefaultsApplied(t *testing.T) {
	writeProtocol(t, header+okBody)
	c, err := Load("protocol.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		name      string
		got, want any
	}{
		{"stable_after", c.StableAfter.Duration, 60 * time.Second},
		{"concurrency", c.Concurrency, 4},
		{"max_row_error_rate", c.MaxRowErrorRate, 0.05},
		{"first_quarter", c.Collection.FirstQuarter, "2021Q2"},
		{"cron", c.Schedule.Cron, "0 6 7 1,4,7,10 *"},
		{"timezone", c.Schedule.Timezone, "Europe/London"},
		{"retry_every", c.Schedule.RetryEvery.Duration, 24 * time.Hour},
		{"deadline", c.Schedule.Deadline.Duration, 42 * 24 * time.Hour},
		{"shutdown_timeout", c.ShutdownTimeout.Duration, 30 * time.Second},
		{"http.listen", c.HTTP.Listen, "127.0.0.1:8080"},
		{"retention.cases", c.Retention.Cases.String(), "7y"},
		{"retention.processed_files", c.Retention.ProcessedFiles.String(), "90d"},
		{"retention.rejected_files", c.Retention.RejectedFiles.String(), "90d"},
		{"retention.audit", c.Retention.Audit.String(), "8y"},
		{"breach.notify_partners", c.Breach.NotifyPartners.Duration, 48 * time.Hour},
		{"breach.ico", c.Breach.ICO.Duration, 72 * time.Hour},
		{"disposition", c.Partners[0].Disposition, "move"},
	} {
		if x.got != x.want {
			t.Errorf("%s = %v, want %v", x.name, x.got, x.want)
		}
	}
	dir, _ := os.Getwd()
	if c.State != filepath.Join(dir, "state") {
		t.Errorf("state = %q, want %q", c.State, filepath.Join(dir, "state"))
	}
}

// TestDefaultsPartial checks that a block in the file replaces only the
// settings it names.
func TestDefaultsPartial(t *testing.T) {
	writeProtocol(t, header+okBody+"schedule: {timezone: UTC}\nretention:\n")
	c, err := Load("protocol.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Schedule.Timezone != "UTC" || c.Schedule.Cron != "0 6 7 1,4,7,10 *" || c.Retention.Cases.String() != "7y" {
		t.Errorf("schedule = %+v, retention = %+v", c.Schedule, c.Retention)
	}
}

func TestRelativePaths(t *testing.T) {
	src, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := writeProtocol(t, string(src))
	// Load from elsewhere: paths follow the file, not the working folder.
	t.Chdir(t.TempDir())
	c, err := Load(filepath.Join(dir, "protocol.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	j := func(p string) string { return filepath.Join(dir, p) }
	for _, x := range []struct{ name, got, want string }{
		{"Dir", c.Dir, dir},
		{"schema", c.Schema, j("schema.json")},
		{"key_file", c.Pseudonymise.KeyFile, j("keys/pseudonym.key")},
		{"state", c.State, j("var/state")},
		{"output", c.Output.Local.Path, j("var/out")},
		{"token_file", c.HTTP.TokenFile, j("secrets/http.token")},
		{"webhook_url_file", c.Alerts.WebhookURLFile, j("secrets/webhook.url")},
		{"alpha path", c.Partners[0].Landing.Local.Path, j("landing/alpha")},
		{"beta key_file", c.Partners[1].Landing.SFTP.KeyFile, j("keys/id_ed25519")},
		{"beta key_passphrase_file", c.Partners[1].Landing.SFTP.KeyPassphraseFile, j("secrets/passphrase")},
		{"beta known_hosts", c.Partners[1].Landing.SFTP.KnownHosts, j("keys/known_hosts")},
		{"beta remote path", c.Partners[1].Landing.SFTP.Path, "/upload"},
		{"beta address", c.Partners[1].Landing.SFTP.Address, "sftp.beta.example.org:22"},
		{"gamma known_hosts", c.Partners[2].Landing.SFTP.KnownHosts, ""},
		{"gamma password_env", c.Partners[2].Landing.SFTP.PasswordEnv, "GAMMA_SFTP_PASSWORD"},
		{"gamma user (merged)", c.Partners[2].Landing.SFTP.User, "landing"},
		{"delta sas_file", c.Partners[3].Landing.Azblob.Auth.SASFile, j("secrets/delta.sas")},
		{"alpha encoding", c.Partners[0].Encoding, "windows-1252"},
		{"alpha alias", c.Partners[0].Aliases["reasonloss"]["DA - victim"], "da_victim"},
		{"delta withdrawn", c.Partners[3].Withdrawn.String(), "2026-03-31"},
		{"review_date", c.Protocol.ReviewDate.String(), "2027-10-01"},
		{"rejected_files", c.Retention.RejectedFiles.String(), "1y6d"},
	} {
		if x.got != x.want {
			t.Errorf("%s = %q, want %q", x.name, x.got, x.want)
		}
	}
	sum := sha256.Sum256(src)
	if c.Hash != hex.EncodeToString(sum[:]) {
		t.Errorf("Hash = %s, want the SHA-256 of the file", c.Hash)
	}
	schema, err := os.ReadFile(j("schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum = sha256.Sum256(schema)
	if string(c.SchemaData) != string(schema) || c.SchemaHash != hex.EncodeToString(sum[:]) {
		t.Errorf("SchemaData/SchemaHash do not match the schema file")
	}
	if got := c.StableAfterFor(&c.Partners[0]); got != 5*time.Minute {
		t.Errorf("StableAfterFor(alpha) = %v, want 5m", got)
	}
	if got := c.StableAfterFor(&c.Partners[1]); got != 2*time.Minute {
		t.Errorf("StableAfterFor(beta) = %v, want the top-level 2m", got)
	}
	if got := c.StableAfterFor(nil); got != 2*time.Minute {
		t.Errorf("StableAfterFor(nil) = %v, want 2m", got)
	}
	p, ok := c.Partner("gamma")
	if !ok || p != &c.Partners[2] {
		t.Errorf("Partner(gamma) = %v, %v; want &Partners[2]", p, ok)
	}
	if _, ok := c.Partner("omega"); ok {
		t.Errorf("Partner(omega) found a partner")
	}
}

// TestLoadFS loads from a file system: the schema comes from beside the
// protocol inside it, and other relative paths follow the working folder.
func TestLoadFS(t *testing.T) {
	schema, err := os.ReadFile("testdata/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"p/x/protocol.yaml": {Data: []byte(header + okBody)},
		"p/x/schema.json":   {Data: schema},
	}
	wd := t.TempDir()
	t.Chdir(wd)
	c, err := LoadFS(fsys, "p/x/protocol.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != "embedded:p/x/protocol.yaml" || c.Dir != "" || c.Schema != "embedded:p/x/schema.json" {
		t.Errorf("Path, Dir, Schema = %q, %q, %q", c.Path, c.Dir, c.Schema)
	}
	if string(c.SchemaData) != string(schema) {
		t.Errorf("SchemaData is not the schema")
	}
	if c.State != filepath.Join(wd, "state") || c.Partners[0].Landing.Local.Path != filepath.Join(wd, "in/a") {
		t.Errorf("state %q, landing %q: want them under %s", c.State, c.Partners[0].Landing.Local.Path, wd)
	}

	fsys["p/x/protocol.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(header, "schema.json", "../../../schema.json", 1) + okBody)}
	_, err = LoadFS(fsys, "p/x/protocol.yaml")
	if err == nil || !strings.Contains(err.Error(), "embedded:p/x/protocol.yaml:6: schema: read ") {
		t.Errorf("schema outside the file system: got %v", err)
	}
	fsys["p/x/protocol.yaml"] = &fstest.MapFile{Data: []byte(header + okBody + "concurrency: -1\n")}
	_, err = LoadFS(fsys, "p/x/protocol.yaml")
	if want := "embedded:p/x/protocol.yaml:12: concurrency: want at least 1"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if _, err := LoadFS(fsys, "p/missing.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: got %v, want fs.ErrNotExist", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want fs.ErrNotExist", err)
	}
}

// TestValidateWithoutFile checks Validate on a Config built in code: the
// messages name the setting without a file or line.
func TestValidateWithoutFile(t *testing.T) {
	c := Defaults()
	c.Concurrency = 0
	err := c.Validate()
	errs := flatten(err)
	if len(errs) == 0 {
		t.Fatal("Validate accepted a Config with nothing in it")
	}
	var found bool
	for _, e := range errs {
		if e.Error() == "concurrency: want at least 1" {
			found = true
		}
	}
	if !found {
		t.Errorf("no %q among:\n%v", "concurrency: want at least 1", err)
	}
}

// TestNoSecretsPrinted checks that a loaded Config, printed whole, shows
// names of secrets but never their values.
func TestNoSecretsPrinted(t *testing.T) {
	const secret = "pa55-W0RD-value"
	dir := writeProtocol(t, header+`output: {kind: local, path: out}
partners:
  - id: a
    name: A
    gss: E07000066
    dpo_email: dpo@a.gov.uk
    landing: {kind: sftp, address: "h:22", user: u, path: /up, password_file: pw, known_hosts: kh}
`)
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LANDINGD_TEST_SECRET", secret)
	c, err := Load("protocol.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l := c.Partners[0].Landing
	got, err := ReadSecret(os.Getenv, "", l.SFTP.PasswordFile)
	if err != nil || got != secret {
		t.Fatalf("ReadSecret = %q, %v", got, err)
	}
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", *c), l.String()} {
		if strings.Contains(s, secret) {
			t.Errorf("printed Config shows the secret: %s", s)
		}
	}
}

func TestReadSecret(t *testing.T) {
	const secret = "s3cr3t-value"
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	if err := os.WriteFile(file, []byte("  "+secret+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SET": "\t" + secret + "\n", "BLANK": "  "}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name, env, file string
		want            string
		err             string
	}{
		{"Env", "SET", "", secret, ""},
		{"File", "", file, secret, ""},
		{"EnvUnset", "UNSET", "", "", "read secret: environment variable UNSET is not set or empty"},
		{"EnvBlank", "BLANK", "", "", "read secret: environment variable BLANK is not set or empty"},
		{"FileMissing", "", filepath.Join(dir, "nope"), "", "read secret: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"FileEmpty", "", empty, "", "read secret " + empty + ": file is empty"},
		{"Both", "SET", file, "", "read secret: both environment variable SET and file " + file + " are named; name one"},
		{"Neither", "", "", "", "read secret: no environment variable or file named"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadSecret(getenv, tt.env, tt.file)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || err.Error() != tt.err) {
				t.Errorf("error %v, want %q", err, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

func TestLocationString(t *testing.T) {
	tests := []struct {
		l    Location
		want string
	}{
		{Location{Kind: "local", Local: &local.Settings{Path: "/srv/landing/a"}}, "local:/srv/landing/a"},
		{Location{Kind: "sftp", SFTP: &sftp.Settings{Address: "SFTP.Example.org", User: "u", Path: "/upload", PasswordEnv: "PW"}}, "sftp://u@sftp.example.org:22/upload"},
		{Location{Kind: "sftp", SFTP: &sftp.Settings{Address: "[::1]:2222", User: "u", Path: "/up"}}, "sftp://u@[::1]:2222/up"},
		{Location{Kind: "azblob", Azblob: &azblob.Settings{ServiceURL: "https://acct.blob.core.windows.net/", Container: "landing", Prefix: "a/"}}, "azblob://acct.blob.core.windows.net/landing/a/"},
		{Location{Kind: "azblob", Azblob: &azblob.Settings{ServiceURL: "http://127.0.0.1:10000/devstoreaccount1", Container: "c1", Auth: azblob.Auth{SASEnv: "S"}}}, "azblob://127.0.0.1:10000/devstoreaccount1/c1"},
		{Location{Kind: "azblob", Azblob: &azblob.Settings{ServiceURL: "https://user:pw@acct.example/?sig=SIG", Container: "c1"}}, "azblob://acct.example/c1"},
	}
	for _, tt := range tests {
		if got := tt.l.String(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.want, got, tt.want)
		}
	}
}

func TestDecodeMergeOverride(t *testing.T) {
	writeProtocol(t, header+`output: {kind: local, path: out}
partners:
  - &a {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: local, path: in/a}, sheet: S}
  - {<<: *a, id: b, gss: E07000067, landing: {kind: local, path: in/b}}
`)
	c, err := Load("protocol.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b := c.Partners[1]
	if b.ID != "b" || b.Name != "A" || b.Sheet != "S" || b.GSS != "E07000067" {
		t.Errorf("merged partner = %+v", b)
	}
}

func TestEditDistanceSuggest(t *testing.T) {
	fields := yamlFields(reflect.TypeFor[sftp.Settings]())
	for in, want := range map[string]string{"adress": "address", "knownhosts": "known_hosts", "zzzz": "", "pth": "path"} {
		if got := suggest(in, fields); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
