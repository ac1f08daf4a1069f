//go:build windows

package local

import (
	"fmt"
	"os"
	"strings"

	"landingd/storage"
)

// openRegular opens path for reading and checks it is a regular file. A
// symbolic link, junction or other reparse point, a folder or a device is
// an ErrUnsafeName error.
//
// Windows has no O_NOFOLLOW, so the check is made around the open: the
// name is examined without following it (os.Lstat reports symbolic links
// and junctions as links, other reparse points as irregular), opened, and
// examined again; the open handle and both examinations must be the same
// regular file (os.SameFile compares volume serial and file index). A
// link swapped in between the first look and the open makes the handle a
// different file, and is refused.
func openRegular(path string) (*os.File, error) {
	before, err := os.Lstat(path)
	if err != nil {
		return nil, bare(err)
	}
	if err := checkRegular(before); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, bare(err)
	}
	fail := func(err error) (*os.File, error) {
		f.Close()
		return nil, err
	}
	opened, err := f.Stat()
	if err != nil {
		return fail(bare(err))
	}
	after, err := os.Lstat(path)
	if err != nil {
		return fail(bare(err))
	}
	if err := checkRegular(after); err != nil {
		return fail(err)
	}
	if !os.SameFile(before, opened) || !os.SameFile(opened, after) {
		return fail(fmt.Errorf("file changed while being opened: %w", storage.ErrUnsafeName))
	}
	return f, nil
}

// reservedNames are the device names Windows resolves in every folder,
// with or without an extension ("NUL.csv" is the null device).
var reservedNames = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
}

// checkLocalName refuses, with an ErrUnsafeName error, a name that
// Windows would not treat as a plain file in the folder: one with a ":"
// (a drive or an alternate data stream, "a.csv:hidden"), a device name,
// or one ending in a dot or space (which Windows strips, so two names
// would reach one file).
func checkLocalName(name string) error {
	base, _, _ := strings.Cut(name, ".")
	switch {
	case strings.ContainsAny(name, ":"),
		reservedNames[strings.ToUpper(strings.TrimRight(base, " "))],
		strings.HasSuffix(name, "."), strings.HasSuffix(name, " "):
		return fmt.Errorf("%q: %w", name, storage.ErrUnsafeName)
	}
	return nil
}
