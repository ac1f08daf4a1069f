package local

import "landingd/storage"

// classify marks *err with storage.Transient when the system said that
// the same call may succeed if made again (transientErrno): an
// interrupted call, a resource busy for now, a network file system that
// timed out. Everything else a file system answers (a missing file,
// permission, a full disk, a name taken) is left unmarked, so that it
// is never retried. skip, when not nil, is an error to leave as it is
// (a List callback's, which List returns as is).
func classify(err *error, skip error) {
	if *err == nil || *err == skip || storage.IsTransient(*err) {
		return
	}
	if transientErrno(*err) {
		*err = storage.Transient(*err)
	}
}
