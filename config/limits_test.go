package config

import (
	"testing"
	"time"

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
