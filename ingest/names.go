package ingest

import "strings"

// ignored applies the landing-zone rule shared by every backend: hidden
// files (and landingd's own temporary files), Office lock files, partial
// uploads and reports are left alone. Every other file at a zone's top
// level is judged: .csv and .xlsx by content, anything else rejected with
// a report naming the accepted formats. Suffixes match case-insensitively.
func ignored(name string) bool {
	lower := strings.ToLower(name)
	return name == "" || strings.HasPrefix(name, ".") ||
		strings.HasPrefix(name, "~$") ||
		strings.HasSuffix(lower, ".report.txt") ||
		strings.HasSuffix(lower, ".tmp") ||
		strings.HasSuffix(lower, ".part") ||
		strings.HasSuffix(lower, ".partial") ||
		strings.HasSuffix(lower, ".filepart")
}
