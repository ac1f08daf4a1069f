package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// CheckName returns nil when name is a safe base name for an object in a
// zone folder. It returns an error wrapping ErrUnsafeName for an empty
// name, "." or "..", or a name containing "/", "\" or a NUL byte, so a
// name can never leave the folder it is meant for. ".." inside a name
// ("basildon..Q4.csv") is only dots: such a name is safe.
func CheckName(name string) error {
	switch {
	case name == "", name == ".", name == "..":
		return fmt.Errorf("%q: %w", name, ErrUnsafeName)
	case strings.ContainsAny(name, "/\\\x00"):
		return fmt.Errorf("%q: %w", name, ErrUnsafeName)
	}
	return nil
}

// MaxNameBytes is the longest name, in bytes, that landingd gives an
// object it writes into a zone: the limit of the file systems under local
// and SFTP zones (NAME_MAX). Azure allows longer names; one limit for
// every backend keeps a zone's feedback the same whatever it is.
const MaxNameBytes = 255

// ReportSuffix ends the name of the report beside a file.
const ReportSuffix = ".report.txt"

// ReportName returns the name of the report beside the object named name:
// name + ".report.txt", or, when that would be longer than MaxNameBytes,
// name cut short (at a character boundary) followed by "~" and a short
// hash of the whole name, so that two long names that begin alike still
// get different reports.
func ReportName(name string) string {
	return fitName(name, ReportSuffix)
}

// RefusedReportName returns the name of the report about an object whose
// name no zone may use (CheckName refuses it): "refused-name-" and a hash
// of the name, then ".report.txt". It is unique per name and always safe.
func RefusedReportName(name string) string {
	return "refused-name-" + nameHash(name) + ReportSuffix
}

// fitName returns stem+suffix when it fits in MaxNameBytes, and otherwise
// stem cut short, "~", a hash of stem, and suffix.
func fitName(stem, suffix string) string {
	if len(stem)+len(suffix) <= MaxNameBytes {
		return stem + suffix
	}
	h := "~" + nameHash(stem)
	keep := max(0, MaxNameBytes-len(suffix)-len(h))
	for keep > 0 && !utf8.RuneStart(stem[keep]) {
		keep--
	}
	return stem[:keep] + h + suffix
}

// nameHash is a short hash of name: 12 hex digits (48 bits), unique
// enough among one zone's names.
func nameHash(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:6])
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
// counter after it ("data.20260107T060000Z-2.csv"). A name too long for
// that and its report to fit MaxNameBytes has its stem cut short with a
// hash (see ReportName). n = 0 returns name unchanged. The result passes
// CheckName whenever name does.
func ClashName(name string, at time.Time, n int) string {
	if n == 0 {
		return name
	}
	ext := path.Ext(name)
	if ext == name || len(ext) > 16 { // ".csv" style names have no stem; a long "extension" is no extension
		ext = ""
	}
	stem := strings.TrimSuffix(name, ext)
	stamp := at.UTC().Format("20060102T150405Z")
	tail := "." + stamp + ext
	if n > 1 {
		tail = fmt.Sprintf(".%s-%d%s", stamp, n, ext)
	}
	// A name near MaxNameBytes is shortened (see fitName), so that the
	// moved file, and its report, can still be written.
	return fitStem(stem, tail)
}

// fitStem returns stem+tail, shortening stem as fitName does so that the
// result leaves room for ReportSuffix as well.
func fitStem(stem, tail string) string {
	r := fitName(stem, tail+ReportSuffix)
	return strings.TrimSuffix(r, ReportSuffix)
}
