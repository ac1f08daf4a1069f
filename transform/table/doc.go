// Package table opens district files (CSV or xlsx) as streams of records:
// it finds the encoding, the delimiter, the sheet and the header row, and
// keeps memory bounded: CSV is streamed, and an xlsx is spooled to disk
// and its sheet streamed from there, within budgets (Limits) whatever the
// file holds.
//
// Open picks the reader from the file name's extension and checks the
// content agrees with it. Everything that makes a file unreadable as a
// whole comes back as a *FileError whose Rule is one of the file-level
// rules (format-error, encoding-error, empty-file, limit-exceeded) and
// whose Message never holds a cell value, so it can go straight into a
// district's report.
//
// CSV is read with encoding/csv. The encoding is detected from the first
// 64 KiB (UTF-8, UTF-8 with a byte order mark, else Windows-1252) unless
// ReadOptions.Encoding pins it, and the delimiter (comma, semicolon or tab)
// from the header line. Row numbers are the rows Excel shows when it opens
// the file: blank lines and title rows count, a quoted cell that spans
// lines does not add rows.
//
// xlsx is spooled to a temporary file, checked against the decompression
// limits with archive/zip (the sizes every entry declares; what it really
// unzips to is checked as it is read), then read as SpreadsheetML token
// streams (sml.go): the sheet chosen through the workbook and its
// relationships, the shared strings held in memory, the sheet row by row.
// The rows of a sheet and the items of the shared strings are read by a
// byte scanner (scan.go) where it reads them exactly as the token stream
// would; on anything else it gives up and the part is read again by the
// token stream alone, so records and errors are the same either way.
// Row numbers are the sheet's row numbers. Cells come back as stored, as
// excelize's raw values gave them: text as text (leading zeros kept),
// numbers as written, booleans as 1 or 0, and date cells as Excel serial
// numbers, which ExcelDate turns into ISO dates. A workbook damaged
// anywhere in the sheet (XML or zip) is a format-error, never a shorter
// sheet.
package table
