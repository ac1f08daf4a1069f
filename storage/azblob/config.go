package azblob

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Config says where a zone or output lives and how to authenticate. It
// takes exactly one credential: ConnectionString, or AccountName with
// AccountKey, or SASToken, or DefaultCredential. Secrets are passed in as
// values (the caller reads them from the environment or files); they never
// appear in String, in errors or in logs.
type Config struct {
	// ServiceURL is the blob service endpoint, for example
	// "https://essexhclic.blob.core.windows.net" or, for the emulator,
	// "http://127.0.0.1:10000/devstoreaccount1". It must carry no query
	// string or user info. With a ConnectionString it may be left empty;
	// if given it must name the same endpoint as the connection string.
	// With AccountName and no ServiceURL it defaults to
	// "https://<AccountName>.blob.core.windows.net".
	ServiceURL string

	// Container is the container's name (3–63 lowercase letters, digits
	// and single hyphens).
	Container string

	// Prefix is the folder inside the container ("" for the whole
	// container), for example "brentwood" or "districts/brentwood/".
	Prefix string

	// AllowHTTP permits a plain http:// endpoint (the emulator). Without it
	// only https is accepted, so credentials never cross the network in
	// clear.
	AllowHTTP bool

	// ConnectionString is an Azure Storage connection string with
	// AccountKey or SharedAccessSignature, and BlobEndpoint or AccountName
	// (plus DefaultEndpointsProtocol and EndpointSuffix). Secret.
	ConnectionString string

	// AccountName and AccountKey give shared-key access. The key is
	// secret.
	AccountName string
	AccountKey  string

	// SASToken is a shared access signature for the container (the query
	// string, with or without the leading "?"). Secret.
	SASToken string

	// DefaultCredential uses azidentity's DefaultAzureCredential
	// (environment, workload identity, managed identity, Azure CLI).
	DefaultCredential bool

	// MaxRetries is how often the SDK retries one failed request before
	// the error reaches the caller: 0 means the SDK's default (3), a
	// negative value none.
	MaxRetries int

	// TryTimeout bounds each single HTTP request: 0 means 5 minutes.
	TryTimeout time.Duration

	// ReadRetries is how often Open and Get resume a read whose
	// connection dropped (from where it stopped, and only if the blob is
	// unchanged): 0 means 3, a negative value none, so that a drop fails
	// the read at once.
	ReadRetries int

	// TempDir is where Put spools data to compute its MD5 before upload:
	// "" means os.TempDir().
	TempDir string
}

// endpoint is a Config resolved: where to connect and with what.
type endpoint struct {
	service   *url.URL // no query, no trailing slash
	container string
	prefix    string // "" or ending in "/"
	kind      credKind
	account   string
	key       string
	sas       string // without "?"
}

type credKind int

const (
	credNone credKind = iota
	credSharedKey
	credSAS
	credDefault
)

