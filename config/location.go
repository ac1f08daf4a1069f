package config

import (
	"reflect"
	"slices"

	"gopkg.in/yaml.v3"

	"landingd/storage"
	"landingd/storage/azblob"
	"landingd/storage/local"
	"landingd/storage/sftp"
)

// Kinds of location, in the order messages list them.
const (
	KindLocal  = "local"
	KindSFTP   = "sftp"
	KindAzblob = "azblob"
)

// backendKinds maps each kind to its Settings type, for decoding and for
// naming the kind a misplaced key belongs to.
var backendKinds = []struct {
	kind string
	typ  reflect.Type
}{
	{KindLocal, reflect.TypeFor[local.Settings]()},
	{KindSFTP, reflect.TypeFor[sftp.Settings]()},
	{KindAzblob, reflect.TypeFor[azblob.Settings]()},
}

// Settings returns the backend settings of l's kind, or nil when the kind
// is not one landingd knows (validation reports that).
func (l *Location) Settings() storage.Settings {
	switch {
	case l.Kind == KindLocal && l.Local != nil:
		return l.Local
	case l.Kind == KindSFTP && l.SFTP != nil:
		return l.SFTP
	case l.Kind == KindAzblob && l.Azblob != nil:
		return l.Azblob
	}
	return nil
}

// String describes l without any secret: "local:/abs/path",
// "sftp://user@host:22/upload" or "azblob://host/account/container/prefix".
// It never includes a URL's query, user information or a credential.
func (l Location) String() string {
	if s := l.Settings(); s != nil {
		return s.String()
	}
	return l.Kind + ":"
}

// decodeLocation reads a location: its kind first, then every other key
// into the settings of that kind's backend. A key that belongs to another
// kind is reported as not applying to this one, like an unknown key: a
// key_file on a local zone is a sign the kind is wrong.
func (d *decoder) decodeLocation(n *yaml.Node, l *Location, key string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.addAt(n.Line, key, "want a mapping of settings, got %s", kindName(n))
		return
	}
	names, vals, lines := d.mapKeys(n, key)
	if i := slices.Index(names, "kind"); i >= 0 {
		k := join(key, "kind")
		d.pos[k] = lines[i]
		d.decode(vals[i], reflect.ValueOf(&l.Kind).Elem(), k)
	}
	var target reflect.Value
	switch l.Kind {
	case KindLocal:
		l.Local = &local.Settings{}
		target = reflect.ValueOf(l.Local).Elem()
	case KindSFTP:
		l.SFTP = &sftp.Settings{}
		target = reflect.ValueOf(l.SFTP).Elem()
	case KindAzblob:
		l.Azblob = &azblob.Settings{}
		target = reflect.ValueOf(l.Azblob).Elem()
	default:
		return // the kind is reported by validation; its keys mean nothing
	}
	fields := yamlFields(target.Type())
	for i, name := range names {
		if name == "kind" {
			continue
		}
		k := join(key, name)
		idx, ok := fields[name]
		if !ok {
			d.addAt(lines[i], k, "%s", d.misplaced(name, l.Kind, fields))
			continue
		}
		d.pos[k] = lines[i]
		d.decode(vals[i], target.Field(idx), k)
	}
}

// misplaced says why name is not a setting of kind: it belongs to other
// kinds, or it is unknown (with the closest setting of kind, if any).
func (d *decoder) misplaced(name, kind string, fields map[string]int) string {
	for _, b := range backendKinds {
		if b.kind != kind {
			if _, ok := yamlFields(b.typ)[name]; ok {
				return "does not apply to kind " + kind
			}
		}
	}
	msg := "unknown key"
	if s := suggest(name, fields); s != "" {
		msg += " (did you mean " + s + "?)"
	}
	return msg
}

// checkLocation reports the problems the backend finds in l's settings,
// each under its own key so that it carries its line.
func checkLocation(p *problems, key string, l *Location) {
	s := l.Settings()
	if s == nil {
		return
	}
	for _, e := range s.Check() {
		p.add(join(key, e.Key), "%s", e.Msg)
	}
}
