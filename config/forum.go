package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"landingd/storage"
)

// CheckForum checks that protocols meant to run in one service keep to
// their own lanes, and returns every problem at once (errors.Join), each
// an *Error naming the file and line of the setting that collides:
//
//   - every protocol has its own id;
//   - no landing zone, output or state folder of one protocol overlaps
//     any landing zone, output or state folder of another;
//   - no two protocols share a pseudonymisation key file (by path, or as
//     one file under two names), so pseudonyms cannot be linked across
//     agreements;
//   - every protocol listens where the first one does, since one HTTP
//     server serves them all.
//
// Each protocol is assumed valid on its own (Load checked it).
func CheckForum(cfgs []*Config) error {
	type place struct {
		cfg   *Config
		key   string
		scope storage.Scope
	}
	var errs []error
	add := func(c *Config, key, format string, args ...any) {
		errs = append(errs, &Error{File: c.Path, Line: c.positions().line(key), Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	places := func(c *Config) []place {
		var ps []place
		for i := range c.Partners {
			if s, ok := scopeOf(&c.Partners[i].Landing); ok {
				ps = append(ps, place{c, fmt.Sprintf("partners[%d].landing", i), s})
			}
		}
		if s, ok := scopeOf(&c.Output); ok {
			ps = append(ps, place{c, "output", s})
		}
		if c.State != "" {
			ps = append(ps, place{c, "state", storage.LocalScope(c.State)})
		}
		return ps
	}
	ids := map[string]*Config{}
	var earlier []place
	for i, c := range cfgs {
		if o, dup := ids[c.Protocol.ID]; dup {
			add(c, "protocol.id", "%q is also the id of %s: each protocol needs its own", c.Protocol.ID, o.Path)
		}
		ids[c.Protocol.ID] = c
		mine := places(c)
		for _, p := range mine {
			for _, o := range earlier {
				if p.scope.Overlaps(o.scope) {
					add(c, p.key, "overlaps %s of protocol %s (%s): protocols must not share storage", o.key, o.cfg.Protocol.ID, o.cfg.Path)
				}
			}
		}
		earlier = append(earlier, mine...)
		for _, o := range cfgs[:i] {
			if sameFile(c.Pseudonymise.KeyFile, o.Pseudonymise.KeyFile) {
				add(c, "pseudonymise.key_file", "is also the key of protocol %s (%s): pseudonyms would link across agreements; give each protocol its own key (landingd keygen)", o.Protocol.ID, o.Path)
			}
		}
		if i > 0 && c.HTTP.Listen != cfgs[0].HTTP.Listen {
			add(c, "http.listen", "%s differs from %s's %s: one service serves every protocol at the first protocol's address", c.HTTP.Listen, cfgs[0].Protocol.ID, cfgs[0].HTTP.Listen)
		}
	}
	return errors.Join(errs...)
}

// sameFile reports whether a and b name one file: the same clean absolute
// path, or, when both exist, the same file under two names (a link).
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}
