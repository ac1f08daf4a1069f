package azblob

import (
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"landingd/storage"
)

// TestFailHidesSecrets feeds fail transport errors whose text quotes a
// signed request URL, as the SDK's do, and checks what comes out.
func TestFailHidesSecrets(t *testing.T) {
	const sig = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo%3D"
	cfg := Config{ServiceURL: "https://acct.blob.core.windows.net", Container: "brentwood", SASToken: "sv=2026-06-06&sig=" + sig}
	s, err := newScope(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	signed := "https://acct.blob.core.windows.net/brentwood/q4.csv?sv=2026-06-06&sig=" + sig
	tests := []struct {
		name      string
		err       error
		want      string
		transient bool
		sentinel  error
	}{
		{"Refused", &url.Error{Op: "Get", URL: signed, Err: syscall.ECONNREFUSED}, "connection refused", true, nil},
		{"Reset", &url.Error{Op: "Get", URL: signed, Err: syscall.ECONNRESET}, "connection reset", true, nil},
		{"Truncated", &url.Error{Op: "Get", URL: signed, Err: io.ErrUnexpectedEOF}, "connection closed before the end", true, io.ErrUnexpectedEOF},
		{"Other", errors.New("Get " + signed + ": tls: bad record"), "transport error", true, nil},
		{"Timeout", &url.Error{Op: "Get", URL: signed, Err: context.DeadlineExceeded}, "request timed out", true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.fail(context.Background(), "open", s.name+"/q4.csv", tc.err)
			if strings.Contains(got.Error(), "QUJDREVG") || strings.Contains(got.Error(), "sig=") {
				t.Errorf("error holds the SAS: %v", got)
			}
			if !strings.Contains(got.Error(), tc.want) || !strings.HasPrefix(got.Error(), "azblob open azblob://acct.blob.core.windows.net/brentwood/q4.csv: ") {
				t.Errorf("error = %q, want op, object and %q", got, tc.want)
			}
			if storage.IsTransient(got) != tc.transient {
				t.Errorf("IsTransient = %v, want %v", storage.IsTransient(got), tc.transient)
			}
			if tc.sentinel != nil && !errors.Is(got, tc.sentinel) {
				t.Errorf("error does not wrap %v", tc.sentinel)
			}
			var ue *url.Error
			if errors.As(got, &ue) {
				t.Errorf("error unwraps to the SDK's *url.Error, which quotes the signed URL")
			}
		})
	}
	// A cancelled call says so and is not transient.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := s.fail(ctx, "list", s.name, &url.Error{Op: "Get", URL: signed, Err: context.Canceled})
	if !errors.Is(got, context.Canceled) || storage.IsTransient(got) || strings.Contains(got.Error(), "sig") {
		t.Errorf("cancelled: %v (transient %v)", got, storage.IsTransient(got))
	}
}
