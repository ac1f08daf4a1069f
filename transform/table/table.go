package table

// Record is one record of a file as the reader found it.
type Record struct {
	// Row is the 1-based record number as Excel shows it: header, title
	// and blank rows count; a quoted CSV field that spans lines does not
	// add rows.
	Row int
	// Cells are the record's cells, trailing blank cells trimmed. From
	// Next, the slice is valid only until the next call to Next (readers
	// reuse it); the strings in it stay valid. Header's cells stay valid.
	Cells []string
}

// Table is an opened file: its header and a stream of data records.
// Readers stream, with bounded memory (xlsx is spooled to a temporary
// file, which Close removes; see the package doc).
type Table interface {
	// Format is "csv" or "xlsx".
	Format() string
	// Header is the header record, with trailing blank cells trimmed.
	Header() Record
	// Next returns the next data record after the header, skipping blank
	// records and trimming trailing blank cells. It returns io.EOF at the
	// end, and a *FileError when the file turns out to be unreadable
	// part-way (bad encoding, malformed quoting, decompression limits).
	Next() (Record, error)
	// Close releases the table and removes any temporary file.
	Close() error
}

// ReadOptions tune Open.
type ReadOptions struct {
	Encoding string // "" detects (UTF-8, UTF-8 with BOM, else Windows-1252); "utf-8" or "windows-1252" pins
	Sheet    string // xlsx sheet name; "" picks the first sheet with a header row
	// IsHeader reports whether a record's cells look like the header
	// (they match at least half of the required fields). The header is
	// the first record within the first 20 for which it returns true.
	// nil takes the first non-blank record.
	IsHeader func(cells []string) bool
	// MaxUnzippedBytes caps the total uncompressed size of an xlsx, and
	// MaxEntryBytes any one zip entry. 0 means the package defaults
	// (DefaultMaxUnzippedBytes, DefaultMaxEntryBytes).
	MaxUnzippedBytes int64
	MaxEntryBytes    int64
	TempDir          string // for the xlsx spool; "" means os.TempDir()
	// Limits are the reading budgets; zero fields mean DefaultLimits.
	Limits Limits
}

// FileError is a file-level problem: the whole file is rejected with it.
// Rule is one of the file-level rules (format-error, encoding-error,
// empty-file, ...). Row is the record where it was found, or 0.
type FileError struct {
	Rule    string
	Row     int
	Message string
}

// Error returns the rule and the message; it never holds a cell value.
func (e *FileError) Error() string { return e.Rule + ": " + e.Message }
