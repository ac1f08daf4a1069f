package transform

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field types a schema may use.
const (
	TypeString  = "string"
	TypeDate    = "date"
	TypeInteger = "integer"
	TypeBoolean = "boolean"
)

type jsonSchema struct {
	Name          string      `json:"name"`
	Title         string      `json:"title"`
	Version       string      `json:"version"`
	Fields        []jsonField `json:"fields"`
	PrimaryKey    []string    `json:"primaryKey"`
	MissingValues *[]string   `json:"missingValues"`
}

type jsonField struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Type        string `json:"type"`
	Constraints struct {
		Required  bool `json:"required"`
		Minimum   *int `json:"minimum"`
		Maximum   *int `json:"maximum"`
		MinLength *int `json:"minLength"`
		MaxLength *int `json:"maxLength"`
	} `json:"constraints"`
	Categories    []jsonCode `json:"categories"`
	HeaderAliases []string   `json:"landingd:headerAliases"`
	HCLIC         *jsonHCLIC `json:"landingd:hclic"`
}

type jsonHCLIC struct {
	Question string `json:"question"`
	Element  string `json:"element"`
	Inferred bool   `json:"inferred"`
}

type jsonCode struct {
	Value   string   `json:"value"`
	Label   string   `json:"label"`
	Aliases []string `json:"landingd:aliases"`
}

