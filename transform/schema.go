package transform

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

	idx *fieldIndex
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
	byName   map[string]int // field name -> index
	byHeader map[string]int // folded header spelling -> index
}

// fieldIndex holds a coded field's lookups.
type fieldIndex struct {
	byFolded map[string]string // folded value, label or alias -> code
	labels   map[string]string // code -> label
}
