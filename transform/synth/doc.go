// Package synth writes realistic, deterministic synthetic H-CLIC extracts
// for the 12 Essex districts: for tests, the demo and benchmarks.
//
// Every value is made up. Case references read "SYN-BAS-000123" so that a
// test can search every written byte for them, and extra columns that must
// never be accepted carry obviously fake values (NI numbers beginning "QQ",
// postcode "ZZ99 3ZZ").
//
// The generator follows the agreed field list: it looks up codes, labels
// and aliases by field name in a *transform.Schema, so a new field list
// gives new data without code changes. Spec.Filter names the protocol's
// row filter, so another protocol's field list and partners (Drop,
// QuarterDropOf) get files with rows in and out of its scope. Given the same Schema, Spec and
// Seed, Write produces byte-identical output, CSV and xlsx alike.
//
// A case keeps its attributes (application date, age, household) from
// quarter to quarter: a district's cases recur across consecutive quarters,
// and files for separate quarters written with the same seed and row count
// link up, as real extracts do. Domestic abuse follows the 2023 change:
// quarters before 2023Q3 carry only the single retired option (da_retired);
// later quarters mostly da_victim, some da_alleged_perpetrator and a few
// da_retired for cases first reported before the change.
package synth
