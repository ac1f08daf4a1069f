package config

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// pinned is a valid fingerprint for SFTP cases that need a host key check.
const pinned = "      host_key_fingerprint: SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n"

// sftpPath is sftpA (path on line 19) with its path written as p, and a
// pinned host key on line 21.
func sftpPath(p string) string {
	return header + strings.Replace(sftpA, "path: /upload", "path: "+p, 1) + pinned
}

// azPrefix is azA with auth on line 19 and the prefix written as p on
// line 20.
func azPrefix(p string) string {
	return header + azA + "      auth: {default_credential: true}\n      prefix: " + p + "\n"
}

// sftpAlgorithms is sftpPath("/upload") with host_key_algorithms on line
// 22 written as list.
func sftpAlgorithms(list string) string {
	return sftpPath("/upload") + "      host_key_algorithms: " + list + "\n"
}

var locationTests = []loadTest{{
	Name:  "SFTPPathDotDot",
	Input: sftpPath("/upload/../other"),
	Errs:  []string{`protocol.yaml:19: partners[0].landing.path: "/upload/../other" is not a clean path`},
}, {
	Name:  "SFTPPathDotDotAtEnd",
	Input: sftpPath("/upload/.."),
	Errs:  []string{`protocol.yaml:19: partners[0].landing.path: "/upload/.." is not a clean path`},
}, {
	Name:  "SFTPPathAboveRoot",
	Input: sftpPath("/.."),
	Errs:  []string{`protocol.yaml:19: partners[0].landing.path: "/.." is not a clean path`},
}, {
	Name:  "SFTPPathDot",
	Input: sftpPath("/upload/./x"),
	Errs:  []string{`protocol.yaml:19: partners[0].landing.path: "/upload/./x" is not a clean path`},
}, {
	Name:  "SFTPPathDoubleSlash",
	Input: sftpPath("/upload//x"),
	Errs:  []string{`protocol.yaml:19: partners[0].landing.path: "/upload//x" is not a clean path`},
}, {
	Name:  "SFTPPathUncleanWithTrailingSlash",
	Input: sftpPath("/upload/../x/"),
	Errs:  []string{`protocol.yaml:19: partners[0].landing.path: "/upload/../x/" is not a clean path`},
}, {
	Name:  "SFTPPathTrailingSlash",
	Input: sftpPath("/upload/x/"),
	Check: wantSFTPPath("/upload/x"),
}, {
	Name:  "SFTPPathTrailingSlashes",
	Input: sftpPath("/upload//"),
	Check: wantSFTPPath("/upload"),
}, {
	Name:  "SFTPPathRoot",
	Input: sftpPath("/"),
	Check: wantSFTPPath("/"),
}, {
	// Dots inside a name and backslashes are ordinary characters on the
	// server, and the sftp backend takes them.
	Name:  "SFTPPathOddButClean",
	Input: sftpPath(`"/upload/..x/a\\b"`),
	Check: wantSFTPPath(`/upload/..x/a\b`),
}, {
	// Written apart, both zones are /upload/b on the server: refused for
	// the spelling, once, not also as an overlap.
	Name: "SFTPZonesSeparateOnlyOnPaper",
	Input: header + `output: {kind: local, path: out}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: sftp, address: h, user: u, path: /upload/b, key_file: k, known_hosts: kh}}
  - {id: b, name: B, gss: E07000067, dpo_email: dpo@b.gov.uk, landing: {kind: sftp, address: h, user: u, path: /upload/a/../b, key_file: k, known_hosts: kh}}
`,
	Errs: []string{`protocol.yaml:12: partners[1].landing.path: "/upload/a/../b" is not a clean path`},
}, {
	Name:  "AzblobPrefixDotDot",
	Input: azPrefix("brentwood/../basildon"),
	Errs:  []string{`protocol.yaml:20: partners[0].landing.prefix: "brentwood/../basildon" is not a blob folder`},
}, {
	Name:  "AzblobPrefixOnlyDotDot",
	Input: azPrefix(".."),
	Errs:  []string{`protocol.yaml:20: partners[0].landing.prefix: ".." is not a blob folder`},
}, {
	Name:  "AzblobPrefixDot",
	Input: azPrefix("./brentwood"),
	Errs:  []string{`protocol.yaml:20: partners[0].landing.prefix: "./brentwood" is not a blob folder`},
}, {
	Name:  "AzblobPrefixEmptyPart",
	Input: azPrefix("districts//brentwood"),
	Errs:  []string{`protocol.yaml:20: partners[0].landing.prefix: "districts//brentwood" is not a blob folder`},
}, {
	Name:  "AzblobPrefixBackslash",
	Input: azPrefix(`"districts\\brentwood"`),
	Errs:  []string{`protocol.yaml:20: partners[0].landing.prefix: "districts\\brentwood" is not a blob folder`},
}, {
	Name:  "AzblobPrefixNUL",
	Input: azPrefix(`"brentwood\0"`),
	Errs:  []string{`protocol.yaml:20: partners[0].landing.prefix: "brentwood\x00" is not a blob folder`},
}, {
	Name:  "AzblobPrefixSlashes",
	Input: azPrefix("/districts/brentwood/"),
}, {
	Name:  "AzblobPrefixOddButValid",
	Input: azPrefix("districts/..brentwood/.../x."),
}, {
	Name: "AzblobOutputPrefixDotDot",
	Input: header + `output: {kind: azblob, service_url: "https://acct.blob.core.windows.net/", container: combined, prefix: out/../landing, auth: {default_credential: true}}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: local, path: in/a}}
`,
	Errs: []string{`protocol.yaml:9: output.prefix: "out/../landing" is not a blob folder`},
}, {
	Name:  "HostKeyAlgorithms",
	Input: sftpAlgorithms("[ecdsa-sha2-nistp256, ssh-ed25519, rsa-sha2-512]"),
	Check: func(t *testing.T, c *Config) {
		got := c.Partners[0].Landing.SFTP.HostKeyAlgorithms
		if want := []string{"ecdsa-sha2-nistp256", "ssh-ed25519", "rsa-sha2-512"}; !slices.Equal(got, want) {
			t.Errorf("HostKeyAlgorithms = %q, want %q", got, want)
		}
	},
}, {
	Name: "HostKeyAlgorithmsBad",
	Input: sftpPath("/upload") + `      host_key_algorithms:
        - ssh-ed25519
        - ed25519
        - ssh-rsa
        - ssh-ed25519
`,
	Errs: []string{
		`protocol.yaml:24: partners[0].landing.host_key_algorithms[1]: "ed25519" is not a host key algorithm (want one of `,
		`protocol.yaml:25: partners[0].landing.host_key_algorithms[2]: "ssh-rsa" is refused as insecure (for an RSA host key give rsa-sha2-512 or rsa-sha2-256)`,
		`protocol.yaml:26: partners[0].landing.host_key_algorithms[3]: "ssh-ed25519" is listed twice (first at host_key_algorithms[0])`,
	},
}, {
	Name:  "HostKeyAlgorithmsNotAList",
	Input: sftpAlgorithms("ssh-ed25519"),
	Errs:  []string{`protocol.yaml:22: partners[0].landing.host_key_algorithms: want a list, got text`},
}, {
	Name:  "HostKeyAlgorithmsOnLocal",
	Input: header + okBody + "  - {id: b, name: B, gss: E07000067, dpo_email: dpo@b.gov.uk, landing: {kind: local, path: in/b, host_key_algorithms: [ssh-ed25519]}}\n",
	Errs:  []string{`protocol.yaml:12: partners[1].landing.host_key_algorithms: does not apply to kind local`},
}}

// wantSFTPPath checks the first partner's SFTP path after Load.
func wantSFTPPath(want string) func(t *testing.T, c *Config) {
	return func(t *testing.T, c *Config) {
		t.Helper()
		l := c.Partners[0].Landing
		if l.SFTP.Path != want {
			t.Errorf("Path = %q, want %q", l.SFTP.Path, want)
		}
		if got, want := l.String(), "sftp://u@sftp.example.org:22"+(&url.URL{Path: want}).EscapedPath(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

func TestLoadLocations(t *testing.T) { runLoadTests(t, locationTests) }
