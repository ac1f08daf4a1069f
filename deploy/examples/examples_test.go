package examples

import (
	"path/filepath"
	"testing"

	"landingd/config"
)

func TestExamplesLoad(t *testing.T) {
	tests := []struct {
		file string
		kind string // every partner's landing kind
		out  string // the output's kind
	}{
		{"local.yaml", "local", "local"},
		{"sftp.yaml", "sftp", "local"},
		{"azblob.yaml", "azblob", "azblob"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cfg, err := config.Load(tt.file)
			if err != nil {
				t.Fatalf("load %s: %v", tt.file, err)
			}
			if len(cfg.Partners) != 12 {
				t.Errorf("partners = %d, want the 12 districts", len(cfg.Partners))
			}
			for _, p := range cfg.Partners {
				if p.Landing.Kind != tt.kind {
					t.Errorf("%s: landing kind %s, want %s", p.ID, p.Landing.Kind, tt.kind)
				}
			}
			if cfg.Output.Kind != tt.out {
				t.Errorf("output kind %s, want %s", cfg.Output.Kind, tt.out)
			}
			if want, _ := filepath.Abs("../protocols/da-needs-assessment/hclic-da.schema.json"); cfg.Schema != want && cfg.Schema != "../protocols/da-needs-assessment/hclic-da.schema.json" {
				t.Errorf("schema = %s", cfg.Schema)
			}
			if cfg.HTTP.Listen != "127.0.0.1:8080" || cfg.Schedule.Timezone != "Europe/London" {
				t.Errorf("http %s, timezone %s", cfg.HTTP.Listen, cfg.Schedule.Timezone)
			}
			if len(cfg.SchemaData) == 0 {
				t.Error("the field list was not read")
			}
		})
	}
}
