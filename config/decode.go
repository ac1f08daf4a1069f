package config

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder fills a value from a yaml.Node tree, recording every problem with
// its line instead of stopping at the first, and the line of every key it
// sees. yaml.v3's own decoder stops reporting unknown keys after the first
// and quotes rejected values in its messages, which could echo a secret
// pasted into the wrong key; this one never quotes a value it rejects for
// its type.
type decoder struct {
	*problems
	// budget bounds the nodes visited, so that aliases and merge keys
	// cannot expand a small file into billions of settings.
	budget int
}

// nodeBudget is far more than any real protocol file needs.
const nodeBudget = 1 << 20

// spend takes one from the budget, reporting once when it runs out.
func (d *decoder) spend(line int) bool {
	d.budget--
	if d.budget == 0 {
		d.addAt(line, "", "too many aliases or merge keys expanded")
	}
	return d.budget > 0
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// parseYAML reads exactly one YAML document from data. A syntax error
// comes back as one *Error with the line yaml.v3 reports.
func (d *decoder) parseYAML(data []byte) (root *yaml.Node, ok bool) {
	defer func() {
		// yaml.v3 has panicked on hostile input before; a protocol file
		// must never take the process down.
		if r := recover(); r != nil {
			d.addAt(0, "", "not valid YAML")
			root, ok = nil, false
		}
	}()
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.addAt(0, "", "file is empty")
			return nil, false
		}
		line, msg := yamlErrorLine(err)
		d.addAt(line, "", "%s", msg)
		return nil, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			line, _ = yamlErrorLine(err)
		}
		d.addAt(line, "", "more than one YAML document (remove the \"---\" separator)")
		return nil, false
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], true
	}
	d.addAt(0, "", "file is empty")
	return nil, false
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserErrors are the messages for which yaml.v3 reports a 0-based
// line (its scanner's messages are 1-based).
var yamlParserErrors = []string{
	"did not find expected <document start>",
	"did not find expected node content",
	"did not find expected key",
	"did not find expected '-' indicator",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
}

// yamlErrorLine splits "yaml: line 3: msg" into 3 and "msg", correcting
// the line of parser errors.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		if slices.Contains(yamlParserErrors, m[2]) {
			n++
		}
		return n, m[2]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

// resolve follows aliases. The walk below is bounded by the depth of the
// Config type, so a self-referencing anchor cannot loop.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func join(key, name string) string {
	if key == "" {
		return name
	}
	if name == "" {
		return key
	}
	return key + "." + name
}

// kindName describes a node's kind for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "true/false"
	case "!!null":
		return "nothing"
	}
	return "text"
}

