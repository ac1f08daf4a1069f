// Package retry is the one retry policy for landing zones and outputs.
//
// Zone and Output wrap another storage.Zone or storage.Output and call
// it again after an error that the backend marked with
// storage.Transient, waiting between calls by exponential backoff with
// full jitter: before the n-th retry the wait is drawn uniformly from
// zero to Base·2^(n-1), capped at Cap. A call is made at most Attempts
// times and no wait is begun that would end past Budget, counted from
// the first call. Waits end at once when ctx ends, and ctx's error is
// returned with the last fault. Every other error (a missing object,
// permission, storage.ErrChanged, an unsafe name, ctx's own) is returned
// at once: only the backend knows what a retry may cure, so the backends
// classify their own errors and this package only reads the mark.
//
// The backends do not retry on their own. sftp reconnects lazily on the
// call after a connection drops, and the Azure SDK's own retries are set
// to none (see storage/azblob), so a fault is retried here and nowhere
// else.
//
// What is retried, and why it is safe, is documented on each method of
// Zone and Output. In short: a listing restarts from the beginning (the
// callback must be idempotent, as storage.Zone.List requires); an open
// is retried, a stream once returned is not (Load restarts a whole read
// instead); Put is retried only when its reader can be rewound; Move and
// Delete are retried, and a retry that finds the object gone returns
// that ErrNotExist error, since the call that failed may have done its
// work.
package retry
