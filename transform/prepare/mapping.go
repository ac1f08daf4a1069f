package prepare

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"landingd/transform"
)

// Mapping is a district's mapping file:
//
//	columns:                 # their header -> agreed field
//	  "Case Ref": case_ref
//	keep_rows:               # keep only rows where every condition holds
//	  - {column: "Relationship", equals: "Main Applicant"}
//	  - {column: "Status", in: ["Open", "Closed"]}
//	values:                  # their value -> agreed code, per field
//	  reasonloss: {"DV (partner)": da_victim}
//	date_order: dmy          # or mdy
//
// Headers and values match after folding (transform.FoldCode: case and
// white space ignored, dashes alike).
type Mapping struct {
	Columns   map[string]string            `yaml:"columns"`
	KeepRows  []Condition                  `yaml:"keep_rows"`
	Values    map[string]map[string]string `yaml:"values"`
	DateOrder string                       `yaml:"date_order"`

	// lines records where each setting sits, for messages.
	columnLine map[string]int
	valuesLine map[string]int
}

// Condition keeps a row when the cell of Column equals Equals, or one of
// In, after folding.
type Condition struct {
	Column string   `yaml:"column"`
	Equals *string  `yaml:"equals"`
	In     []string `yaml:"in"`
	Line   int      `yaml:"-"`
}

// UnmarshalYAML records the condition's line. It refuses unknown keys
// itself: Node.Decode does not apply the decoder's KnownFields.
func (c *Condition) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch k := n.Content[i]; k.Value {
			case "column", "equals", "in":
			default:
				return fmt.Errorf("line %d: field %s not found in a keep_rows condition (want column, equals or in)", k.Line, k.Value)
			}
		}
	}
	type plain Condition
	dec := plain{}
	if err := n.Decode(&dec); err != nil {
		return err
	}
	*c = Condition(dec)
	c.Line = n.Line
	return nil
}

// holds reports whether the folded cell meets the condition.
func (c *Condition) holds(folded string) bool {
	if c.Equals != nil && transform.FoldCode(*c.Equals) == folded {
		return true
	}
	for _, v := range c.In {
		if transform.FoldCode(v) == folded {
			return true
		}
	}
	return false
}

// LoadMapping reads a mapping file called name. It is strict: an unknown
// key, a column mapped to a field the schema lacks, a values entry for a
// field without codes or naming a code the field lacks, a keep_rows
// condition without a column or without equals or in, and a bad
// date_order are errors, each with its line; all are reported at once.
func LoadMapping(name string, data []byte, s *transform.Schema) (*Mapping, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	m := &Mapping{}
	if err := dec.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("load mapping %s: %w", name, err)
	}
	if root.Kind != 0 {
		// Decode the node with unknown keys refused (Node.Decode does not
		// check them), by decoding its text again with KnownFields.
		strict := yaml.NewDecoder(bytes.NewReader(data))
		strict.KnownFields(true)
		if err := strict.Decode(m); err != nil {
			return nil, fmt.Errorf("load mapping %s: %w", name, err)
		}
	}
	m.columnLine, m.valuesLine = keyLines(&root, "columns"), keyLines(&root, "values")
	var errs []error
	bad := func(line int, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, a...)))
	}
	seen := map[string]string{}
	for theirs, field := range m.Columns {
		line := m.columnLine[theirs]
		if s.Field(field) == nil {
			bad(line, "columns: %q maps to %q, which is not on the agreed field list", theirs, field)
		}
		k := transform.FoldCode(theirs)
		if other, dup := seen[k]; dup {
			bad(line, "columns: %q and %q are the same heading", theirs, other)
		}
		seen[k] = theirs
	}
	for _, c := range m.KeepRows {
		if strings.TrimSpace(c.Column) == "" {
			bad(c.Line, "keep_rows: a condition needs a column")
		}
		if c.Equals == nil && len(c.In) == 0 {
			bad(c.Line, "keep_rows: a condition needs equals or in")
		}
	}
	for field, vals := range m.Values {
		line := m.valuesLine[field]
		f := s.Field(field)
		if f == nil || !f.Coded() {
			bad(line, "values: %q is not a coded field of the agreed list", field)
			continue
		}
		for theirs, code := range vals {
			if f.Label(code) == "" {
				bad(line, "values: %s: %q maps to %q, which is not one of the field's codes", field, theirs, code)
			}
		}
	}
	if m.DateOrder != "" {
		if _, err := transform.ParseDateOrder(m.DateOrder); err != nil {
			bad(keyLine(&root, "date_order"), "date_order: %v", err)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("load mapping %s: %w", name, errors.Join(errs...))
	}
	return m, nil
}

// keyLines returns, for the mapping under key in a document, each key's
// line.
func keyLines(doc *yaml.Node, key string) map[string]int {
	lines := map[string]int{}
	if v := valueOf(doc, key); v != nil && v.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(v.Content); i += 2 {
			lines[v.Content[i].Value] = v.Content[i].Line
		}
	}
	return lines
}

// keyLine returns the line of a top-level key, or 0.
func keyLine(doc *yaml.Node, key string) int {
	if v := valueOf(doc, key); v != nil {
		return v.Line
	}
	return 0
}

func valueOf(doc *yaml.Node, key string) *yaml.Node {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == key {
			return doc.Content[i+1]
		}
	}
	return nil
}
