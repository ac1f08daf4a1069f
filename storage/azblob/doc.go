// Package azblob keeps landing zones and outputs in Azure Blob Storage.
//
// # Layout
//
// A zone is a container plus an optional prefix ("container/prefix"). The
// objects a district drops are the blobs directly under the prefix (no
// further "/" in their names); processed/ and rejected/ are virtual
// folders under the prefix. An output is a container plus a prefix too,
// and its names are slash-separated paths below the prefix.
//
// Neither OpenZone nor OpenOutput creates a container: a district's
// container is provisioned by the county, so a missing one is reported as
// a configuration error naming it (CreateContainer exists for tests and
// set-up scripts).
//
// # Guarantees
//
//   - Put uploads a block blob. A block blob becomes visible only when its
//     block list is committed, and the commit is atomic: readers see the
//     old blob or the whole new one. Every Put sets Content-MD5 (computed
//     while the data is spooled to a temporary file) and a Content-Type
//     chosen by the extension.
//   - Open and Output.Get read the version that was current when they
//     were called: every request carries If-Match with that version's
//     ETag, so a blob replaced mid-read is an error, never a mix of two
//     versions. A dropped connection can be resumed where it stopped
//     (Config.ReadRetries); if it cannot be, the read fails with an
//     error marked storage.Transient, never a short, clean EOF.
//   - Move is copy, check, delete, and is not atomic. The copy is made
//     server side with If-None-Match "*" on the target, so nothing is
//     overwritten; the copy's length and Content-MD5 are compared with
//     the source's before the source is deleted with If-Match on the
//     ETag it had when the move began. A retry after a failed delete
//     (storage/retry) recognises its own copy and only deletes the
//     source. A crash between the copy and the delete leaves two copies: the next run finds the top-level one
//     again, its content hash is already in the ingest ledger, and it is
//     moved again (under a timestamped name) without being ingested
//     twice. The ledger is what makes the non-atomic move safe.
//
// # Errors and secrets
//
// Errors read "azblob <op> <zone>/<object>: <cause>", where the zone is
// String() and the cause is put in words (for example "authentication
// failed (check the SAS token or account key; it may have expired)").
// They never carry the account key, the SAS token or a request URL's
// query string: the SDK's own error text, which can include the signed
// request URL, is never passed through. Network faults, timeouts,
// throttling and 5xx answers are marked storage.Transient; a missing blob
// wraps storage.ErrNotExist.
//
// # Retries
//
// Config.MaxRetries and Config.ReadRetries turn on the SDK's own retries
// of a request and resumption of a read. Zones and outputs opened from a
// protocol file (Settings) turn both off, since storage/retry is the one
// layer that retries landingd's storage, whole operations at a time.
package azblob