// LoadSchema parses a field list written as a Frictionless Table Schema
// (JSON) with the project's extensions: "categories" of {value, label,
// "landingd:aliases"} for coded fields, "landingd:headerAliases" for
// other header spellings, and "landingd:hclic" for the H-CLIC item a field
// carries ({"question": "1.15", "element": "REASONLOSS", "inferred":
// false}; several questions are joined by "/"). It is strict: it reports every problem at once
// (joined) for malformed JSON, a field without a name, an unknown type,
// duplicate field names, header spellings or question numbers, a question
// number not shaped like 1.15, codes on a field that is not
// a string, two codes that fold to the same text, bad ranges, a primary
// key naming an unknown field, and a missingValues other than [""].
func LoadSchema(data []byte) (*Schema, error) {
	var js jsonSchema
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&js); err != nil {
		return nil, fmt.Errorf("load schema: %w", err)
	}
	if dec.More() {
		return nil, errors.New("load schema: trailing data after the JSON object")
	}
	sum := sha256.Sum256(data)
	s := &Schema{
		Name:       js.Name,
		Title:      js.Title,
		Version:    js.Version,
		Hash:       hex.EncodeToString(sum[:]),
		PrimaryKey: js.PrimaryKey,
		idx:        &schemaIndex{byName: map[string]int{}, byHeader: map[string]int{}, byQuestion: map[string]int{}},
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if js.Name == "" {
		bad("schema has no name")
	}
	if len(js.Fields) == 0 {
		bad("schema has no fields")
	}
	if js.MissingValues != nil && (len(*js.MissingValues) != 1 || (*js.MissingValues)[0] != "") {
		bad(`schema missingValues must be [""]`)
	}
	for i, jf := range js.Fields {
		f := Field{
			Name:          jf.Name,
			Title:         jf.Title,
			Description:   jf.Description,
			Type:          jf.Type,
			Required:      jf.Constraints.Required,
			Minimum:       jf.Constraints.Minimum,
			Maximum:       jf.Constraints.Maximum,
			HeaderAliases: jf.HeaderAliases,
		}
		if jf.Constraints.MinLength != nil {
			f.MinLength = *jf.Constraints.MinLength
		}
		if jf.Constraints.MaxLength != nil {
			f.MaxLength = *jf.Constraints.MaxLength
		}
		name := f.Name
		if name == "" {
			bad("field %d has no name", i+1)
			name = fmt.Sprintf("#%d", i+1)
		}
		switch f.Type {
		case TypeString, TypeDate, TypeInteger, TypeBoolean:
		default:
			bad("field %s: unknown type %q", name, f.Type)
		}
		if f.Minimum != nil && f.Maximum != nil && *f.Minimum > *f.Maximum {
			bad("field %s: minimum above maximum", name)
		}
		if (f.Minimum != nil || f.Maximum != nil) && f.Type != TypeInteger {
			bad("field %s: minimum and maximum apply only to integers", name)
		}
		if f.MinLength < 0 || f.MaxLength < 0 || (f.MaxLength > 0 && f.MinLength > f.MaxLength) {
			bad("field %s: bad minLength or maxLength", name)
		}
		if _, dup := s.idx.byName[f.Name]; dup && f.Name != "" {
			bad("field %s: defined twice", name)
		} else if f.Name != "" {
			s.idx.byName[f.Name] = i
		}
		spellings := append([]string{f.Name, f.Title}, f.HeaderAliases...)
		if jh := jf.HCLIC; jh != nil {
			f.HCLIC = &HCLICItem{Element: jh.Element, Inferred: jh.Inferred}
			if jh.Element != "" {
				spellings = append(spellings, jh.Element)
			}
			for _, q := range strings.Split(jh.Question, "/") {
				if n, ok := questionNumber(q); !ok || n != len(q) {
					bad("field %s: H-CLIC question %q is not a number such as 1.15", name, q)
					continue
				}
				if j, ok := s.idx.byQuestion[q]; ok {
					bad("field %s: H-CLIC question %s is also field %s", name, q, js.Fields[j].Name)
					continue
				}
				s.idx.byQuestion[q] = i
				f.HCLIC.Questions = append(f.HCLIC.Questions, q)
			}
		}
		for _, h := range spellings {
			k := foldHeader(h)
			if k == "" {
				continue
			}
			if j, ok := s.idx.byHeader[k]; ok && j != i {
				bad("field %s: header spelling %q also names field %s", name, h, js.Fields[j].Name)
				continue
			}
			s.idx.byHeader[k] = i
		}
		if jf.Categories != nil {
			if f.Type != TypeString {
				bad("field %s: categories need type string", name)
			}
			if len(jf.Categories) == 0 {
				bad("field %s: empty categories", name)
			}
			f.idx = &fieldIndex{byFolded: map[string]string{}, labels: map[string]string{}}
			for _, jc := range jf.Categories {
				if jc.Value == "" || strings.TrimSpace(jc.Value) != jc.Value {
					bad("field %s: a code has an empty or padded value", name)
					continue
				}
				if _, dup := f.idx.labels[jc.Value]; dup {
					bad("field %s: code %q defined twice", name, jc.Value)
					continue
				}
				f.Codes = append(f.Codes, Code(jc))
				f.idx.labels[jc.Value] = jc.Label
				for _, v := range append([]string{jc.Value, jc.Label}, jc.Aliases...) {
					k := FoldCode(v)
					if k == "" {
						continue
					}
					if other, ok := f.idx.byFolded[k]; ok && other != jc.Value {
						bad("field %s: %q of code %s folds to the same text as code %s", name, v, jc.Value, other)
						continue
					}
					f.idx.byFolded[k] = jc.Value
				}
			}
			f.idx.exact = newCodeTable(f.spellings())
		}
		s.Fields = append(s.Fields, f)
	}
	for _, k := range js.PrimaryKey {
		if _, ok := s.idx.byName[k]; !ok {
			bad("primaryKey names unknown field %q", k)
		}
	}
	for _, k := range []string{"la_code", "case_ref", "quarter_end_date"} {
		i, ok := s.idx.byName[k]
		if !ok {
			bad("schema lacks the field %s that landingd needs", k)
			continue
		}
		if !s.Fields[i].Required {
			bad("field %s must be required", k)
		}
	}
	if i, ok := s.idx.byName["quarter_end_date"]; ok && s.Fields[i].Type != TypeDate {
		bad("field quarter_end_date must be a date")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("load schema: %w", errors.Join(errs...))
	}
	return s, nil
}

// FoldCode folds a coded value for matching: lowercase, en and em dashes
// become hyphens, and all white space is deleted.
func FoldCode(v string) string {
	if foldedASCII(v) {
		return v
	}
	return string(appendFoldCode(make([]byte, 0, len(v)), v))
}

// appendFoldCode appends FoldCode(v) to dst, so that a caller that only
// looks the folded value up can fold into a buffer it reuses.
func appendFoldCode(dst []byte, v string) []byte {
	if foldedASCII(v) {
		return append(dst, v...)
	}
	for _, r := range v {
		switch {
		case unicode.IsSpace(r):
			continue
		case r == '\u2013' || r == '\u2014':
			dst = append(dst, '-')
		default:
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
	}
	return dst
}

// foldedASCII reports whether v is ASCII that FoldCode leaves unchanged.
func foldedASCII(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x80 || ('A' <= c && c <= 'Z') || c == ' ' || ('\t' <= c && c <= '\r') {
			return false
		}
	}
	return true
}

