package config

import (
	"fmt"

	"landingd/storage"
)

// scopeOf returns l's scope, or false if l is too incomplete to say.
func scopeOf(l *Location) (storage.Scope, bool) {
	if s := l.Settings(); s != nil {
		return s.Scope()
	}
	return storage.Scope{}, false
}

func (c *Config) validateIsolation(p *problems) {
	type partnerZone struct {
		key, id string
		z       storage.Scope
	}
	var zones []partnerZone
	for i := range c.Partners {
		pt := &c.Partners[i]
		z, ok := scopeOf(&pt.Landing)
		if !ok {
			continue
		}
		key := fmt.Sprintf("partners[%d].landing", i)
		for _, o := range zones {
			if z.Overlaps(o.z) {
				p.add(key, "overlaps %s (%s): each partner needs a zone of its own", o.key, o.id)
			}
		}
		zones = append(zones, partnerZone{key, pt.ID, z})
	}
	out, outOK := scopeOf(&c.Output)
	if outOK {
		for _, o := range zones {
			if out.Overlaps(o.z) {
				p.add("output", "overlaps %s (%s): the combined data must stay out of every partner's zone", o.key, o.id)
			}
		}
	}
	if c.State != "" {
		st := storage.LocalScope(c.State)
		for _, o := range zones {
			if st.Overlaps(o.z) {
				p.add("state", "overlaps %s (%s): the state folder must stay out of every partner's zone", o.key, o.id)
			}
		}
		if outOK && st.Overlaps(out) {
			p.add("state", "overlaps the output: the state folder must stay out of the output")
		}
	}
	// A partner able to read the pseudonymisation key could reverse the
	// pseudonyms; able to read a token or password, act as the county.
	for _, s := range c.secretFiles() {
		f := storage.LocalScope(s.path)
		for _, o := range zones {
			if o.z.Kind == KindLocal && o.z.Contains(f.Path) {
				p.add(s.key, "is inside %s (%s): a partner could read it", o.key, o.id)
			}
		}
		if outOK && out.Kind == KindLocal && out.Contains(f.Path) {
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
		if st := l.Settings(); st != nil {
			for _, f := range st.SecretFiles() {
				add(join(key, f.Key), f.Path)
			}
		}
	}
	loc("output", &c.Output)
	for i := range c.Partners {
		loc(fmt.Sprintf("partners[%d].landing", i), &c.Partners[i].Landing)
	}
	return s
}
