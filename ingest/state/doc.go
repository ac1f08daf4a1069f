// Package state is landingd's memory between runs: a SQLite database (pure
// Go, modernc.org/sqlite) in the protocol's state folder, and the file lock
// that keeps one run at a time on that folder.
//
// The database holds
//   - the ledger of every source file judged (objects): where it came from,
//     its SHA-256, verdict, row counts, rule counts and where it was moved;
//   - the case store (cases): one row per (la_code, pseudonym,
//     quarter_end_date) holding the canonical values of the latest
//     submission, the file it came from and its source row;
//   - dirty quarters: quarters whose combined outputs must be regenerated,
//     marked in the same transaction as the rows that changed them;
//   - runs and their per-partner outcomes.
//
// Durability: the database runs in WAL mode with synchronous=FULL, so a
// committed file survives a crash. One file is one transaction (BeginFile,
// Put, Commit), so a crash never leaves half a file in the store.
// The schema is migrated forward automatically by Open; the version is kept
// in PRAGMA user_version and a database newer than this binary is refused.
//
// Personal data stays in its lane: the store keeps pseudonyms, never a raw
// case_ref, and no error returned by this package carries a cell value.
// The package knows nothing of the protocol file; callers pass what it needs.
package state