var containerName = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`)

// resolve checks c and works out the endpoint and credential. It reports
// every problem at once and never quotes a secret.
func (c Config) resolve() (*endpoint, error) {
	var errs []error
	e := &endpoint{container: c.Container}

	if err := checkContainer(c.Container); err != nil {
		errs = append(errs, fmt.Errorf("container: %w", err))
	}
	prefix, err := cleanPrefix(c.Prefix)
	if err != nil {
		errs = append(errs, fmt.Errorf("prefix: %w", err))
	}
	e.prefix = prefix

	n := 0
	for _, set := range []bool{c.ConnectionString != "", c.AccountName != "" || c.AccountKey != "", c.SASToken != "", c.DefaultCredential} {
		if set {
			n++
		}
	}
	if n != 1 {
		errs = append(errs, fmt.Errorf("credential: give exactly one of a connection string, an account name and key, a SAS token or the default credential (got %d)", n))
	}

	service := c.ServiceURL
	switch {
	case c.ConnectionString != "":
		cs, err := parseConnectionString(c.ConnectionString)
		if err != nil {
			errs = append(errs, err)
			break
		}
		e.kind, e.account, e.key, e.sas = cs.kind, cs.account, cs.key, cs.sas
		if service != "" && !sameEndpoint(service, cs.endpoint) {
			errs = append(errs, fmt.Errorf("service URL %s and the connection string's blob endpoint %s differ", redactURL(service), redactURL(cs.endpoint)))
		}
		service = cs.endpoint
	case c.AccountName != "" || c.AccountKey != "":
		if c.AccountName == "" || c.AccountKey == "" {
			errs = append(errs, errors.New("credential: an account key needs an account name and the other way round"))
		}
		e.kind, e.account, e.key = credSharedKey, c.AccountName, c.AccountKey
		if service == "" && c.AccountName != "" {
			service = "https://" + c.AccountName + ".blob.core.windows.net"
		}
	case c.SASToken != "":
		e.kind, e.sas = credSAS, strings.TrimPrefix(c.SASToken, "?")
	case c.DefaultCredential:
		e.kind = credDefault
	}

	if service == "" {
		if c.ConnectionString == "" {
			errs = append(errs, errors.New("service URL: missing"))
		}
	} else if u, err := checkServiceURL(service, c.AllowHTTP); err != nil {
		errs = append(errs, fmt.Errorf("service URL %s: %w", redactURL(service), err))
	} else {
		e.service = u
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return e, nil
}

// checkServiceURL parses a service endpoint and refuses what would leak or
// mislead: a query string (put a SAS in SASToken), user info, plain http
// without allowHTTP. Its errors never quote the URL: a mistyped one may
// carry a SAS token.
func checkServiceURL(s string, allowHTTP bool) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, errors.New("not an absolute http(s) URL such as https://account.blob.core.windows.net/")
	}
	switch {
	case u.RawQuery != "" || u.ForceQuery || u.User != nil || u.Fragment != "":
		return nil, errors.New("must not carry credentials, a query or a fragment (name a SAS with auth.sas_env or auth.sas_file; the value is not shown)")
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	case u.Scheme == "http":
		return nil, errors.New("plain http sends credentials unencrypted; use https, or set allow_http: true for a local emulator")
	default:
		return nil, errors.New("not an absolute http(s) URL such as https://account.blob.core.windows.net/")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// cleanPrefix returns p as "" or "a/b/": leading and trailing slashes are
// ignored, and what is left must have no backslash, no NUL, and no empty,
// "." or ".." element. Such parts make a prefix that looks like one folder
// name blobs in another.
func cleanPrefix(p string) (string, error) {
	p = strings.Trim(p, "/")
	if p == "" {
		return "", nil
	}
	if strings.ContainsAny(p, "\\\x00") {
		return "", fmt.Errorf("%q is not a blob folder: it has a backslash or NUL", p)
	}
	for _, el := range strings.Split(p, "/") {
		if el == "" || el == "." || el == ".." {
			return "", fmt.Errorf("%q is not a blob folder: it has an empty, \".\" or \"..\" element", p)
		}
	}
	return p + "/", nil
}

func sameEndpoint(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	if errA != nil || errB != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) &&
		strings.TrimRight(ua.Path, "/") == strings.TrimRight(ub.Path, "/")
}

// redactURL returns s without its query string, fragment or user info.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.IndexAny(s, "?#"); i >= 0 {
			s = s[:i]
		}
		if i := strings.LastIndex(s, "@"); i >= 0 {
			s = s[i+1:]
		}
		return fmt.Sprintf("%q", s)
	}
	u.RawQuery, u.Fragment, u.User, u.ForceQuery = "", "", nil, false
	return u.String()
}

type connString struct {
	endpoint string
	kind     credKind
	account  string
	key      string
	sas      string
}

// devEndpoint is the emulator's default blob endpoint, used for
// "UseDevelopmentStorage=true".
const devEndpoint = "http://127.0.0.1:10000/devstoreaccount1"

// devAccountKey is the emulator's public, well-known account key.
const devAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

// parseConnectionString reads the parts of an Azure Storage connection
// string that matter for blobs. Its errors name keys, never values.
func parseConnectionString(s string) (connString, error) {
	kv := map[string]string{}
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return connString{}, errors.New("connection string: a part has no \"=\"")
		}
		kv[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	var cs connString
	if strings.EqualFold(kv["usedevelopmentstorage"], "true") {
		cs.account, cs.key, cs.kind = "devstoreaccount1", devAccountKey, credSharedKey
		cs.endpoint = devEndpoint
		if p := kv["developmentstorageproxyuri"]; p != "" {
			cs.endpoint = strings.TrimRight(p, "/") + "/devstoreaccount1"
		}
		return cs, nil
	}
	cs.account = kv["accountname"]
	switch {
	case kv["accountkey"] != "" && kv["sharedaccesssignature"] != "":
		return cs, errors.New("connection string: has both AccountKey and SharedAccessSignature")
	case kv["accountkey"] != "":
		if cs.account == "" {
			return cs, errors.New("connection string: AccountKey without AccountName")
		}
		cs.kind, cs.key = credSharedKey, kv["accountkey"]
	case kv["sharedaccesssignature"] != "":
		cs.kind, cs.sas = credSAS, strings.TrimPrefix(kv["sharedaccesssignature"], "?")
	default:
		return cs, errors.New("connection string: has neither AccountKey nor SharedAccessSignature")
	}
	switch {
	case kv["blobendpoint"] != "":
		cs.endpoint = kv["blobendpoint"]
	case cs.account != "":
		proto := kv["defaultendpointsprotocol"]
		if proto == "" {
			proto = "https"
		}
		suffix := kv["endpointsuffix"]
		if suffix == "" {
			suffix = "core.windows.net"
		}
		cs.endpoint = proto + "://" + cs.account + ".blob." + suffix
	default:
		return cs, errors.New("connection string: has neither BlobEndpoint nor AccountName")
	}
	return cs, nil
}

// String describes the configuration without any secret, for example
// "azblob://127.0.0.1:10000/devstoreaccount1/brentwood/2025 (shared key)".
func (c Config) String() string {
	e, err := c.resolve()
	if err != nil {
		return "azblob://(invalid configuration)/" + c.Container
	}
	return e.String() + " (" + e.kind.String() + ")"
}

func (k credKind) String() string {
	switch k {
	case credSharedKey:
		return "shared key"
	case credSAS:
		return "SAS token"
	case credDefault:
		return "default credential"
	}
	return "no credential"
}

// String names the zone or output: azblob://host/path/container/prefix.
func (e *endpoint) String() string {
	s := "azblob://" + e.service.Host + e.service.Path + "/" + e.container
	if e.prefix != "" {
		s += "/" + strings.TrimSuffix(e.prefix, "/")
	}
	return s
}

// containerURL is the container's URL without any credential.
func (e *endpoint) containerURL() string {
	u := *e.service
	u.Path = u.Path + "/" + e.container
	return u.String()
}
