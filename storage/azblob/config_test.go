package azblob_test

import (
	"strings"
	"testing"

	"landingd/storage/azblob"
)

const (
	testKey = "c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXktc2VjcmV0LWtleQ=="
	testSAS = "sv=2026-06-06&sr=c&sp=rl&se=2026-12-31T00%3A00%3A00Z&sig=QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo%3D"
)

// TestConfigRefused checks configurations refused before any request:
// the error says why, and never quotes a secret.
func TestConfigRefused(t *testing.T) {
	base := azblob.Config{ServiceURL: "https://acct.blob.core.windows.net", Container: "brentwood", AccountName: "acct", AccountKey: testKey}
	tests := []struct {
		name string
		edit func(*azblob.Config)
		want string
	}{
		{"PlainHTTP", func(c *azblob.Config) { c.ServiceURL = "http://acct.blob.core.windows.net" }, "plain http sends credentials unencrypted"},
		{"QueryInURL", func(c *azblob.Config) { c.ServiceURL = "https://acct.blob.core.windows.net/?" + testSAS }, "must not carry credentials, a query or a fragment"},
		{"UserInURL", func(c *azblob.Config) { c.ServiceURL = "https://user:" + testKey + "@acct.blob.core.windows.net" }, "must not carry credentials, a query or a fragment"},
		{"FTP", func(c *azblob.Config) { c.ServiceURL = "ftp://acct.blob.core.windows.net" }, "not an absolute http(s) URL"},
		{"NoCredential", func(c *azblob.Config) { c.AccountName, c.AccountKey = "", "" }, "exactly one"},
		{"TwoCredentials", func(c *azblob.Config) { c.SASToken = testSAS }, "exactly one"},
		{"KeyWithoutName", func(c *azblob.Config) { c.AccountName = "" }, "needs an account name"},
		{"BadKey", func(c *azblob.Config) { c.AccountKey = "secret!not-base64" }, "not valid base64"},
		{"UpperContainer", func(c *azblob.Config) { c.Container = "Brentwood" }, "is not a container name"},
		{"ShortContainer", func(c *azblob.Config) { c.Container = "ab" }, "is not a container name"},
		{"DoubleHyphen", func(c *azblob.Config) { c.Container = "a--b" }, "is not a container name"},
		{"DotDotPrefix", func(c *azblob.Config) { c.Prefix = "a/../b" }, `".." element`},
		{"BackslashPrefix", func(c *azblob.Config) { c.Prefix = `a\b` }, "backslash"},
		{"ConnNoKey", func(c *azblob.Config) {
			c.AccountName, c.AccountKey, c.ServiceURL = "", "", ""
			c.ConnectionString = "AccountName=acct;EndpointSuffix=core.windows.net"
		}, "neither AccountKey nor SharedAccessSignature"},
		{"ConnHTTP", func(c *azblob.Config) {
			c.AccountName, c.AccountKey, c.ServiceURL = "", "", ""
			c.ConnectionString = "DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=" + testKey
		}, "plain http sends credentials unencrypted"},
		{"ConnDisagrees", func(c *azblob.Config) {
			c.AccountName, c.AccountKey = "", ""
			c.ConnectionString = "AccountName=other;AccountKey=" + testKey
		}, "differ"},
		{"ConnMalformed", func(c *azblob.Config) {
			c.AccountName, c.AccountKey, c.ServiceURL = "", "", ""
			c.ConnectionString = "AccountName=acct;secretvalue"
		}, `has no "="`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.edit(&cfg)
			_, err := azblob.OpenZone(t.Context(), cfg, nil)
			if err == nil {
				t.Fatal("OpenZone succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
			for _, s := range []string{testKey, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", "secret!", "secretvalue"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("err quotes a secret: %v", err)
				}
			}
			if _, err := azblob.OpenOutput(t.Context(), cfg, nil); err == nil {
				t.Error("OpenOutput succeeded")
			}
		})
	}
}

func TestConfigString(t *testing.T) {
	tests := []struct {
		cfg  azblob.Config
		want string
	}{
		{azblob.Config{AccountName: "acct", AccountKey: testKey, Container: "brentwood", Prefix: "/inbox/2025/"},
			"azblob://acct.blob.core.windows.net/brentwood/inbox/2025 (shared key)"},
		{azblob.Config{ServiceURL: "https://acct.blob.core.windows.net/", SASToken: "?" + testSAS, Container: "brentwood"},
			"azblob://acct.blob.core.windows.net/brentwood (SAS token)"},
		{azblob.Config{ConnectionString: "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + testKey + ";EndpointSuffix=core.windows.net", Container: "essex"},
			"azblob://acct.blob.core.windows.net/essex (shared key)"},
		{azblob.Config{ConnectionString: "BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=" + testSAS, Container: "essex"},
			"azblob://acct.blob.core.windows.net/essex (SAS token)"},
		{azblob.Config{ConnectionString: "UseDevelopmentStorage=true", Container: "essex", AllowHTTP: true},
			"azblob://127.0.0.1:10000/devstoreaccount1/essex (shared key)"},
		{azblob.Config{ServiceURL: "https://acct.blob.core.windows.net", DefaultCredential: true, Container: "essex", Prefix: "out"},
			"azblob://acct.blob.core.windows.net/essex/out (default credential)"},
	}
	for _, tc := range tests {
		if got := tc.cfg.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
	bad := azblob.Config{ServiceURL: "http://x/?" + testSAS, Container: "c1c", SASToken: testSAS}
	if s := bad.String(); strings.Contains(s, "sig") {
		t.Errorf("String() of an invalid config = %q, holds the SAS", s)
	}
}
