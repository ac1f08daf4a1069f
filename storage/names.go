package storage

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// CheckName returns nil when name is a safe base name for an object in a
// zone folder. It returns an error wrapping ErrUnsafeName for an empty
// name, ".", or a name containing "/", "\", "..", or a NUL byte, so a name
// can never leave the folder it is meant for.
func CheckName(name string) error {
	switch {
	case name == "", name == ".":
		return fmt.Errorf("%q: %w", name, ErrUnsafeName)
	case strings.ContainsAny(name, "/\\\x00"), strings.Contains(name, ".."):
		return fmt.Errorf("%q: %w", name, ErrUnsafeName)
	}
	return nil
}

// CheckPath returns nil when name is a safe slash-separated output path
// such as "2025Q4/combined.csv". It returns an error wrapping
// ErrUnsafeName for an empty or absolute path, a path that is not clean
// (empty, "." or ".." elements, a trailing slash), one containing "\" or a
// NUL byte, or one with an element starting with "." (those names are kept
// for temporary files).
func CheckPath(name string) error {
	if name == "" || strings.HasPrefix(name, "/") || strings.ContainsAny(name, "\\\x00") ||
		path.Clean(name) != name {
		return fmt.Errorf("%q: %w", name, ErrUnsafeName)
	}
	for _, el := range strings.Split(name, "/") {
		if strings.HasPrefix(el, ".") {
			return fmt.Errorf("%q: %w", name, ErrUnsafeName)
		}
	}
	return nil
}

// CheckFolder returns nil for the folders a zone knows (Top, Processed,
// Rejected) and an error wrapping ErrUnsafeName for anything else.
func CheckFolder(f Folder) error {
	switch f {
	case Top, Processed, Rejected:
		return nil
	}
	return fmt.Errorf("folder %q: %w", string(f), ErrUnsafeName)
}

// ClashName returns the name a moved object gets when name is already
// taken in the target folder: a UTC timestamp before the extension
// ("data.csv" becomes "data.20260107T060000Z.csv"), and from n = 2 on a
// counter after it ("data.20260107T060000Z-2.csv"). n = 0 returns name
// unchanged. The result passes CheckName whenever name does.
func ClashName(name string, at time.Time, n int) string {
	if n == 0 {
		return name
	}
	ext := path.Ext(name)
	if ext == name { // ".csv" style names have no stem
		ext = ""
	}
	stem := strings.TrimSuffix(name, ext)
	stamp := at.UTC().Format("20060102T150405Z")
	if n == 1 {
		return stem + "." + stamp + ext
	}
	return fmt.Sprintf("%s.%s-%d%s", stem, stamp, n, ext)
}
