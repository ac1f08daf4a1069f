// Package drop writes the inputs the end-to-end benchmarks share: the
// protocol's schema, a pseudonymisation key, one quarter's synthetic
// files from the 12 districts, and a protocol over them. All data is
// made up.
package drop
