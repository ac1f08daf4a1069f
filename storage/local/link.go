package local

import (
	"errors"
	"os"
)

// linkRemove moves from to to without ever overwriting: link fails when
// to exists. A crash between the two steps leaves both names.
func linkRemove(from, to string) error { return linkThenRemove(from, to, os.Remove) }

// linkThenRemove is linkRemove removing with remove. When the remove
// fails, the new name is taken back, so that a retry of the move (the
// error may be transient, such as a file another process holds open on
// Windows) starts where this call did instead of finding its own link
// and filing the file a second time under a clash name.
func linkThenRemove(from, to string, remove func(string) error) error {
	if err := os.Link(from, to); err != nil {
		return err
	}
	if err := remove(from); err != nil {
		return errors.Join(err, os.Remove(to))
	}
	return nil
}
