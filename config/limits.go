package config

import (
	"time"

	"landingd/transform"
	"landingd/transform/table"
)

// Limits are the budgets every file is read and judged within (the
// protocol file's limits section). Past any of them the file is rejected
// with the file-level rule limit-exceeded, whose message names the limit.
// The defaults (Defaults) fit the largest real district file many times
// over; a protocol may raise them.
type Limits struct {
	ColumnsPerRow     int      `yaml:"columns_per_row"`     // columns in one row (xlsx stops at 16384)
	CellsPerSheet     int      `yaml:"cells_per_sheet"`     // cells in one sheet or CSV file, gaps in a row included
	BytesPerCell      int      `yaml:"bytes_per_cell"`      // text of one cell or shared string
	RowsPerFile       int      `yaml:"rows_per_file"`       // records of a CSV file
	CSVFileBytes      int      `yaml:"csv_file_bytes"`      // size of a CSV file
	HeaderBytes       int      `yaml:"header_bytes"`        // the header row, all cells together
	SharedStrings     int      `yaml:"shared_strings"`      // an xlsx's shared string table: strings
	SharedStringBytes int      `yaml:"shared_string_bytes"` // ... and their bytes
	Sheets            int      `yaml:"sheets"`              // sheets a workbook lists
	XMLDepth          int      `yaml:"xml_depth"`           // nesting of an xlsx part's XML
	XMLCommentBytes   int      `yaml:"xml_comment_bytes"`   // XML comments in one xlsx part
	IssuesPerFile     int      `yaml:"issues_per_file"`     // row issues listed in a report (the rest are counted)
	TimePerFile       Duration `yaml:"time_per_file"`       // reading and judging one file
}

// DefaultTimePerFile is the default limits.time_per_file.
const DefaultTimePerFile = 10 * time.Minute

func defaultLimits() Limits {
	d := table.DefaultLimits
	return Limits{
		ColumnsPerRow:     d.MaxColumns,
		CellsPerSheet:     int(d.MaxCells),
		BytesPerCell:      d.MaxCellBytes,
		RowsPerFile:       d.MaxRows,
		CSVFileBytes:      int(d.MaxFileBytes),
		HeaderBytes:       d.MaxHeaderBytes,
		SharedStrings:     d.MaxSharedStrings,
		SharedStringBytes: int(d.MaxSharedStringBytes),
		Sheets:            d.MaxSheets,
		XMLDepth:          d.MaxXMLDepth,
		XMLCommentBytes:   int(d.MaxCommentBytes),
		IssuesPerFile:     transform.DefaultMaxIssues,
		TimePerFile:       Duration{DefaultTimePerFile},
	}
}

// Table returns the readers' budgets.
func (l Limits) Table() table.Limits {
	return table.Limits{
		MaxColumns:           l.ColumnsPerRow,
		MaxCells:             int64(l.CellsPerSheet),
		MaxCellBytes:         l.BytesPerCell,
		MaxRows:              l.RowsPerFile,
		MaxFileBytes:         int64(l.CSVFileBytes),
		MaxHeaderBytes:       l.HeaderBytes,
		MaxSharedStrings:     l.SharedStrings,
		MaxSharedStringBytes: int64(l.SharedStringBytes),
		MaxSheets:            l.Sheets,
		MaxXMLDepth:          l.XMLDepth,
		MaxCommentBytes:      int64(l.XMLCommentBytes),
	}
}

// validateLimits checks that every limit is above zero, that a row may
// have at least the columns of the field list, and that a file has at
// least a second to be read.
func (c *Config) validateLimits(p *problems) {
	l := c.Limits
	for _, v := range []struct {
		key string
		n   int64
	}{
		{"limits.columns_per_row", int64(l.ColumnsPerRow)},
		{"limits.cells_per_sheet", int64(l.CellsPerSheet)},
		{"limits.bytes_per_cell", int64(l.BytesPerCell)},
		{"limits.rows_per_file", int64(l.RowsPerFile)},
		{"limits.csv_file_bytes", int64(l.CSVFileBytes)},
		{"limits.header_bytes", int64(l.HeaderBytes)},
		{"limits.shared_strings", int64(l.SharedStrings)},
		{"limits.shared_string_bytes", int64(l.SharedStringBytes)},
		{"limits.sheets", int64(l.Sheets)},
		{"limits.xml_depth", int64(l.XMLDepth)},
		{"limits.xml_comment_bytes", int64(l.XMLCommentBytes)},
		{"limits.issues_per_file", int64(l.IssuesPerFile)},
	} {
		if v.n < 1 {
			p.add(v.key, "want a number above zero")
		}
	}
	if l.XMLDepth > 0 && l.XMLDepth < 8 {
		p.add("limits.xml_depth", "want at least 8 (a worksheet nests 6 deep)")
	}
	if l.TimePerFile.Duration < time.Second {
		p.add("limits.time_per_file", "want a duration of at least 1s")
	}
}
