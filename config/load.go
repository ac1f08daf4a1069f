package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"time"
)

// Defaults returns a Config holding the default of every setting that has
// one. Load starts from it and lays the file's values on top; partners
// start from their own defaults (disposition "move").
func Defaults() *Config {
	return &Config{
		MaxRowErrorRate: 0.05,
		Limits:          defaultLimits(),
		StableAfter:     Duration{60 * time.Second},
		Concurrency:     4,
		State:           "state",
		Protocol:        Protocol{OnReviewOverdue: ReviewWarn},
		Collection:      Collection{FirstQuarter: "2021Q2"},
		Schedule: Schedule{
			Cron:       "0 6 7 1,4,7,10 *",
			Timezone:   "Europe/London",
			RetryEvery: Duration{24 * time.Hour},
			Deadline:   Duration{42 * day},
		},
		ShutdownTimeout: Duration{30 * time.Second},
		HTTP:            HTTP{Listen: "127.0.0.1:8080"},
		Retention: Retention{
			Cases:          Duration{7 * year},
			ProcessedFiles: Duration{90 * day},
			RejectedFiles:  Duration{90 * day},
			Audit:          Duration{8 * year},
		},
		Breach: Breach{
			NotifyPartners: Duration{48 * time.Hour},
			ICO:            Duration{72 * time.Hour},
		},
	}
}

func partnerDefaults() Partner {
	return Partner{Disposition: "move", DateOrder: DateOrderDMY}
}

// Load reads the protocol file at path, lays it over Defaults, makes every
// relative path absolute against the file's folder, reads the field list
// into SchemaData, and validates the result. It returns a nil Config and
// every problem found, joined with errors.Join (each an *Error naming file
// and line), if the file cannot be read, is not valid YAML, has an unknown
// key or a value of the wrong type, fails Validate, or its schema file
// cannot be read.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load protocol: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("load protocol %s: %w", path, err)
	}
	dir := filepath.Dir(abs)
	return load(data, path, dir, func(schema string) (string, []byte, error) {
		if !filepath.IsAbs(schema) {
			schema = filepath.Join(dir, schema)
		}
		b, err := os.ReadFile(schema)
		return schema, b, err
	})
}

// LoadFS is Load for a protocol file inside fsys, such as the default
// protocol embedded in the binary. Path becomes "embedded:"+name and Dir
// is "". The schema is read from fsys, relative to name's folder, and
// Schema becomes "embedded:" followed by its path in fsys. Every other
// relative path (state, output, key file, landing paths, secret files)
// resolves against the current working directory, since an embedded file
// has no folder on disk. It returns the same errors as Load.
func LoadFS(fsys fs.FS, name string) (*Config, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("load protocol: embedded %w", err)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("load protocol embedded:%s: %w", name, err)
	}
	c, err := load(data, "embedded:"+name, wd, func(schema string) (string, []byte, error) {
		p := path.Join(path.Dir(name), filepath.ToSlash(schema))
		if path.IsAbs(schema) || !fs.ValidPath(p) {
			return "embedded:" + schema, nil, fmt.Errorf("open %s: %w", schema, fs.ErrInvalid)
		}
		b, err := fs.ReadFile(fsys, p)
		return "embedded:" + p, b, err
	})
	if c != nil {
		c.Dir = ""
	}
	return c, err
}

// load does the work of Load and LoadFS. readSchema gets the schema
// setting as written and returns the name to keep in Schema and the
// bytes.
func load(data []byte, file, dir string, readSchema func(string) (string, []byte, error)) (*Config, error) {
	p := &problems{file: file, pos: positions{}}
	d := &decoder{problems: p, budget: nodeBudget}
	root, ok := d.parseYAML(data)
	if !ok {
		return nil, errors.Join(p.errs...)
	}
	p.pos[""] = root.Line
	c := Defaults()
	d.decode(root, reflect.ValueOf(c).Elem(), "")
	// Validation goes on after decoding problems, so that one run lists
	// everything; a setting that could not be decoded is left out of it.
	decodeErrs := len(p.errs)
	sum := sha256.Sum256(data)
	c.Path, c.Dir, c.Hash, c.src = file, dir, hex.EncodeToString(sum[:]), &source{pos: p.pos}
	c.normalise()

	c.resolvePaths(dir)
	if c.Schema != "" {
		name, b, err := readSchema(c.Schema)
		c.Schema = name
		if err != nil {
			p.errs = append(p.errs, &Error{File: file, Line: p.pos.line("schema"), Key: "schema", Msg: "read " + name + ": " + errText(err), Err: err})
		} else {
			sum := sha256.Sum256(b)
			c.SchemaData, c.SchemaHash = b, hex.EncodeToString(sum[:])
		}
	}
	c.validate(p)
	if decodeErrs > 0 {
		p.dropUnder(decodeErrs)
	}
	if len(p.errs) > 0 {
		return nil, p.join()
	}
	return c, nil
}

// errText is err's message without a leading "open <path>: ", which the
// caller already names.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// normalise rewrites accepted spellings to their canonical form.
func (c *Config) normalise() {
	for i := range c.Partners {
		p := &c.Partners[i]
		if enc, ok := normaliseEncoding(p.Encoding); ok {
			p.Encoding = enc
		}
		if s := p.Landing.Settings(); s != nil {
			s.Normalise()
		}
	}
}

// resolvePaths makes every local path but the schema's absolute against
// dir. The schema is left to load's readSchema, as LoadFS reads it from
// its file system.
func (c *Config) resolvePaths(dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	abs(&c.Pseudonymise.KeyFile)
	abs(&c.State)
	abs(&c.HTTP.TokenFile)
	abs(&c.Alerts.WebhookURLFile)
	loc := func(l *Location) {
		if s := l.Settings(); s != nil {
			s.ResolvePaths(dir)
		}
	}
	loc(&c.Output)
	for i := range c.Partners {
		loc(&c.Partners[i].Landing)
	}
}
