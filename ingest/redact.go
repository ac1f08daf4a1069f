package ingest

import (
	"errors"
	"regexp"
)

var (
	urlQuery  = regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.-]*://[^\s?#"'<>]*)\?[^\s"'<>]*`)
	sigParam  = regexp.MustCompile(`(?i)\b(sig|signature|sv|se|sp|token|password|accountkey|sharedaccesssignature)=[^\s&;"'<>]*`)
	userinfoR = regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s@"'<>]+@`)
)

// Redact removes what could be a credential from an error text: URL query
// strings (an Azure SAS), user:password parts of URLs, and key=value pairs
// named like secrets. The backends already keep secrets out of their
// errors; this is the second line, applied once where a cycle's faults are
// recorded, so logs, the ledger, status, the status page and alerts all
// see the same redacted text.
func Redact(s string) string {
	s = urlQuery.ReplaceAllString(s, "$1?[redacted]")
	s = userinfoR.ReplaceAllString(s, "$1[redacted]@")
	return sigParam.ReplaceAllString(s, "$1=[redacted]")
}

// redacted is an error whose text was redacted; errors.Is and errors.As
// still see the error it wraps.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// RedactErr returns err with its text redacted (nil stays nil).
func RedactErr(err error) error {
	var r *redacted
	if err == nil || errors.As(err, &r) && r == err {
		return err
	}
	return &redacted{msg: Redact(err.Error()), err: err}
}
