package table

import "fmt"

// RuleLimitExceeded is the file-level rule of a file that goes past one
// of the reading budgets (Limits). Its message names the limit, never a
// value from the file.
const RuleLimitExceeded = "limit-exceeded"

// Limits are the budgets a file is read within, whatever it holds: past
// any of them the file is rejected with a *FileError whose Rule is
// RuleLimitExceeded, as soon as the reader sees it, so no file costs more
// than the budgets allow. A zero field means its Default value.
//
// The defaults fit the largest real district file (a few thousand rows)
// many times over, and the national benchmark files (1,000,000-row CSV,
// 200,000-row xlsx) too.
type Limits struct {
	// MaxColumns caps the columns of one row (for an xlsx, the column a
	// cell sits in, blank cells before it included; xlsx itself stops at
	// 16384, which no protocol can raise).
	MaxColumns int
	// MaxCells caps the cells of one sheet or CSV file, counting every
	// cell element of an xlsx and the blank cells a gap in a row fills.
	MaxCells int64
	// MaxCellBytes caps the text of one cell (and one shared string).
	MaxCellBytes int
	// MaxRows caps the records of a CSV file (an xlsx stops at 1048576
	// rows).
	MaxRows int
	// MaxFileBytes caps a CSV file's size.
	MaxFileBytes int64
	// MaxHeaderBytes caps the header row: the sum of its cells' bytes.
	MaxHeaderBytes int
	// MaxSharedStrings and MaxSharedStringBytes cap an xlsx's shared
	// string table, which is held in memory: the number of strings and
	// the sum of their lengths.
	MaxSharedStrings     int
	MaxSharedStringBytes int64
	// MaxSheets caps the sheets a workbook lists.
	MaxSheets int
	// MaxXMLDepth caps how deeply the XML of an xlsx part nests.
	MaxXMLDepth int
	// MaxCommentBytes caps the XML comments of one xlsx part, summed.
	MaxCommentBytes int64
}

// DefaultLimits are the budgets used for a zero field of Limits.
var DefaultLimits = Limits{
	MaxColumns:           16384,
	MaxCells:             50_000_000,
	MaxCellBytes:         32 << 10,
	MaxRows:              5_000_000,
	MaxFileBytes:         1 << 30,
	MaxHeaderBytes:       64 << 10,
	MaxSharedStrings:     2_000_000,
	MaxSharedStringBytes: 64 << 20,
	MaxSheets:            1024,
	MaxXMLDepth:          64,
	MaxCommentBytes:      1 << 20,
}

// maxXLSXColumns is the last column of a worksheet (XFD).
const maxXLSXColumns = 16384

// orDefault returns l with every zero (or negative) field replaced by
// its DefaultLimits value.
func (l Limits) orDefault() Limits {
	d := DefaultLimits
	pick := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	pick64 := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	pick(&l.MaxColumns, d.MaxColumns)
	pick64(&l.MaxCells, d.MaxCells)
	pick(&l.MaxCellBytes, d.MaxCellBytes)
	pick(&l.MaxRows, d.MaxRows)
	pick64(&l.MaxFileBytes, d.MaxFileBytes)
	pick(&l.MaxHeaderBytes, d.MaxHeaderBytes)
	pick(&l.MaxSharedStrings, d.MaxSharedStrings)
	pick64(&l.MaxSharedStringBytes, d.MaxSharedStringBytes)
	pick(&l.MaxSheets, d.MaxSheets)
	pick(&l.MaxXMLDepth, d.MaxXMLDepth)
	pick64(&l.MaxCommentBytes, d.MaxCommentBytes)
	return l
}

// overLimit is the *FileError of a file past a budget. what names the
// limit ("more than 16384 columns in a row"); row is where it was found,
// or 0.
func overLimit(row int, format string, a ...any) *FileError {
	return &FileError{Rule: RuleLimitExceeded, Row: row,
		Message: "the file is over a reading limit: " + fmt.Sprintf(format, a...) +
			"; split the file or remove what is not needed, or ask the hub to raise the limit"}
}

// headerOver reports a header row past MaxHeaderBytes.
func (l *Limits) headerOver(rec Record) *FileError {
	n := 0
	for _, c := range rec.Cells {
		n += len(c)
	}
	if n > l.MaxHeaderBytes {
		return overLimit(rec.Row, "a header row of more than %d bytes", l.MaxHeaderBytes)
	}
	return nil
}
