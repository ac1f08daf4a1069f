// Package mem holds a landing zone and an output in memory, for tests.
//
// Zone meets the storage.Zone contract and passes storagetest's
// conformance suite, and a test can make chosen calls go wrong with
// Inject: a transient error, a stream cut short, an object that vanishes
// or is replaced by the district just before the call, or a call that is
// done but whose answer is lost. That lets the retry, isolation and
// disposition paths of ingest run without a real SFTP or Azure server. Output is the same for storage.Output, without
// faults.
package mem
