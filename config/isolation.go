package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// zone is the part of some storage a Location reaches: a folder tree on
// this machine, a folder tree on one SFTP server, or the blobs under a
// prefix in one Azure container.
type zone struct {
	kind  string
	where string // "" (local), host:port (sftp), account URL|container (azblob)
	path  string // cleaned folder, or blob name prefix
}

// zoneOf returns l's zone, or false if l is too incomplete to say.
func zoneOf(l *Location) (zone, bool) {
	switch l.Kind {
	case "local":
		if l.Path == "" {
			return zone{}, false
		}
		return localZone(l.Path), true
	case "sftp":
		// A path that is not clean is refused on its own; comparing it
		// cleaned would only add a second message about the same line.
		if l.Address == "" || !cleanSFTPPath(l.Path) {
			return zone{}, false
		}
		return zone{kind: "sftp", where: normaliseSFTPAddress(l.Address), path: l.Path}, true
	case "azblob":
		u, err := url.Parse(l.ServiceURL)
		if err != nil || u.Host == "" || l.Container == "" || !validPrefix(l.Prefix) {
			return zone{}, false
		}
		return zone{kind: "azblob", where: normaliseServiceURL(u) + "|" + l.Container, path: blobPrefix(l.Prefix)}, true
	}
	return zone{}, false
}

// blobPrefix spells a prefix as the azblob backend uses it: no leading or
// trailing slashes, then one trailing slash ("" for the whole container),
// so "/brentwood" and "brentwood/" are recognised as one zone.
func blobPrefix(p string) string {
	if p = strings.Trim(p, "/"); p != "" {
		p += "/"
	}
	return p
}

func localZone(p string) zone {
	abs, err := filepath.Abs(p)
	if err != nil {
		abs = filepath.Clean(p)
	}
	return zone{kind: "local", path: abs}
}

// normaliseServiceURL lowercases scheme and host, drops a default port and
// a trailing slash, so that two spellings of one account compare equal.
func normaliseServiceURL(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return host + strings.TrimRight(u.EscapedPath(), "/")
}

// overlaps reports whether a and b share any file or blob.
func (a zone) overlaps(b zone) bool {
	if a.kind != b.kind || a.where != b.where {
		return false
	}
	if a.kind == "azblob" {
		// Prefixes are normalised to end in "/", so this compares whole
		// path segments: "bas/" and "basildon/" do not overlap.
		return strings.HasPrefix(a.path, b.path) || strings.HasPrefix(b.path, a.path)
	}
	sep := "/"
	if a.kind == "local" {
		sep = string(filepath.Separator)
	}
	return within(a.path, b.path, sep) || within(b.path, a.path, sep)
}

// within reports whether child is parent or inside it.
func within(parent, child, sep string) bool {
	return child == parent || strings.HasPrefix(child, strings.TrimSuffix(parent, sep)+sep)
}

func (c *Config) validateIsolation(p *problems) {
	type partnerZone struct {
		key, id string
		z       zone
	}
	var zones []partnerZone
	for i := range c.Partners {
		pt := &c.Partners[i]
		z, ok := zoneOf(&pt.Landing)
		if !ok {
			continue
		}
		key := fmt.Sprintf("partners[%d].landing", i)
		for _, o := range zones {
			if z.overlaps(o.z) {
				p.add(key, "overlaps %s (%s): each partner needs a zone of its own", o.key, o.id)
			}
		}
		zones = append(zones, partnerZone{key, pt.ID, z})
	}
	out, outOK := zoneOf(&c.Output)
	if outOK {
		for _, o := range zones {
			if out.overlaps(o.z) {
				p.add("output", "overlaps %s (%s): the combined data must stay out of every partner's zone", o.key, o.id)
			}
		}
	}
	if c.State != "" {
		st := localZone(c.State)
		for _, o := range zones {
			if st.overlaps(o.z) {
				p.add("state", "overlaps %s (%s): the state folder must stay out of every partner's zone", o.key, o.id)
			}
		}
		if outOK && st.overlaps(out) {
			p.add("state", "overlaps the output: the state folder must stay out of the output")
		}
	}
	// A partner able to read the pseudonymisation key could reverse the
	// pseudonyms; able to read a token or password, act as the county.
	for _, s := range c.secretFiles() {
		f := localZone(s.path)
		for _, o := range zones {
			if o.z.kind == "local" && within(o.z.path, f.path, string(filepath.Separator)) {
				p.add(s.key, "is inside %s (%s): a partner could read it", o.key, o.id)
			}
		}
		if outOK && out.kind == "local" && within(out.path, f.path, string(filepath.Separator)) {
			p.add(s.key, "is inside the output: analysts could read it")
		}
	}
}

type secretFile struct{ key, path string }

// secretFiles lists every local file that holds a secret.
func (c *Config) secretFiles() []secretFile {
	var s []secretFile
	add := func(key, p string) {
		if p != "" {
			s = append(s, secretFile{key, p})
		}
	}
	add("pseudonymise.key_file", c.Pseudonymise.KeyFile)
	add("http.token_file", c.HTTP.TokenFile)
	add("alerts.webhook_url_file", c.Alerts.WebhookURLFile)
	loc := func(key string, l *Location) {
		add(key+".key_file", l.KeyFile)
		add(key+".key_passphrase_file", l.KeyPassphraseFile)
		add(key+".password_file", l.PasswordFile)
		add(key+".auth.account_key_file", l.Auth.AccountKeyFile)
		add(key+".auth.sas_file", l.Auth.SASFile)
	}
	loc("output", &c.Output)
	for i := range c.Partners {
		loc(fmt.Sprintf("partners[%d].landing", i), &c.Partners[i].Landing)
	}
	return s
}
