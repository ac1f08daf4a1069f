//go:build !linux

package local

// renameNoReplace renames from to to, failing with an error satisfying
// errors.Is(err, fs.ErrExist) when to exists, by link and remove.
func renameNoReplace(from, to string) error { return linkRemove(from, to) }
