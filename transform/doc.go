// Package transform turns one district file into judged rows: it reads CSV
// and xlsx as streams (package table), matches the header against the
// agreed field list (a Frictionless Table Schema, LoadSchema), validates
// every row, keeps only the rows in the protocol's filter, and replaces
// case_ref with a keyed pseudonym (Pseudonymiser). Judge does all of it
// for one file; Result.WriteText is the report the district reads.
//
// It never imports an SDK, storage or config: callers pass what it needs in
// Options. Data problems are values (Issue, FileError) that end up in a
// district's report; only infrastructure faults are returned as errors.
// No cell value reaches an error, and only a bad code reaches an Issue.
package transform
