package config

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"landingd/deploy"
	"landingd/transform/table"
)

func TestLoadLimits(t *testing.T) {
	runLoadTests(t, []loadTest{{
		Name:  "Defaults",
		Input: header + okBody,
		Check: func(t *testing.T, c *Config) {
			if got := c.Limits.Table(); got != table.DefaultLimits {
				t.Errorf("limits = %+v, want the readers' defaults %+v", got, table.DefaultLimits)
			}
			if c.Limits.IssuesPerFile != 1000 || c.Limits.TimePerFile.Duration != DefaultTimePerFile {
				t.Errorf("limits = %+v", c.Limits)
			}
		},
	}, {
		Name:  "Raised",
		Input: header + okBody + "limits: {bytes_per_cell: 1048576, cells_per_sheet: 200000000, time_per_file: 30m}\n",
		Check: func(t *testing.T, c *Config) {
			l := c.Limits
			if l.BytesPerCell != 1<<20 || l.CellsPerSheet != 200_000_000 || l.TimePerFile.Duration != 30*time.Minute {
				t.Errorf("limits = %+v", l)
			}
			if l.Sheets != table.DefaultLimits.MaxSheets {
				t.Errorf("sheets = %d: a limit the file does not set lost its default", l.Sheets)
			}
		},
	}, {
		Name:  "UnknownKey",
		Input: header + okBody + "limits:\n  sheet: 4\n",
		Errs: []string{
			`protocol.yaml:13: limits.sheet: unknown key (did you mean sheets?)`,
		},
	}, {
		Name:  "BadValues",
		Input: header + okBody + "limits:\n  columns_per_row: 0\n  xml_depth: 3\n  time_per_file: 0s\n",
		Errs: []string{
			`protocol.yaml:13: limits.columns_per_row: want a number above zero`,
			`protocol.yaml:14: limits.xml_depth: want at least 8`,
			`protocol.yaml:15: limits.time_per_file: want a duration of at least 1s`,
		},
	}})
}

// TestDefaultProtocolLimits checks that the limits the default protocol
// shows in its comments are the defaults.
func TestDefaultProtocolLimits(t *testing.T) {
	b, err := fs.ReadFile(deploy.Protocols, deploy.DefaultProtocol)
	if err != nil {
		t.Fatal(err)
	}
	var block []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case line == "# limits:":
			in = true
		case in && strings.HasPrefix(line, "#   "):
			block = append(block, strings.TrimPrefix(line, "#   "))
		case in:
			in = false
		}
	}
	if len(block) != 13 {
		t.Fatalf("the default protocol shows %d limits, want 13", len(block))
	}
	input := header + okBody + "limits:\n  " + strings.Join(block, "\n  ") + "\n"
	runLoadTests(t, []loadTest{{Name: "Shown", Input: input, Check: func(t *testing.T, c *Config) {
		if c.Limits != defaultLimits() {
			t.Errorf("the default protocol shows %+v, the defaults are %+v", c.Limits, defaultLimits())
		}
	}}})
}
