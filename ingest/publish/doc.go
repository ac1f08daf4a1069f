// Package publish writes a quarter's combined datasets from the state
// store to the output: <q>/combined.csv, <q>/combined.xlsx and, last,
// <q>/manifest.json, which names the files used and the SHA-256 of the two
// datasets. A reader who finds a manifest finds the datasets it describes.
//
// Rows are streamed from the store into temporary files (never all in
// memory) and each output is written with storage.Output.Put, which is
// atomic. Generation is deterministic: the same store gives byte-identical
// CSV and xlsx, and manifests that differ only in generated_at.
//
// combined.csv is UTF-8 without a byte order mark, LF line endings,
// encoding/csv quoting, one header row of field names in the field list's
// order, canonical codes, case_ref holding the pseudonym, rows sorted by
// la_code then case_ref, and blank cells where a district did not send an
// optional field.
//
// combined.xlsx has three sheets: "Data" (the same rows with code labels,
// Yes/No, real dates and numbers, a bold frozen header of field titles),
// "Data dictionary" (every field and every code), and "Summary" (cases by
// district and category with small-number suppression, see Suppress).
//
// Text that a spreadsheet could run as a formula gets a leading apostrophe
// in the CSV (see Neutralise); the workbook writes it as a typed text
// cell, which is never run.
package publish
