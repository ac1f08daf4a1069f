package transform

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"landingd/transform/table"
)

func TestJudgeLimitExceeded(t *testing.T) {
	t.Parallel()
	s := loadTestSchema(t)
	opt := testOptions()
	opt.Limits = table.Limits{MaxCellBytes: 16}
	in := hdr + "\nE07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30," + strings.Repeat("x", 17) + "\n"
	res, rows := judgeString(t, s, "in.csv", in, opt)
	if res.Verdict != Rejected || len(res.FileErrors) != 1 || res.FileErrors[0].Rule != RuleLimitExceeded {
		t.Fatalf("verdict %s, file errors %+v", res.Verdict, res.FileErrors)
	}
	if msg := res.FileErrors[0].Message; !strings.Contains(msg, "a cell of more than 16 bytes") || strings.Contains(msg, "xxx") {
		t.Errorf("message %q", msg)
	}
	_ = rows // emitted rows are the caller's to discard on Rejected
}

func TestJudgeCapsHeaderIssues(t *testing.T) {
	t.Parallel()
	s := loadTestSchema(t)
	var head strings.Builder
	head.WriteString(hdr)
	for i := range 50 {
		fmt.Fprintf(&head, ",unknown_%d", i)
	}
	opt := testOptions()
	opt.MaxIssues = 7
	res, _ := judgeString(t, s, "in.csv", head.String()+"\n", opt)
	if res.Verdict != Rejected || len(res.FileErrors) != 8 {
		t.Fatalf("verdict %s, %d file errors: %+v", res.Verdict, len(res.FileErrors), res.FileErrors)
	}
	if last := res.FileErrors[7].Message; last != "and 43 more problems with the header, not listed" {
		t.Errorf("last file error %q", last)
	}
}

// endless is a CSV that never ends: the header, then the same row.
type endless struct{ pending string }

func (e *endless) Read(p []byte) (int, error) {
	if e.pending == "" {
		e.pending = "E07000066,2025-12-31,R1,2025-12-01,da_victim,single_female,30,female\n"
	}
	n := copy(p, e.pending)
	e.pending = e.pending[n:]
	return n, nil
}

func TestJudgeFileTimeout(t *testing.T) {
	t.Parallel()
	s := loadTestSchema(t)
	opt := testOptions()
	opt.FileTimeout = 50 * time.Millisecond
	opt.Limits = table.Limits{MaxFileBytes: 1 << 50, MaxRows: 1 << 40, MaxCells: 1 << 50}
	r := io.MultiReader(strings.NewReader(hdr+"\n"), &endless{})
	res, err := Judge(context.Background(), s, testPseudonymiser(t), "in.csv", r, opt, func(Row) error { return nil })
	if err != nil {
		t.Fatalf("Judge: %v", err)
	}
	if res.Verdict != Rejected || len(res.FileErrors) != 1 || res.FileErrors[0].Rule != RuleLimitExceeded ||
		!strings.Contains(res.FileErrors[0].Message, "took more than 50ms") {
		t.Fatalf("verdict %s, file errors %+v", res.Verdict, res.FileErrors)
	}
	// The caller's own cancellation is still an error, not a verdict.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Judge(ctx, s, testPseudonymiser(t), "in.csv", strings.NewReader(hdr+"\n"), opt, func(Row) error { return nil }); err == nil {
		t.Fatal("a cancelled Judge returned a verdict")
	}
}
