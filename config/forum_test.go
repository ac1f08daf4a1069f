package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// forumProtocol is a protocol whose folders and key sit under root,
// unless the caller replaces them.
func forumProtocol(id, root string) string {
	return `protocol:
  id: ` + id + `
  title: Test
  lead: {name: Lead, gss: E10000012}
  review_date: 2027-10-01
schema: ` + filepath.Join(root, "schema.json") + `
filter: {field: reasonloss, keep: [da_victim]}
pseudonymise: {key_file: ` + filepath.Join(root, "key") + `}
state: ` + filepath.Join(root, "state") + `
output: {kind: local, path: ` + filepath.Join(root, "out") + `}
partners:
  - {id: a, name: A, gss: E07000066, dpo_email: dpo@a.gov.uk, landing: {kind: local, path: ` + filepath.Join(root, "in", "a") + `}}
`
}

func loadForumProtocol(t *testing.T, dir, text string) *Config {
	t.Helper()
	schema, err := os.ReadFile("testdata/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "schema.json"), schema, 0o600); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "protocol.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatalf("Load %s: %v", p, err)
	}
	return c
}

func TestCheckForum(t *testing.T) {
	tests := []struct {
		name   string
		second func(root, first string) string // the second protocol, given its root and the first's
		link   bool                            // hard-link the second's key to the first's
		errs   []string
	}{
		{"separate lanes", func(root, _ string) string { return forumProtocol("b", root) }, false, nil},
		{"same id", func(root, _ string) string { return forumProtocol("a", root) }, false,
			[]string{`protocol.id: "a" is also the id of`}},
		{"shared zone", func(root, first string) string {
			return strings.Replace(forumProtocol("b", root), filepath.Join(root, "in", "a"), filepath.Join(first, "in"), 1)
		}, false, []string{`partners[0].landing: overlaps partners[0].landing of protocol a`}},
		{"output inside another's zone", func(root, first string) string {
			return strings.Replace(forumProtocol("b", root), filepath.Join(root, "out"), filepath.Join(first, "in", "a", "out"), 1)
		}, false, []string{`output: overlaps partners[0].landing of protocol a`}},
		{"shared state", func(root, first string) string {
			return strings.Replace(forumProtocol("b", root), filepath.Join(root, "state"), filepath.Join(first, "state"), 1)
		}, false, []string{`state: overlaps state of protocol a`}},
		{"shared key path", func(root, first string) string {
			return strings.Replace(forumProtocol("b", root), filepath.Join(root, "key"), filepath.Join(first, "key"), 1)
		}, false, []string{`pseudonymise.key_file: is also the key of protocol a`}},
		{"key linked under another name", func(root, _ string) string { return forumProtocol("b", root) }, true,
			[]string{`pseudonymise.key_file: is also the key of protocol a`}},
		{"another address", func(root, _ string) string {
			return forumProtocol("b", root) + "http: {listen: \"127.0.0.1:9090\"}\n"
		}, false, []string{`http.listen: 127.0.0.1:9090 differs from a's 127.0.0.1:8080`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			first, second := filepath.Join(root, "one"), filepath.Join(root, "two")
			a := loadForumProtocol(t, first, forumProtocol("a", first))
			b := loadForumProtocol(t, second, tt.second(second, first))
			if tt.link {
				if err := os.WriteFile(a.Pseudonymise.KeyFile, []byte("k"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Link(a.Pseudonymise.KeyFile, b.Pseudonymise.KeyFile); err != nil {
					t.Skipf("no hard links here: %v", err)
				}
			}
			errs := flatten(CheckForum([]*Config{a, b}))
			if len(errs) != len(tt.errs) {
				t.Fatalf("CheckForum gave %d errors, want %d:\n%q", len(errs), len(tt.errs), errs)
			}
			for i, e := range errs {
				if !strings.Contains(e.Error(), tt.errs[i]) || !strings.HasPrefix(e.Error(), b.Path+":") {
					t.Errorf("error %d = %q, want it in %s and to contain %q", i, e, b.Path, tt.errs[i])
				}
			}
		})
	}
}
