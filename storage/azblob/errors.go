package azblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"syscall"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"landingd/storage"
)

// cause is an error whose text is safe to print: it never holds the SDK's
// own message, which may quote a signed request URL. It unwraps only to a
// sentinel (storage.ErrNotExist, a context error, io.ErrUnexpectedEOF),
// never to the SDK's error.
type cause struct {
	text     string
	sentinel error
}

func (c *cause) Error() string { return c.text }
func (c *cause) Unwrap() error { return c.sentinel }

// fail builds the error for operation op on object (already a safe name,
// such as the zone's String() plus a blob name) from the SDK's error err.
// ctx is the call's context: a deadline that is not ctx's own is a
// per-request timeout, which is transient.
func (s *scope) fail(ctx context.Context, op, object string, err error) error {
	text, sentinel, transient := describe(ctx, err, s.ep.container)
	text = s.scrub(text)
	e := fmt.Errorf("azblob %s %s: %w", op, object, &cause{text, sentinel})
	if transient {
		return storage.Transient(e)
	}
	return e
}

// describe puts err in words, picks the sentinel it should wrap and says
// whether a retry may cure it.
func describe(ctx context.Context, err error, container string) (text string, sentinel error, transient bool) {
	if ctxErr := ctx.Err(); ctxErr != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return ctxErr.Error(), ctxErr, false
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return describeResponse(re, container)
	}
	var nerr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "request timed out", nil, true
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before the end of the data", io.ErrUnexpectedEOF, true
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is the service reachable?)", nil, true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF):
		return "connection reset", nil, true
	case errors.As(err, &nerr):
		var dns *net.DNSError
		if errors.As(err, &dns) {
			return "cannot resolve host " + dns.Name, nil, true
		}
		if nerr.Timeout() {
			return "network timeout", nil, true
		}
		return "network error: " + innermost(err), nil, true
	}
	if isCredentialError(err) {
		return "cannot get a token for the default credential: " + firstLine(innermost(err)), nil, false
	}
	// Anything else below the HTTP layer is a transport fault.
	return "transport error: " + innermost(err), nil, true
}

func describeResponse(re *azcore.ResponseError, container string) (string, error, bool) {
	code := bloberror.Code(re.ErrorCode)
	status := fmt.Sprintf("HTTP %d", re.StatusCode)
	if code != "" {
		status += " " + string(code)
	}
	switch {
	case code == bloberror.BlobNotFound:
		return "no such blob", storage.ErrNotExist, false
	case code == bloberror.ContainerNotFound:
		return fmt.Sprintf("container %q does not exist (it must be created before use)", container), nil, false
	case code == bloberror.AuthenticationFailed, code == bloberror.InvalidAuthenticationInfo,
		code == bloberror.NoAuthenticationInformation, re.StatusCode == http.StatusUnauthorized:
		return "authentication failed (check the SAS token or account key; it may have expired) (" + status + ")", nil, false
	case code == bloberror.AuthorizationPermissionMismatch, code == bloberror.AuthorizationResourceTypeMismatch,
		code == bloberror.AuthorizationServiceMismatch:
		return "permission denied (the credential does not allow this operation on the container) (" + status + ")", nil, false
	case code == bloberror.AuthorizationSourceIPMismatch:
		return "permission denied (the credential does not allow this client's IP address) (" + status + ")", nil, false
	case code == bloberror.AuthorizationProtocolMismatch:
		return "permission denied (the credential does not allow this protocol) (" + status + ")", nil, false
	case code == bloberror.AuthorizationFailure, re.StatusCode == http.StatusForbidden:
		// Azure also answers AuthorizationFailure when a firewall rule
		// refuses the client.
		return "authentication failed (check the SAS token or account key; it may have expired; or the account's firewall refuses this client) (" + status + ")", nil, false
	case re.StatusCode == http.StatusNotFound:
		return "not found (" + status + ")", storage.ErrNotExist, false
	case re.StatusCode == http.StatusPreconditionFailed:
		return "the blob changed meanwhile (" + status + ")", nil, true
	case re.StatusCode == http.StatusRequestTimeout, re.StatusCode == http.StatusTooManyRequests,
		re.StatusCode >= 500:
		return "service unavailable or busy (" + status + ")", nil, true
	}
	return "request refused (" + status + ")", nil, false
}

// isCredentialError reports whether err came from getting a token for
// DefaultCredential, which a retry will not cure.
func isCredentialError(err error) bool {
	var af *azidentity.AuthenticationFailedError
	return errors.As(err, &af) || strings.Contains(err.Error(), "DefaultAzureCredential")
}

// innermost returns the text of the deepest error in err's chain, which
// is below any *url.Error (whose text quotes the request URL).
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// urlish matches anything that looks like a URL, to drop its query.
var urlish = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"']+`)

// scrub removes query strings from any URL in text and, belt and braces,
// every secret the scope holds.
func (s *scope) scrub(text string) string {
	text = urlish.ReplaceAllStringFunc(text, func(u string) string {
		if i := strings.IndexAny(u, "?#"); i >= 0 {
			return u[:i]
		}
		return u
	})
	for _, secret := range []string{s.ep.key, s.ep.sas} {
		if len(secret) >= 8 {
			text = strings.ReplaceAll(text, secret, "[REDACTED]")
		}
	}
	if s.ep.sas != "" {
		// Single parameters of the SAS, such as its signature, too.
		for p := range strings.SplitSeq(s.ep.sas, "&") {
			if _, v, ok := strings.Cut(p, "="); ok && len(v) >= 16 {
				text = strings.ReplaceAll(text, v, "[REDACTED]")
			}
		}
	}
	return text
}
