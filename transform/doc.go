// Package transform turns one district file into judged rows: it reads CSV
// and xlsx as streams, matches the header against the agreed field list
// (a Frictionless Table Schema), validates every row, keeps only the rows
// in the protocol's filter, and replaces case_ref with a keyed pseudonym.
//
// It never imports an SDK, storage or config: callers pass what it needs in
// Options. Data problems are values (Issue, FileError) that end up in a
// district's report; only infrastructure faults are returned as errors.
package transform
