package config_test

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"

	"landingd/config"
	"landingd/deploy"
	"landingd/transform"
)

// TestDefaultProtocol loads the protocol built into the binary and checks
// the agreement it encodes: the lead, the filter and the twelve Essex
// districts with their ONS codes.
func TestDefaultProtocol(t *testing.T) {
	schema := path.Join(path.Dir(deploy.DefaultProtocol), "hclic-da.schema.json")
	if _, err := fs.Stat(deploy.Protocols, schema); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is not in the tree yet; the default protocol cannot load without its field list", schema)
	}
	t.Chdir(t.TempDir())
	c, err := config.LoadFS(deploy.Protocols, deploy.DefaultProtocol)
	if err != nil {
		t.Fatalf("LoadFS(default): %v", err)
	}
	if c.Protocol.ID != "da-needs-assessment" || c.Protocol.Lead.GSS != "E10000012" || c.Protocol.Lead.Name != "Essex County Council" {
		t.Errorf("protocol = %+v", c.Protocol)
	}
	if c.Protocol.ReviewDate.String() != "2027-10-01" {
		t.Errorf("review_date = %s", c.Protocol.ReviewDate)
	}
	if c.Filter.Field != "reasonloss" || len(c.Filter.Keep) != 3 {
		t.Errorf("filter = %+v", c.Filter)
	}
	want := []struct{ id, name, gss string }{
		{"basildon", "Basildon Borough Council", "E07000066"},
		{"braintree", "Braintree District Council", "E07000067"},
		{"brentwood", "Brentwood Borough Council", "E07000068"},
		{"castle_point", "Castle Point Borough Council", "E07000069"},
		{"chelmsford", "Chelmsford City Council", "E07000070"},
		{"colchester", "Colchester City Council", "E07000071"},
		{"epping_forest", "Epping Forest District Council", "E07000072"},
		{"harlow", "Harlow Council", "E07000073"},
		{"maldon", "Maldon District Council", "E07000074"},
		{"rochford", "Rochford District Council", "E07000075"},
		{"tendring", "Tendring District Council", "E07000076"},
		{"uttlesford", "Uttlesford District Council", "E07000077"},
	}
	if len(c.Partners) != len(want) {
		t.Fatalf("%d partners, want %d", len(c.Partners), len(want))
	}
	for i, w := range want {
		p := c.Partners[i]
		if p.ID != w.id || p.Name != w.name || p.GSS != w.gss {
			t.Errorf("partners[%d] = %s %q %s, want %s %q %s", i, p.ID, p.Name, p.GSS, w.id, w.name, w.gss)
		}
		if p.Landing.Kind != "local" || path.Base(p.Landing.Local.Path) != w.id {
			t.Errorf("partners[%d].landing = %s, want local landing/%s", i, p.Landing, w.id)
		}
	}
	if len(c.SchemaData) == 0 || c.Schema != "embedded:"+schema {
		t.Errorf("schema %q with %d bytes", c.Schema, len(c.SchemaData))
	}
}

// TestDefaultProtocolOnDisk loads the same file from the source tree, as
// an operator's copy would be loaded.
func TestDefaultProtocolOnDisk(t *testing.T) {
	file := "../deploy/" + deploy.DefaultProtocol
	if _, err := fs.Stat(deploy.Protocols, path.Join(path.Dir(deploy.DefaultProtocol), "hclic-da.schema.json")); errors.Is(err, fs.ErrNotExist) {
		t.Skip("hclic-da.schema.json is not in the tree yet")
	}
	if _, err := config.Load(file); err != nil {
		t.Fatalf("Load(%s): %v", file, err)
	}
}

// TestExampleProtocol loads the second shipped protocol and checks that
// it is a lane of its own beside the default: another register entry,
// field list, filter, partners and schedule, and no folder or key in
// common, so that one service runs both (CheckForum).
func TestExampleProtocol(t *testing.T) {
	t.Chdir(t.TempDir())
	def, err := config.LoadFS(deploy.Protocols, deploy.DefaultProtocol)
	if err != nil {
		t.Fatalf("LoadFS(default): %v", err)
	}
	c, err := config.LoadFS(deploy.Protocols, deploy.ExampleProtocol)
	if err != nil {
		t.Fatalf("LoadFS(example): %v", err)
	}
	if err := config.CheckForum([]*config.Config{def, c}); err != nil {
		t.Fatalf("CheckForum(default, example): %v", err)
	}
	p := c.Protocol
	if p.ID != "safeguarding-adults" || p.Number == "" || p.Number == def.Protocol.Number || p.Theme == def.Protocol.Theme ||
		!strings.HasPrefix(p.Title, "EXAMPLE: ") || !strings.HasPrefix(p.Purpose, "An example protocol") || p.ReviewDate.IsZero() {
		t.Errorf("protocol = %+v, want its own register entry, marked as an example", p)
	}
	if n := len(c.Partners); n < 3 || n > 4 {
		t.Errorf("%d partners, want 3 or 4", n)
	}
	if c.Filter.Field == def.Filter.Field || c.Schedule.Cron == def.Schedule.Cron {
		t.Errorf("filter %+v and schedule %q are the default's", c.Filter, c.Schedule.Cron)
	}
	for name, pair := range map[string][2]string{
		"key":    {c.Pseudonymise.KeyFile, def.Pseudonymise.KeyFile},
		"state":  {c.State, def.State},
		"output": {c.Output.String(), def.Output.String()},
	} {
		if pair[0] == pair[1] {
			t.Errorf("%s %s is the default protocol's", name, pair[0])
		}
	}

	s, err := transform.LoadSchema(c.SchemaData)
	if err != nil {
		t.Fatalf("the example's field list: %v", err)
	}
	ds, err := transform.LoadSchema(def.SchemaData)
	if err != nil {
		t.Fatal(err)
	}
	var names, defNames []string
	for _, f := range s.Fields {
		names = append(names, f.Name)
	}
	for _, f := range ds.Fields {
		defNames = append(defNames, f.Name)
	}
	if slices.Equal(names, defNames) || s.Index(c.Filter.Field) < 0 {
		t.Errorf("fields %v: want a field list of its own holding the filter's field %s", names, c.Filter.Field)
	}
	for _, k := range c.Filter.Keep {
		f := &s.Fields[s.Index(c.Filter.Field)]
		if !slices.ContainsFunc(f.Codes, func(code transform.Code) bool { return code.Value == k }) {
			t.Errorf("filter keeps %q, which is no code of %s", k, f.Name)
		}
	}
	for _, pt := range c.Partners {
		if la := &s.Fields[s.Index("la_code")]; !slices.ContainsFunc(la.Codes, func(code transform.Code) bool { return code.Value == pt.GSS }) {
			t.Errorf("partner %s's GSS code %s is no la_code of the field list", pt.ID, pt.GSS)
		}
	}
}
