package local

import "os"

// linkRemove moves from to to without ever overwriting: link fails when
// to exists. A crash between the two steps leaves both names.
func linkRemove(from, to string) error {
	if err := os.Link(from, to); err != nil {
		return err
	}
	return os.Remove(from)
}