// decode fills v (addressable) from n; key names v for messages.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, key string) {
	n = resolve(n)
	if !d.spend(n.Line) {
		return
	}
	if n.Kind == yaml.AliasNode {
		d.addAt(n.Line, key, "alias nested too deeply")
		return
	}
	if v.Type() == reflect.TypeFor[Location]() {
		d.decodeLocation(n, v.Addr().Interface().(*Location), key)
		return
	}
	if v.Kind() != reflect.Pointer && v.Addr().Type().Implements(unmarshalerType) {
		if isNull(n) {
			v.SetZero()
			return
		}
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.addAt(n.Line, key, "%s", err.Error())
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), key)
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v, key)
	case reflect.Map:
		d.decodeMap(n, v, key)
	case reflect.Slice:
		if isNull(n) {
			v.SetZero()
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.addAt(n.Line, key, "want a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			k := key + "[" + strconv.Itoa(i) + "]"
			d.pos[k] = item.Line
			d.decodeElem(item, s.Index(i), v.Type().Elem(), k)
		}
		v.Set(s)
	case reflect.String:
		if isNull(n) {
			v.SetString("")
			return
		}
		if n.Kind != yaml.ScalarNode {
			d.addAt(n.Line, key, "want text, got %s", kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.addAt(n.Line, key, "want true or false, got %s", kindName(n))
			return
		}
		v.SetBool(b)
	case reflect.Int:
		var i int
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
			d.addAt(n.Line, key, "want a whole number, got %s", kindName(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Float64:
		var f float64
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil {
			d.addAt(n.Line, key, "want a number, got %s", kindName(n))
			return
		}
		v.SetFloat(f)
	default:
		panic(fmt.Sprintf("config: no decoder for %s", v.Type()))
	}
}

// decodeElem decodes a list item. Partners start from their own defaults.
func (d *decoder) decodeElem(n *yaml.Node, v reflect.Value, t reflect.Type, key string) {
	if t == reflect.TypeFor[Partner]() {
		v.Set(reflect.ValueOf(partnerDefaults()))
	}
	d.decode(n, v, key)
}

// mapKeys reads a mapping's keys as text, with YAML merge keys ("<<")
// expanded: the mapping's own keys (read first) override merged ones, and
// among merged mappings the earlier wins. It reports non-text keys and keys repeated in
// the mapping itself.
func (d *decoder) mapKeys(n *yaml.Node, key string) (names []string, vals []*yaml.Node, lines []int) {
	seen := make(map[string]int) // name -> index in names
	d.collect(n, key, 0, seen, &names, &vals, &lines)
	return names, vals, lines
}

func (d *decoder) collect(n *yaml.Node, key string, depth int, seen map[string]int, names *[]string, vals *[]*yaml.Node, lines *[]int) {
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolve(n.Content[i]), n.Content[i+1]
		if !d.spend(k.Line) {
			return
		}
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, val)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.addAt(k.Line, key, "keys must be text, got %s", kindName(k))
			continue
		}
		j, dup := seen[k.Value]
		switch {
		case dup && depth == 0:
			d.addAt(k.Line, join(key, k.Value), "duplicate key (first on line %d)", (*lines)[j])
		case dup:
			// an earlier merged mapping or the mapping itself already set it
		default:
			seen[k.Value] = len(*names)
			*names = append(*names, k.Value)
			*vals = append(*vals, val)
			*lines = append(*lines, k.Line)
		}
	}
	for _, val := range merges {
		src := resolve(val)
		maps := []*yaml.Node{src}
		if src.Kind == yaml.SequenceNode {
			maps = maps[:0]
			for _, m := range src.Content {
				maps = append(maps, resolve(m))
			}
		}
		for _, m := range maps {
			if m.Kind != yaml.MappingNode || depth >= 10 {
				d.addAt(val.Line, key, "merge key \"<<\" wants a mapping or a list of mappings")
				continue
			}
			d.collect(m, key, depth+1, seen, names, vals, lines)
		}
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, key string) {
	if isNull(n) {
		return // "http:" with nothing under it keeps the defaults
	}
	if n.Kind != yaml.MappingNode {
		d.addAt(n.Line, key, "want a mapping of settings, got %s", kindName(n))
		return
	}
	fields := yamlFields(v.Type())
	names, vals, lines := d.mapKeys(n, key)
	for i, name := range names {
		k := join(key, name)
		idx, ok := fields[name]
		if !ok {
			msg := "unknown key"
			if s := suggest(name, fields); s != "" {
				msg += " (did you mean " + s + "?)"
			}
			d.addAt(lines[i], k, "%s", msg)
			continue
		}
		d.pos[k] = lines[i]
		d.decode(vals[i], v.Field(idx), k)
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, key string) {
	if isNull(n) {
		v.SetZero()
		return
	}
	if n.Kind != yaml.MappingNode {
		d.addAt(n.Line, key, "want a mapping, got %s", kindName(n))
		return
	}
	m := reflect.MakeMap(v.Type())
	names, vals, lines := d.mapKeys(n, key)
	for i, name := range names {
		k := join(key, name)
		d.pos[k] = lines[i]
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(vals[i], e, k)
		m.SetMapIndex(reflect.ValueOf(name), e)
	}
	v.Set(m)
}

// yamlFields maps each yaml tag name of t to its field index.
func yamlFields(t reflect.Type) map[string]int {
	m := make(map[string]int)
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		m[tag] = i
	}
	return m
}

// suggest returns the known key closest to name, if it is close enough to
// be a typo.
func suggest(name string, fields map[string]int) string {
	best, bestD := "", 3
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if d := editDistance(name, k); d < bestD && d <= len(k)/2 {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
