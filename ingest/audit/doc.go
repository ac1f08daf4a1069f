// Package audit keeps landingd's append-only audit trail: a JSON-lines log
// in the state folder in which each entry carries the hash of the one
// before it, so that any edit, deletion, reordering or truncation shows.
//
// # What is recorded
//
// The run records every cycle, file verdict, disposition and output write;
// the commands record every erasure, restriction, retention purge and
// incident; and a change of the protocol file or of the field list is
// recorded by its hash. See the Event constants. A case is named by its
// erasure token, never by its pseudonym (the log outlives an erasure and
// cannot be edited), a raw case_ref or a cell value: this package cannot
// tell them apart from other strings, so that duty lies with the caller.
//
// Entries that record a deletion (erasure, purge) are committed to the
// state database with the deletion and appended here after; they carry a
// random data.record_id, so that one appended just before a crash is not
// appended again. A caller that cannot keep its database in step with the
// log halts the log (Log.Halt) rather than append past the gap.
//
// # Files
//
// New entries go to audit.jsonl (LiveName). When the first entry of a new
// year (UTC) is appended, audit.jsonl is first renamed to the sealed
// segment audit-YYYY.jsonl, named after the year of its first entry (or
// one more than the newest sealed segment, should the clock have gone
// back), and a new audit.jsonl begins. The chain runs through the sealed
// segments by year and then audit.jsonl; seqs never restart. Sealed
// segments never change, which lets retention delete them whole.
//
// # The line format and the hashing rule
//
// Each line is one JSON object with the keys in this order (the optional
// ones left out when empty):
//
//	{"seq":1,"time":"2025-01-02T03:04:05.000Z","event":"cycle.start","run_id":"…","partner":"…","object":"…","data":{…},"prev":"<64 hex>","hash":"<64 hex>"}
//
// time is RFC 3339 in UTC to the millisecond; data keys are sorted. hash is
// always the last key. The rule is textual, so an auditor needs no JSON
// library to check it:
//
//   - hash is the lowercase hex SHA-256 of the line's bytes with the final
//     `,"hash":"<64 hex>"` removed (so the hashed text ends `"prev":"…"}`);
//   - prev is the hash of the entry before it in the chain, and ZeroHash
//     (64 zeros) for seq 1;
//   - seq goes up by one from entry to entry, across segments.
//
// With a shell, jq and sha256sum:
//
//	cat audit-*.jsonl audit.jsonl | while IFS= read -r line; do
//	  got=$(printf '%s}' "${line%,\"hash\":*}" | sha256sum | cut -c1-64)
//	  [ "$got" = "$(printf '%s' "$line" | jq -r .hash)" ] || echo "edited: $line"
//	done
//	cat audit-*.jsonl audit.jsonl | jq -r '[.seq, .prev, .hash] | @tsv' |
//	  awk -F'\t' 'NR>1 && ($1 != s+1 || $2 != h) {print "broken at seq " $1} {s=$1; h=$3}'
//
// # Retention
//
// PurgeBefore deletes whole sealed segments whose entries are all older
// than the cutoff, oldest first. Before each deletion it appends a
// checkpoint entry naming the segment, its first and last seq and its last
// hash. Verify accepts a chain that starts at seq 1 with prev ZeroHash, or
// at seq N+1 whose prev is the last hash of a checkpoint for seq N found
// (with a matching hash) in the remaining chain. A segment deleted by hand
// has no checkpoint, so the first remaining entry is reported as Deleted;
// a middle segment deleted by hand breaks the seqs and prevs. Deleting
// entries from the end is caught by comparing the last hash with the head
// the caller keeps in the state database and in each manifest (Log.Head).
//
// The chain's hashes are not keyed: it shows any change that was not
// followed by rewriting every later entry and every copy of the head (the
// database, the manifests, the copies sent to an Azure output).
//
// # Durability and crashes
//
// Append writes one line with O_APPEND and fsyncs before it returns. A
// crash in the middle of a write leaves at most an incomplete last line.
// Open then refuses with ErrPartialTail and Verify reports that line as
// Truncated. The entry was never acknowledged, so the operator runs
// Repair (which cuts the line and records an EventRepair entry with the
// size and hash of the bytes cut) and then Verify, which passes again.
// When Verify reports Ahead, entries were appended after the head last
// stored in the state database, typically by a cycle that crashed before
// storing it; the entries themselves are intact.
package audit
