package config_test

import (
	"errors"
	"io/fs"
	"path"
	"testing"

	"landingd/config"
	"landingd/deploy"
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
