package ingest

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

func TestRedactErrKeepsTheCauseAndHidesTheSecret(t *testing.T) {
	t.Parallel()
	err := RedactErr(fmt.Errorf("open zone: GET https://acct.blob.core.windows.net/c?sv=2024&sig=SECRETSIG: %w", fs.ErrNotExist))
	if strings.Contains(err.Error(), "SECRETSIG") || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("redacted text: %q", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("redaction hid the cause from errors.Is")
	}
	if RedactErr(nil) != nil {
		t.Error("nil became an error")
	}
	if again := RedactErr(err); again != err {
		t.Error("a redacted error was wrapped again")
	}
}
