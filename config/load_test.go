package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// header is the start of most test inputs: eight lines, so a test's body
// starts on line 9.
const header = `protocol:
  id: t
  title: Test
  lead: {name: Lead, gss: E10000012}
  review_date: 2027-10-01
schema: schema.json
filter: {field: reasonloss, keep: [da_victim]}
pseudonymise: {key_file: keys/pseudonym.key}
`

// okBody is a valid body: lines 9 to 11.
const okBody = `output: {kind: local, path: out}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: local, path: in/a}}
`

// sftpA is a partner with an SFTP zone (lines 9 to 20) lacking a host key
// setting.
const sftpA = `output: {kind: local, path: out}
partners:
  - id: a
    name: A
    gss: E07000066
    dpo_email: dpo@a.gov.uk
    landing:
      kind: sftp
      address: sftp.example.org
      user: u
      path: /upload
      key_file: keys/a
`

const azA = `output: {kind: local, path: out}
partners:
  - id: a
    name: A
    gss: E07000066
    dpo_email: dpo@a.gov.uk
    landing:
      kind: azblob
      service_url: https://acct.blob.core.windows.net/
      container: landing
`

// writeProtocol writes input as protocol.yaml beside testdata/schema.json
// in a fresh folder, makes that the working directory, and returns it.
func writeProtocol(t *testing.T, input string) string {
	t.Helper()
	dir := t.TempDir()
	schema, err := os.ReadFile("testdata/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "schema.json"), schema, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "protocol.yaml"), []byte(input), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	return dir
}

// flatten lists the errors joined in err.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// loadTest is one case for Load: a protocol file and what Load makes of
// it.
type loadTest struct {
	Name  string
	Input string   // the whole file
	Errs  []string // each must be within one reported error, in file order; nil means valid
	// Hidden must not appear in any message: a value that may be secret.
	Hidden string
	Check  func(t *testing.T, c *Config)
}

var loadTests = []loadTest{{
	Name:  "Valid",
	Input: header + okBody,
	Check: func(t *testing.T, c *Config) {
		if c.Protocol.OnReviewOverdue != ReviewWarn {
			t.Errorf("on_review_overdue = %q, want the default warn", c.Protocol.OnReviewOverdue)
		}
	},
}, {
	Name:  "RegisterMetadata",
	Input: strings.Replace(header, "  title: Test\n", "  title: Test\n  number: \"0075\"\n  theme: Safer Community\n  purpose: To share case data.\n  on_review_overdue: pause\n", 1) + okBody,
	Check: func(t *testing.T, c *Config) {
		want := Protocol{ID: "t", Title: "Test", Number: "0075", Theme: "Safer Community", Purpose: "To share case data.",
			Lead: Org{Name: "Lead", GSS: "E10000012"}, ReviewDate: c.Protocol.ReviewDate, OnReviewOverdue: ReviewPause}
		if c.Protocol != want {
			t.Errorf("protocol = %+v, want %+v", c.Protocol, want)
		}
	},
}, {
	Name:  "RegisterMetadataBad",
	Input: strings.Replace(header, "  title: Test\n", "  title: Test\n  number: \"00 75\"\n  theme: \"a\\nb\"\n  purpose: \"one\\n\\ntwo\"\n  on_review_overdue: stop\n", 1) + okBody,
	Errs: []string{
		`protocol.yaml:4: protocol.number: "00 75" is not a register number`,
		`protocol.yaml:5: protocol.theme: want one line of at most 80 characters`,
		`protocol.yaml:6: protocol.purpose: want one paragraph of at most 2000 characters`,
		`protocol.yaml:7: protocol.on_review_overdue: "stop" is not an action (want warn or pause)`,
	},
}, {
	Name:  "UnknownKey",
	Input: header + okBody + "schedule: {cronn: '0 6 * * *'}\n",
	Errs:  []string{`protocol.yaml:12: schedule.cronn: unknown key (did you mean cron?)`},
}, {
	Name: "UnknownKeys",
	Input: `protocol:
  id: t
  title: Test
  lead: {name: Lead, gss: E10000012}
  review_date: 2027-10-01
schema: schema.json
filter:
  field: reasonloss
  kep: [da_victim]
pseudonymise: {key_file: keys/pseudonym.key}
` + okBody + "partner: []\npassword: hunter2\n",
	Errs: []string{
		`protocol.yaml:7: filter.keep: required`,
		`protocol.yaml:9: filter.kep: unknown key (did you mean keep?)`,
		`protocol.yaml:14: partner: unknown key (did you mean partners?)`,
		`protocol.yaml:15: password: unknown key`,
	},
	Hidden: "hunter2",
}, {
	Name: "BadGSS",
	Input: header + `output: {kind: local, path: out}
partners:
  - {id: a, name: A, gss: E0700006, dpo_email: dpo@a.gov.uk, landing: {kind: local, path: in/a}}
`,
	Errs: []string{`protocol.yaml:11: partners[0].gss: "E0700006" is not a GSS code (want E + 8 digits)`},
}, {
	Name:  "DuplicatePartnerID",
	Input: header + okBody + `  - {id: a, name: B, gss: E07000067, dpo_email: dpo@b.gov.uk, landing: {kind: local, path: in/b}}` + "\n",
	Errs:  []string{`protocol.yaml:12: partners[1].id: duplicate partner id "a" (also partners[0], line 11)`},
}, {
	Name:  "DuplicateGSS",
	Input: header + okBody + `  - {id: b, name: B, gss: E07000066, dpo_email: dpo@b.gov.uk, landing: {kind: local, path: in/b}}` + "\n",
	Errs:  []string{`protocol.yaml:12: partners[1].gss: duplicate GSS code "E07000066" (also partners[0], line 11)`},
}, {
	Name:  "SFTPWithoutHostKey",
	Input: header + sftpA,
	Errs:  []string{`protocol.yaml:15: partners[0].landing: set known_hosts or host_key_fingerprint: the server's host key must be checked`},
}, {
	Name:  "SFTPBadFingerprint",
	Input: header + sftpA + "      host_key_fingerprint: SHA256:abc\n",
	Errs:  []string{`protocol.yaml:21: partners[0].landing.host_key_fingerprint: "SHA256:abc" is not a host key fingerprint`},
}, {
	Name:  "SFTPMD5Fingerprint",
	Input: header + sftpA + "      host_key_fingerprint: MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48\n",
	Errs:  []string{`protocol.yaml:21: partners[0].landing.host_key_fingerprint: "MD5:16:27`},
}, {
	// Both checks may be set: the server's key must then satisfy both, as
	// the backend does it.
	Name:  "SFTPBothHostKeySettings",
	Input: header + sftpA + "      host_key_fingerprint: SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n      known_hosts: kh\n",
	Check: func(t *testing.T, c *Config) {
		if l := c.Partners[0].Landing.SFTP; l.KnownHosts == "" || l.HostKeyFingerprint == "" {
			t.Errorf("settings = %+v, want both host key checks kept", l)
		}
	},
}, {
	Name:  "SFTPValid",
	Input: header + sftpA + "      host_key_fingerprint: SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n",
	Check: func(t *testing.T, c *Config) {
		l := c.Partners[0].Landing
		if l.SFTP.Address != "sftp.example.org:22" {
			t.Errorf("Address = %q, want the default port added", l.SFTP.Address)
		}
		if got, want := l.String(), "sftp://u@sftp.example.org:22/upload"; got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	},
}, {
	Name: "SFTPPasswordNotEnvName",
	Input: header + `output: {kind: local, path: out}
partners:
  - id: a
    name: A
    gss: E07000066
    dpo_email: dpo@a.gov.uk
    landing:
      kind: sftp
      address: sftp.example.org:2222
      user: u
      path: upload
      password_env: "s3cret pass!"
      password_file: pw
      known_hosts: kh
`,
	Errs: []string{
		`protocol.yaml:15: partners[0].landing: set at most one of password_env and password_file`,
		`protocol.yaml:19: partners[0].landing.path: "upload" is not an absolute path on the server`,
		`protocol.yaml:20: partners[0].landing.password_env: not an environment variable name`,
	},
	Hidden: "s3cret",
}, {
	Name:  "AzblobHTTPWithoutAllow",
	Input: strings.Replace(header+azA, "https://acct.blob.core.windows.net/", "http://127.0.0.1:10000/devstoreaccount1", 1) + "      auth: {default_credential: true}\n",
	Errs:  []string{`protocol.yaml:17: partners[0].landing.service_url: plain http sends credentials unencrypted; use https, or set allow_http: true for a local emulator`},
}, {
	Name:  "AzblobTwoAuthMethods",
	Input: header + azA + "      auth: {sas_env: SAS, connection_string_env: CONN}\n",
	Errs:  []string{`protocol.yaml:19: partners[0].landing.auth: set exactly one way to authenticate, not connection_string_env and sas_env`},
}, {
	Name:  "AzblobNoAuth",
	Input: header + azA,
	Errs:  []string{`protocol.yaml:15: partners[0].landing.auth: required: set one of connection_string_env`},
}, {
	Name:  "AzblobAccountNameWithoutKey",
	Input: header + azA + "      auth: {account_name: acct}\n",
	Errs:  []string{`protocol.yaml:19: partners[0].landing.auth: account_name needs account_key_env or account_key_file`},
}, {
	Name:  "AzblobBadContainer",
	Input: strings.Replace(header+azA, "container: landing", "container: Landing--Zone", 1) + "      auth: {default_credential: true}\n",
	Errs:  []string{`protocol.yaml:18: partners[0].landing.container: "Landing--Zone" is not a container name`},
}, {
	Name:   "AzblobSASInURL",
	Input:  strings.Replace(header+azA, "windows.net/", "windows.net/?sv=2022&sig=SECRETSIG", 1) + "      auth: {default_credential: true}\n",
	Errs:   []string{`protocol.yaml:17: partners[0].landing.service_url: must not carry credentials, a query or a fragment`},
	Hidden: "SECRETSIG",
}, {
	Name: "OverlappingLocalZones",
	Input: header + okBody +
		`  - {id: b, name: B, gss: E07000067, dpo_email: dpo@b.gov.uk, landing: {kind: local, path: in/a/../a/sub}}` + "\n",
	Errs: []string{`protocol.yaml:12: partners[1].landing: overlaps partners[0].landing (a): each partner needs a zone of its own`},
}, {
	Name: "SiblingLocalZonesWithCommonPrefix",
	Input: header + okBody +
		`  - {id: b, name: B, gss: E07000067, dpo_email: dpo@b.gov.uk, landing: {kind: local, path: in/ab}}` + "\n",
}, {
	Name: "OverlappingSFTPZones",
	Input: header + `output: {kind: local, path: out}
partners:
  - id: a
    name: A
    gss: E07000066
    dpo_email: dpo@a.gov.uk
    landing: &z {kind: sftp, address: SFTP.Example.org, user: u, path: /upload, key_file: k, known_hosts: kh}
  - id: b
    name: B
    gss: E07000067
    dpo_email: dpo@b.gov.uk
    landing: {<<: *z, address: "sftp.example.ORG:22", path: /upload/b/}
  - id: c
    name: C
    gss: E07000068
    dpo_email: dpo@c.gov.uk
    landing: {<<: *z, address: "sftp.example.org:2222"}
`,
	Errs: []string{`protocol.yaml:20: partners[1].landing: overlaps partners[0].landing (a)`},
}, {
	Name: "OverlappingAzblobPrefixes",
	Input: header + `output: {kind: local, path: out}
partners:
  - id: a
    name: A
    gss: E07000066
    dpo_email: dpo@a.gov.uk
    landing: &z {kind: azblob, service_url: "https://acct.blob.core.windows.net", container: landing, prefix: a/, auth: {default_credential: true}}
  - id: b
    name: B
    gss: E07000067
    dpo_email: dpo@b.gov.uk
    landing: {<<: *z, prefix: b/}
  - id: c
    name: C
    gss: E07000068
    dpo_email: dpo@c.gov.uk
    landing: {<<: *z, service_url: "https://ACCT.blob.core.windows.net:443/", prefix: ""}
  - id: d
    name: D
    gss: E07000069
    dpo_email: dpo@d.gov.uk
    landing: {<<: *z, container: other, prefix: ""}
`,
	Errs: []string{
		`protocol.yaml:25: partners[2].landing: overlaps partners[0].landing (a)`,
		`protocol.yaml:25: partners[2].landing: overlaps partners[1].landing (b)`,
	},
}, {
	Name: "OverlappingAzblobPrefixSpellings",
	Input: header + `output: {kind: local, path: out}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: azblob, service_url: "https://acct.blob.core.windows.net", container: landing, prefix: /brentwood, auth: {default_credential: true}}}
  - {id: b, name: B, gss: E07000067, dpo_email: dpo@b.gov.uk, landing: {kind: azblob, service_url: "https://acct.blob.core.windows.net", container: landing, prefix: brentwood/, auth: {default_credential: true}}}
  - {id: c, name: C, gss: E07000068, dpo_email: dpo@c.gov.uk, landing: {kind: azblob, service_url: "https://acct.blob.core.windows.net", container: landing, prefix: brent, auth: {default_credential: true}}}
`,
	Errs: []string{`protocol.yaml:12: partners[1].landing: overlaps partners[0].landing (a)`},
}, {
	Name: "OutputInsideZone",
	Input: header + `output: {kind: local, path: in/a/out}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: local, path: in/a}}
`,
	Errs: []string{`protocol.yaml:9: output: overlaps partners[0].landing (a): the combined data must stay out of every partner's zone`},
}, {
	Name: "OutputAzblobOverlapsZone",
	Input: header + `output: {kind: azblob, service_url: "https://acct.blob.core.windows.net/", container: landing, prefix: combined/, auth: {default_credential: true}}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: azblob, service_url: "https://acct.blob.core.windows.net", container: landing, auth: {sas_env: SAS}}}
`,
	Errs: []string{`protocol.yaml:9: output: overlaps partners[0].landing (a)`},
}, {
	Name:  "StateInsideZone",
	Input: header + okBody + "state: in/a/state\n",
	Errs:  []string{`protocol.yaml:12: state: overlaps partners[0].landing (a): the state folder must stay out of every partner's zone`},
}, {
	Name:  "StateInsideOutput",
	Input: header + okBody + "state: out/state\n",
	Errs:  []string{`protocol.yaml:12: state: overlaps the output`},
}, {
	Name: "KeyFileInsideZone",
	Input: header + `output: {kind: local, path: out}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: local, path: keys}}
`,
	Errs: []string{`protocol.yaml:8: pseudonymise.key_file: is inside partners[0].landing (a): a partner could read it`},
}, {
	Name:  "BadDuration",
	Input: header + okBody + "stable_after: 5 minutes\nshutdown_timeout: 30\n",
	Errs: []string{
		`protocol.yaml:12: stable_after: "5 minutes": want a duration such as 60s, 36h, 90d or 7y`,
		`protocol.yaml:13: shutdown_timeout: "30": want a duration`,
	},
}, {
	Name:  "DaysAndYears",
	Input: header + okBody + "retention: {cases: 7y, processed_files: 90d, rejected_files: 1y6d, audit: 36h}\n",
	Check: func(t *testing.T, c *Config) {
		r := c.Retention
		for _, x := range []struct {
			got, want time.Duration
		}{
			{r.Cases.Duration, 7 * 365 * 24 * time.Hour},
			{r.ProcessedFiles.Duration, 90 * 24 * time.Hour},
			{r.RejectedFiles.Duration, 371 * 24 * time.Hour},
			{r.Audit.Duration, 36 * time.Hour},
		} {
			if x.got != x.want {
				t.Errorf("got %v, want %v", x.got, x.want)
			}
		}
	},
}, {
	Name:  "NegativeDuration",
	Input: header + okBody + "retention: {cases: -1d}\n",
	Errs:  []string{`protocol.yaml:12: retention.cases: want a duration above zero`},
}, {
	Name:  "BadCron",
	Input: header + okBody + "schedule: {cron: \"61 6 * * *\"}\n",
	Errs:  []string{`protocol.yaml:12: schedule.cron: "61 6 * * *" is not a cron schedule: `},
}, {
	Name:  "CronWithSecondsAndDescriptor",
	Input: header + okBody + "schedule: {cron: \"30 0 6 7 1,4,7,10 *\"}\n",
}, {
	Name:  "BadTimezone",
	Input: header + okBody + "schedule: {timezone: Europe/Londn}\n",
	Errs:  []string{`protocol.yaml:12: schedule.timezone: "Europe/Londn" is not a known time zone`},
}, {
	Name:  "NonLoopbackWithoutToken",
	Input: header + okBody + "http: {listen: \"0.0.0.0:8080\"}\n",
	Errs:  []string{`protocol.yaml:12: http.listen: "0.0.0.0:8080" is not a loopback address, so http.token_file is required`},
}, {
	Name:  "AllInterfacesWithoutToken",
	Input: header + okBody + "http:\n  listen: \":8080\"\n",
	Errs:  []string{`protocol.yaml:13: http.listen: ":8080" is not a loopback address`},
}, {
	Name:  "LoopbackListen",
	Input: header + okBody + "http: {listen: \"[::1]:9000\"}\n",
}, {
	Name:  "ListenNotHostPort",
	Input: header + okBody + "http: {listen: localhost}\n",
	Errs:  []string{`protocol.yaml:12: http.listen: "localhost" is not host:port`},
}, {
	Name:  "ICOLaterThan72h",
	Input: header + okBody + "breach:\n  notify_partners: 0s\n  ico: 4d\n",
	Errs: []string{
		`protocol.yaml:13: breach.notify_partners: want a duration above zero`,
		`protocol.yaml:14: breach.ico: 4d is later than the 72 hours UK GDPR Article 33 allows`,
	},
}, {
	Name: "BadEncoding",
	Input: header + `output: {kind: local, path: out}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: local, path: in/a}, encoding: latin9}
`,
	Errs: []string{`protocol.yaml:11: partners[0].encoding: "latin9" is not a supported encoding`},
}, {
	Name: "BadDateOrder",
	Input: header + `output: {kind: local, path: out}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: local, path: in/a}, date_order: ymd}
`,
	Errs: []string{`protocol.yaml:11: partners[0].date_order: "ymd" is not a date order (want dmy, day first, or mdy, month first)`},
}, {
	Name: "DateOrders",
	Input: header + `output: {kind: local, path: out}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: local, path: in/a}, date_order: mdy}
  - {id: b, name: B, gss: E07000067, dpo_email: dpo@b.gov.uk, landing: {kind: local, path: in/b}}
`,
	Check: func(t *testing.T, c *Config) {
		if c.Partners[0].DateOrder != DateOrderMDY || c.Partners[1].DateOrder != DateOrderDMY {
			t.Errorf("date orders = %q, %q; want mdy, dmy", c.Partners[0].DateOrder, c.Partners[1].DateOrder)
		}
	},
}, {
	Name: "EncodingSpellings",
	Input: header + `output: {kind: local, path: out}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: local, path: in/a}, encoding: CP1252}
  - {id: b, name: B, gss: E07000067, dpo_email: dpo@b.gov.uk, landing: {kind: local, path: in/b}, encoding: UTF8}
`,
	Check: func(t *testing.T, c *Config) {
		if c.Partners[0].Encoding != "windows-1252" || c.Partners[1].Encoding != "utf-8" {
			t.Errorf("encodings = %q, %q; want windows-1252, utf-8", c.Partners[0].Encoding, c.Partners[1].Encoding)
		}
	},
}, {
	Name: "BadDisposition",
	Input: header + `output: {kind: local, path: out}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: local, path: in/a}, disposition: delete}
`,
	Errs: []string{`protocol.yaml:11: partners[0].disposition: "delete" is not a disposition (want move or keep)`},
}, {
	Name: "BadPartnerFields", // decoding and validation problems together
	Input: header + `output: {kind: local, path: out}
partners:
  - id: Basildon Council
    gss: E07000066
    dpo_email: not an address
    withdrawn: 2026-13-01
    stable_after: -1s
    landing: {kind: ftp}
`,
	Errs: []string{
		`protocol.yaml:11: partners[0].id: "Basildon Council" is not an id`,
		`protocol.yaml:11: partners[0].name: required`,
		`protocol.yaml:13: partners[0].dpo_email: "not an address" is not an email address`,
		`protocol.yaml:14: partners[0].withdrawn: "2026-13-01": want a date written YYYY-MM-DD`,
		`protocol.yaml:15: partners[0].stable_after: want a duration of zero or more`,
		`protocol.yaml:16: partners[0].landing.kind: "ftp" is not a landing kind (want local, sftp or azblob)`,
	},
}, {
	Name:  "SettingOfAnotherKind",
	Input: header + okBody + `  - {id: b, name: B, gss: E07000067, dpo_email: dpo@b.gov.uk, landing: {kind: local, path: in/b, key_file: k}}` + "\n",
	Errs:  []string{`protocol.yaml:12: partners[1].landing.key_file: does not apply to kind local`},
}, {
	Name:  "OutputSFTP",
	Input: header + strings.Replace(okBody, "{kind: local, path: out}", "{kind: sftp, path: /out}", 1),
	Errs:  []string{`protocol.yaml:9: output.kind: sftp is not supported for output (want local or azblob)`},
}, {
	Name:  "TopLevelValues",
	Input: header + okBody + "max_row_error_rate: 1.5\nconcurrency: 0\ncollection: {first_quarter: 2021Q5}\n",
	Errs: []string{
		`protocol.yaml:12: max_row_error_rate: want a fraction from 0 to 1`,
		`protocol.yaml:13: concurrency: want at least 1`,
		`protocol.yaml:14: collection.first_quarter: "2021Q5" is not a quarter (want a form like 2021Q2)`,
	},
}, {
	Name:  "WrongTypes",
	Input: header + "output: {kind: local, path: out}\npartners: {a: 1}\nconcurrency: many\nfilter: x\nhttp: [1]\n",
	Errs: []string{
		`protocol.yaml:10: partners: want a list, got a mapping`,
		`protocol.yaml:11: concurrency: want a whole number, got text`,
		`protocol.yaml:12: filter: duplicate key (first on line 7)`,
		`protocol.yaml:13: http: want a mapping of settings, got a list`,
	},
}, {
	Name:  "Syntax",
	Input: header + "output: {kind: local\npartners: [\n",
	Errs:  []string{`protocol.yaml:9: did not find expected ',' or '}'`},
}, {
	Name:  "SyntaxBadIndent",
	Input: header + okBody + "http:\n  listen: x\n token_file: y\n",
	Errs:  []string{`protocol.yaml:14: did not find expected key`},
}, {
	Name:  "Empty",
	Input: "# nothing here\n",
	Errs:  []string{`protocol.yaml: file is empty`},
}, {
	Name:  "TwoDocuments",
	Input: header + okBody + "---\nstate: x\n",
	Errs:  []string{`protocol.yaml:12: more than one YAML document`},
}, {
	Name:  "NotAMapping",
	Input: "- 1\n- 2\n",
	Errs:  []string{`protocol.yaml:1: want a mapping of settings, got a list`},
}, {
	Name:  "MissingSchemaFile",
	Input: strings.Replace(header, "schema: schema.json", "schema: fields.json", 1) + okBody,
	Errs:  []string{`protocol.yaml:6: schema: read `},
}, {
	Name: "MissingRequired",
	Input: `protocol:
  id: x
filter:
  keep: []
`,
	Errs: []string{
		`protocol.yaml:1: protocol.title: required`,
		`protocol.yaml:1: protocol.lead.name: required`,
		`protocol.yaml:1: protocol.lead.gss: required`,
		`protocol.yaml:1: protocol.review_date: required`,
		`protocol.yaml:1: schema: required`,
		`protocol.yaml:1: pseudonymise.key_file: required`,
		`protocol.yaml:1: output: required`,
		`protocol.yaml:1: partners: required`,
		`protocol.yaml:3: filter.field: required`,
		`protocol.yaml:4: filter.keep: required`,
	},
}}

func TestLoad(t *testing.T) { runLoadTests(t, loadTests) }

// runLoadTests loads each test's input as protocol.yaml and checks the
// errors, in file order, or the Config.
func runLoadTests(t *testing.T, tests []loadTest) {
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			writeProtocol(t, tt.Input)
			c, err := Load("protocol.yaml")
			errs := flatten(err)
			if tt.Hidden != "" && err != nil && strings.Contains(err.Error(), tt.Hidden) {
				t.Errorf("error shows a possible secret %q:\n%v", tt.Hidden, err)
			}
			if len(tt.Errs) == 0 {
				if err != nil {
					t.Fatalf("Load: unexpected error:\n%v", err)
				}
				if tt.Check != nil {
					tt.Check(t, c)
				}
				return
			}
			if c != nil {
				t.Errorf("Load returned a Config along with an error")
			}
			if len(errs) != len(tt.Errs) {
				t.Errorf("got %d errors, want %d:\n%v", len(errs), len(tt.Errs), err)
			}
			for i, want := range tt.Errs {
				if i >= len(errs) {
					t.Errorf("missing error %q", want)
					continue
				}
				if got := errs[i].Error(); !strings.Contains(got, want) {
					t.Errorf("error %d:\n got %s\nwant %s", i, got, want)
				}
				var ce *Error
				if !errors.As(errs[i], &ce) {
					t.Errorf("error %d is %T, want *Error", i, errs[i])
				}
			}
		})
	}
}
