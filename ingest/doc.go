// Package ingest runs landingd's cycle: for each partner it lists the
// landing zone, takes the files that are stable and new, judges them with
// transform, commits accepted rows to the state database, disposes of the
// source files, and regenerates the combined outputs of every quarter it
// touched.
//
// # Overview
//
// The state is opened in one of three ways, and the type says what may be
// done with it: Open gives a Runner, whose Cycle is the cycle; OpenDuties
// (or Runner.Duties) gives Duties, which erase, restrict and purge and
// acknowledge and close incidents; OpenReader gives a View, which only
// reads (export-case, incidents, purge --dry-run) and has neither the lock
// nor the audit trail nor the output a cycle or a duty needs. Runner and
// Duties share the locked state (store.go); the schedule that decides
// when serve runs a cycle is package ingest/schedule.
//
// Runner.Cycle is the one cycle that both "landingd run" and the daemon's
// schedule call. Its safety rests on an order of operations:
//
//  1. a file's rows are committed in one transaction, together with its
//     ledger entry and the quarters it makes dirty;
//  2. only then is the source file moved out of the top level;
//  3. only after a quarter's outputs are written whole is it marked clean.
//
// A crash between any two steps leaves a state the next cycle completes:
// committed but unmoved files are moved (their content hash is already in
// the ledger, so they are never ingested twice), and dirty quarters are
// regenerated.
//
// Logs are slog records with the keys run_id, partner, object, verdict and
// rows; they never carry a cell value.
package ingest
