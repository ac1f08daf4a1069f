package config

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
)

var containerRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9]|-[a-z0-9])*$`)

// String describes l without any secret: "local:/abs/path",
// "sftp://user@host:22/upload" or "azblob://host/account/container/prefix".
// It never includes a URL's query, user information or a credential.
func (l Location) String() string {
	switch l.Kind {
	case "local":
		return "local:" + l.Path
	case "sftp":
		u := url.URL{Scheme: "sftp", User: url.User(l.User), Host: normaliseSFTPAddress(l.Address), Path: l.Path}
		if l.User == "" {
			u.User = nil
		}
		return u.String()
	case "azblob":
		host := ""
		if u, err := url.Parse(l.ServiceURL); err == nil {
			host = u.Host + strings.TrimSuffix(u.EscapedPath(), "/")
		}
		s := "azblob://" + host + "/" + l.Container
		if l.Prefix != "" {
			s += "/" + strings.TrimPrefix(l.Prefix, "/")
		}
		return s
	}
	return l.Kind + ":"
}

// normaliseSFTPAddress lowercases the host and adds port 22 when none is
// given. An address it cannot read comes back unchanged.
func normaliseSFTPAddress(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		if strings.Contains(addr, ":") || addr == "" {
			return addr
		}
		host, port = addr, "22"
	}
	return net.JoinHostPort(strings.ToLower(host), port)
}

// checkLocation checks the settings of one landing zone or output whose
// kind is local, sftp or azblob.
func checkLocation(p *problems, key string, l *Location) {
	// Settings of another kind are errors, like unknown keys: a key_file
	// on a local zone is a sign the kind is wrong.
	for _, s := range l.setKeys() {
		if !appliesTo(s, l.Kind) {
			p.add(key+"."+s, "does not apply to kind %s", l.Kind)
		}
	}
	switch l.Kind {
	case "local":
		if l.Path == "" {
			p.add(key+".path", "required")
		}
	case "sftp":
		checkSFTP(p, key, l)
	case "azblob":
		checkAzblob(p, key, l)
	}
}

// setKeys lists the kind-specific settings of l that are not empty.
func (l *Location) setKeys() []string {
	var s []string
	add := func(name string, set bool) {
		if set {
			s = append(s, name)
		}
	}
	add("path", l.Path != "")
	add("address", l.Address != "")
	add("user", l.User != "")
	add("key_file", l.KeyFile != "")
	add("key_passphrase_env", l.KeyPassphraseEnv != "")
	add("key_passphrase_file", l.KeyPassphraseFile != "")
	add("password_env", l.PasswordEnv != "")
	add("password_file", l.PasswordFile != "")
	add("known_hosts", l.KnownHosts != "")
	add("host_key_fingerprint", l.HostKeyFingerprint != "")
	add("host_key_algorithms", len(l.HostKeyAlgorithms) > 0)
	add("service_url", l.ServiceURL != "")
	add("container", l.Container != "")
	add("prefix", l.Prefix != "")
	add("allow_http", l.AllowHTTP)
	add("auth", l.Auth != AzureAuth{})
	return s
}

func appliesTo(setting, kind string) bool {
	switch setting {
	case "path":
		return kind == "local" || kind == "sftp"
	case "service_url", "container", "prefix", "allow_http", "auth":
		return kind == "azblob"
	}
	return kind == "sftp"
}

func checkSFTP(p *problems, key string, l *Location) {
	if l.Address == "" {
		p.add(key+".address", "required")
	} else if host, port, err := net.SplitHostPort(normaliseSFTPAddress(l.Address)); err != nil || host == "" || !validPort(port) || port == "0" {
		p.add(key+".address", "%q is not host:port", l.Address)
	}
	if l.User == "" {
		p.add(key+".user", "required")
	}
	if l.Path == "" {
		p.add(key+".path", "required")
	} else if !path.IsAbs(l.Path) {
		p.add(key+".path", "%q is not an absolute path on the server (want a form like /upload)", l.Path)
	} else if !cleanSFTPPath(l.Path) {
		p.add(key+".path", "%q is not a clean path (no \".\" or \"..\" parts and no doubled slashes; want a form like /upload/brentwood)", l.Path)
	}
	envName(p, key+".password_env", l.PasswordEnv)
	envName(p, key+".key_passphrase_env", l.KeyPassphraseEnv)
	if l.PasswordEnv != "" && l.PasswordFile != "" {
		p.add(key, "set at most one of password_env and password_file")
	}
	if l.KeyPassphraseEnv != "" && l.KeyPassphraseFile != "" {
		p.add(key, "set at most one of key_passphrase_env and key_passphrase_file")
	}
	if (l.KeyPassphraseEnv != "" || l.KeyPassphraseFile != "") && l.KeyFile == "" {
		p.add(key, "a key passphrase is set but key_file is not")
	}
	if l.KeyFile == "" && l.PasswordEnv == "" && l.PasswordFile == "" {
		p.add(key, "set key_file, password_env or password_file to log in")
	}
	switch {
	case l.KnownHosts == "" && l.HostKeyFingerprint == "":
		p.add(key, "set known_hosts or host_key_fingerprint: the server's host key must be checked")
	case l.KnownHosts != "" && l.HostKeyFingerprint != "":
		p.add(key, "set only one of known_hosts and host_key_fingerprint")
	case l.HostKeyFingerprint != "" && !validFingerprint(l.HostKeyFingerprint):
		p.add(key+".host_key_fingerprint", "%q is not a host key fingerprint (want SHA256: and 43 base64 characters, as ssh-keygen -lf prints)", l.HostKeyFingerprint)
	}
	checkHostKeyAlgorithms(p, key+".host_key_algorithms", l.HostKeyAlgorithms)
}

// checkHostKeyAlgorithms checks that each name is a host key algorithm
// the SSH library implements and does not deem insecure, listed once.
func checkHostKeyAlgorithms(p *problems, key string, names []string) {
	supported := ssh.SupportedAlgorithms().HostKeys
	insecure := ssh.InsecureAlgorithms().HostKeys
	seen := map[string]int{}
	for i, name := range names {
		k := fmt.Sprintf("%s[%d]", key, i)
		if j, dup := seen[name]; dup {
			p.add(k, "%q is listed twice (first at %s[%d])", name, key, j)
			continue
		}
		seen[name] = i
		switch {
		case slices.Contains(supported, name):
		case slices.Contains(insecure, name):
			p.add(k, "%q is refused as insecure (for an RSA host key give rsa-sha2-512 or rsa-sha2-256)", name)
		default:
			p.add(k, "%q is not a host key algorithm (want one of %s)", name, strings.Join(supported, ", "))
		}
	}
}

// cleanSFTPPath reports whether p is absolute and clean, as the sftp
// backend requires of a zone's folder: path.Clean leaves it unchanged, so
// it has no "." or ".." part, no doubled slash and no trailing slash. The
// server resolves such parts itself, so a zone written "/upload/a/../b"
// is /upload/b, and checks that compare paths as written would be wrong.
func cleanSFTPPath(p string) bool {
	return path.IsAbs(p) && path.Clean(p) == p
}

// trimSFTPPath drops the trailing slashes of p when what is left is
// clean, so "/upload/" is read as "/upload"; any other spelling is left
// for validation to quote as written.
func trimSFTPPath(p string) string {
	if t := strings.TrimRight(p, "/"); t != "" && cleanSFTPPath(t) {
		return t
	}
	return p
}

// validPrefix reports whether the azblob backend accepts p as a blob name
// prefix: leading and trailing slashes are ignored, and what is left has
// no backslash, no NUL, and no empty, "." or ".." part. Such parts
// make a prefix that looks like one folder name blobs in another.
func validPrefix(p string) bool {
	p = strings.Trim(p, "/")
	if p == "" {
		return true
	}
	if strings.ContainsAny(p, "\\\x00") {
		return false
	}
	for el := range strings.SplitSeq(p, "/") {
		if el == "" || el == "." || el == ".." {
			return false
		}
	}
	return true
}

// validFingerprint reports whether f is "SHA256:" and the unpadded base64
// of a 32-byte digest, as ssh.FingerprintSHA256 and ssh-keygen print it.
func validFingerprint(f string) bool {
	b64, ok := strings.CutPrefix(f, "SHA256:")
	if !ok {
		return false
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "="))
	return err == nil && len(b) == 32
}

func checkAzblob(p *problems, key string, l *Location) {
	if l.ServiceURL == "" {
		p.add(key+".service_url", "required")
	} else if u, err := url.Parse(l.ServiceURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		// The URL is not quoted: a mistyped one may carry a SAS token.
		p.add(key+".service_url", "not an http(s) URL such as https://account.blob.core.windows.net/")
	} else if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		p.add(key+".service_url", "must not carry credentials or a query (name a SAS with auth.sas_env or auth.sas_file; the value is not shown)")
	} else if u.Scheme == "http" && !l.AllowHTTP {
		p.add(key+".service_url", "plain http sends credentials unencrypted; use https, or set allow_http: true for a local emulator")
	}
	if !validPrefix(l.Prefix) {
		p.add(key+".prefix", "%q is not a blob folder (no empty, \".\" or \"..\" parts, no backslash or NUL; want a form like districts/brentwood)", l.Prefix)
	}
	if l.Container == "" {
		p.add(key+".container", "required")
	} else if len(l.Container) < 3 || len(l.Container) > 63 || !containerRE.MatchString(l.Container) {
		p.add(key+".container", "%q is not a container name (want 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)", l.Container)
	}
	a := l.Auth
	ak := key + ".auth"
	envName(p, ak+".connection_string_env", a.ConnectionStringEnv)
	envName(p, ak+".account_key_env", a.AccountKeyEnv)
	envName(p, ak+".sas_env", a.SASEnv)
	var methods []string
	if a.ConnectionStringEnv != "" {
		methods = append(methods, "connection_string_env")
	}
	if a.AccountName != "" || a.AccountKeyEnv != "" || a.AccountKeyFile != "" {
		methods = append(methods, "account_name")
		switch {
		case a.AccountName == "":
			p.add(ak, "an account key needs account_name")
		case a.AccountKeyEnv == "" && a.AccountKeyFile == "":
			p.add(ak, "account_name needs account_key_env or account_key_file")
		case a.AccountKeyEnv != "" && a.AccountKeyFile != "":
			p.add(ak, "set only one of account_key_env and account_key_file")
		}
	}
	if a.SASEnv != "" {
		methods = append(methods, "sas_env")
	}
	if a.SASFile != "" {
		methods = append(methods, "sas_file")
	}
	if a.DefaultCredential {
		methods = append(methods, "default_credential")
	}
	switch len(methods) {
	case 0:
		p.add(ak, "required: set one of connection_string_env, account_name with account_key_env or account_key_file, sas_env, sas_file, or default_credential: true")
	case 1:
	default:
		p.add(ak, "set exactly one way to authenticate, not %s", strings.Join(methods, " and "))
	}
}
