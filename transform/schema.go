package transform

import "strings"

// Schema is the agreed field list: a Frictionless Table Schema with the
// project's extensions for codes and aliases. LoadSchema builds it.
type Schema struct {
	Name       string // the Table Schema "name", used as its id
	Title      string
	Version    string // the schema's "version"
	Hash       string // SHA-256 of the JSON bytes, lowercase hex
	Fields     []Field
	PrimaryKey []string

	idx *schemaIndex
}

// Field is one agreed field.
type Field struct {
	Name        string
	Title       string
	Description string
	Type        string // string | date | integer | boolean
	Required    bool
	Minimum     *int // integer fields
	Maximum     *int
	MinLength   int // string fields; 0 means none
	MaxLength   int
	// HeaderAliases are other header spellings that name this field.
	HeaderAliases []string
	// Codes is the closed code list of a coded field; nil otherwise.
	Codes []Code
	// HCLIC is the H-CLIC item the field carries, nil for a field that is
	// not one (such as quarter_end_date, which the project adds).
	HCLIC *HCLICItem

	idx *fieldIndex
}

// HCLICItem names the H-CLIC item a field carries, as the schema's
// "landingd:hclic" property gives it: {"question": "1.15", "element":
// "REASONLOSS", "inferred": false}. A header cell that starts with one of
// its question numbers, or is its element name, names the field (see
// MatchHeader).
type HCLICItem struct {
	// Questions are the H-CLIC question numbers, such as 1.15; an item
	// asked in two questions (TADUTY, 9.7 and 9.8) has two. The schema
	// writes them joined by "/".
	Questions []string
	// Element is the XML element name, such as REASONLOSS, or "" where no
	// public source gives it.
	Element string
	// Inferred is true when the link between the field and the item is
	// read from published labels rather than confirmed by a source.
	Inferred bool
}

// Question returns the item's question numbers joined by "/" ("9.7/9.8"),
// or "" for a field that is no H-CLIC item.
func (f *Field) Question() string {
	if f.HCLIC == nil {
		return ""
	}
	return strings.Join(f.HCLIC.Questions, "/")
}

// Element returns the item's XML element name, or "" when the field is no
// H-CLIC item or the name is not known.
func (f *Field) Element() string {
	if f.HCLIC == nil {
		return ""
	}
	return f.HCLIC.Element
}

// Code is one canonical code of a coded field.
type Code struct {
	Value   string // the project's stable slug, e.g. da_victim
	Label   string // the published label, e.g. "Domestic abuse – victim"
	Aliases []string
}

// schemaIndex holds the lookups LoadSchema builds. It is shared by pointer
// so that copies of a Schema stay cheap and consistent.
type schemaIndex struct {
	byName     map[string]int // field name -> index
	byHeader   map[string]int // folded header spelling -> index
	byQuestion map[string]int // H-CLIC question number -> index
}

// fieldIndex holds a coded field's lookups.
type fieldIndex struct {
	byFolded map[string]string // folded value, label or alias -> code
	labels   map[string]string // code -> label
	exact    *codeTable        // spellings cells have -> code (see spellings)
}
