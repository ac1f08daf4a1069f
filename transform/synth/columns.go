package synth

import (
	"math/rand/v2"
	"slices"
	"strings"

	"landingd/transform"
)

// column is one written column: a schema field (field >= 0) or an extra
// column (field == -1).
type column struct {
	field  int
	name   string // field name or extra column name
	header string
}

// rarelySent are optional fields a district's default extract leaves out.
var rarelySent = []string{
	"main_app_gender_identity", "main_app_sexual_orientation",
	"reasonloss_detail", "ta_out_of_area",
}

// columns lists the columns sp asks for, with their header text.
func columns(s *transform.Schema, sp *Spec, r *rand.Rand) ([]column, error) {
	for _, name := range sp.Drop {
		if s.Index(name) < 0 {
			return nil, badSpec("drop %q: not a field of %s", name, s.Name)
		}
	}
	for _, name := range sp.Optional {
		i := s.Index(name)
		if i < 0 {
			return nil, badSpec("optional %q: not a field of %s", name, s.Name)
		}
		if s.Fields[i].Required {
			return nil, badSpec("optional %q: the field is required", name)
		}
	}
	seen := map[string]bool{}
	for _, name := range sp.Extra {
		key := strings.ToLower(strings.TrimSpace(name))
		if key == "" || s.Index(key) >= 0 || seen[key] {
			return nil, badSpec("extra %q: blank, repeated or on the field list", name)
		}
		seen[key] = true
	}
	var cols []column
	for i, f := range s.Fields {
		if slices.Contains(sp.Drop, f.Name) {
			continue
		}
		if !f.Required {
			if sp.Optional == nil && slices.Contains(rarelySent, f.Name) {
				continue
			}
			if sp.Optional != nil && !slices.Contains(sp.Optional, f.Name) {
				continue
			}
		}
		cols = append(cols, column{field: i, name: f.Name})
	}
	for _, name := range sp.Extra {
		cols = append(cols, column{field: -1, name: name})
	}
	if sp.Shuffle {
		r.Shuffle(len(cols), func(i, j int) { cols[i], cols[j] = cols[j], cols[i] })
	}
	for i := range cols {
		var f *transform.Field
		if cols[i].field >= 0 {
			f = &s.Fields[cols[i].field]
		}
		cols[i].header = header(cols[i].name, f, sp.Headers, r)
	}
	return cols, nil
}

// header spells a column's header in the given style.
func header(name string, f *transform.Field, style string, r *rand.Rand) string {
	title := name
	if f != nil && f.Title != "" {
		title = f.Title
	}
	switch style {
	case "titles":
		return title
	case "mixed":
		words := strings.Split(name, "_")
		for i, w := range words {
			if w != "" {
				words[i] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
		switch r.IntN(6) {
		case 0:
			return name
		case 1:
			return strings.ToUpper(name)
		case 2:
			return strings.Join(words, " ") // "Case Ref"
		case 3:
			if len(words) > 2 {
				return words[0] + "-" + strings.Join(words[1:], " ") // "Main-App Age"
			}
			return strings.Join(words, "-")
		case 4:
			return title
		default:
			if f != nil && len(f.HeaderAliases) > 0 {
				return f.HeaderAliases[r.IntN(len(f.HeaderAliases))]
			}
			return strings.ToLower(strings.Join(words, " "))
		}
	}
	return name
}