// foldHeader folds a header cell for matching: lowercase, and white
// space, underscores, hyphens and dashes deleted.
func foldHeader(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for _, r := range v {
		switch {
		case unicode.IsSpace(r), r == '_', r == '-', r == '\u2013', r == '\u2014', r == '\ufeff':
			continue
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Index returns the position of the named field in Fields, or -1 when the
// schema has no such field. It works on a Schema built by hand as well as
// on one from LoadSchema.
func (s *Schema) Index(name string) int {
	if s == nil {
		return -1
	}
	if s.idx == nil {
		return slices.IndexFunc(s.Fields, func(f Field) bool { return f.Name == name })
	}
	if i, ok := s.idx.byName[name]; ok {
		return i
	}
	return -1
}

// Field returns the named field, or nil when the schema has no such field.
func (s *Schema) Field(name string) *Field {
	i := s.Index(name)
	if i < 0 {
		return nil
	}
	return &s.Fields[i]
}

// Required returns the names of the required fields in schema order.
func (s *Schema) Required() []string {
	var out []string
	for _, f := range s.Fields {
		if f.Required {
			out = append(out, f.Name)
		}
	}
	return out
}

// Coded reports whether the field has a closed code list.
func (f *Field) Coded() bool { return f.idx != nil }

// Label returns the published label of a canonical code, or "" when the
// field has no such code.
func (f *Field) Label(code string) string {
	if f.idx == nil {
		return ""
	}
	return f.idx.labels[code]
}

// Lookup matches a cell against the field's codes after folding (see
// FoldCode): the code's value, its label, its aliases, and then extra, a
// partner's own {their value: canonical code} aliases. It returns the
// canonical code, or ok false when nothing matches (never a guess). An
// extra alias that points at a code the field lacks does not match.
func (f *Field) Lookup(value string, extra map[string]string) (code string, ok bool) {
	var buf [64]byte
	return f.match(appendFoldCode(buf[:0], value), f.foldAliases(extra))
}

// spellings returns the spellings of a coded field's codes that cells
// are most often written in, each with the code that FoldCode(spelling)
// finds in byFolded: byFolded's keys that are ASCII (the folded form of
// a code, label or alias, which FoldCode leaves as it is), and each code,
// label and alias as the schema writes it. A cell written exactly so
// needs no folding: lookup finds its code in f.idx.exact first.
func (f *Field) spellings() map[string]string {
	m := map[string]string{}
	for k, c := range f.idx.byFolded {
		if foldedASCII(k) {
			m[k] = c
		}
	}
	for _, code := range f.Codes {
		for _, v := range append([]string{code.Value, code.Label}, code.Aliases...) {
			if c, ok := f.idx.byFolded[FoldCode(v)]; ok && v != "" {
				m[v] = c
			}
		}
	}
	return m
}

// foldAliases returns a partner's {their value: canonical code} aliases
// for the field keyed by folded value, for match. It leaves out aliases
// that point at a code the field lacks. When two values fold alike, the
// one that sorts first wins. It returns nil for a field without codes.
func (f *Field) foldAliases(extra map[string]string) map[string]string {
	if f.idx == nil || len(extra) == 0 {
		return nil
	}
	folded := make(map[string]string, len(extra))
	for _, theirs := range slices.Sorted(maps.Keys(extra)) {
		k, c := FoldCode(theirs), extra[theirs]
		if _, known := f.idx.labels[c]; !known {
			continue
		}
		if _, dup := folded[k]; !dup {
			folded[k] = c
		}
	}
	return folded
}

// match looks a folded cell up among the field's codes, then among
// aliases made by foldAliases. It keeps nothing of folded, so a caller
// may reuse the buffer.
func (f *Field) match(folded []byte, aliases map[string]string) (code string, ok bool) {
	if f.idx == nil || len(folded) == 0 {
		return "", false
	}
	if c, ok := f.idx.byFolded[string(folded)]; ok {
		return c, true
	}
	c, ok := aliases[string(folded)]
	return c, ok
}
