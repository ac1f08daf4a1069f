package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Reasons a Problem gives.
const (
	// Edited: the entry's hash does not match its content, or its prev does
	// not match the hash of the entry before it although the seqs follow
	// (that entry or this one was rewritten).
	Edited = "edited"
	// Deleted: seqs jump forward (entries are missing here), or the chain
	// starts after seq 1 without a checkpoint left by PurgeBefore.
	Deleted = "deleted"
	// OutOfOrder: an entry's seq is not after the previous one's, or a
	// missing seq turns up later in the chain.
	OutOfOrder = "out of order"
	// Truncated: the last line has no newline, or the head kept in the
	// state database is not in the log (entries were cut from the end).
	Truncated = "truncated"
	// Unparseable: the line is not an audit entry.
	Unparseable = "unparseable"
	// Ahead: the head kept in the state database is an earlier entry than
	// the log's last; the entries after it were written but the database
	// was not updated (a crash between the two), or they were added since.
	Ahead = "ahead of database"
)

// Problem names the first bad entry Verify found.
type Problem struct {
	File   string // the segment's file name, e.g. "audit-2025.jsonl"
	Line   int    // 1-based line in File; for Truncated, may be one past the last line
	Seq    int64  // the entry's seq (for Truncated, the first missing seq); 0 when unknown
	Reason string // Edited, Deleted, OutOfOrder, Truncated, Unparseable or Ahead
	Detail string // one sentence saying what was seen, without entry content
}

// String formats p for an operator, e.g.
// "audit.jsonl line 12 (seq 4013): edited: hash does not match content".
func (p *Problem) String() string {
	seq := ""
	if p.Seq > 0 {
		seq = fmt.Sprintf(" (seq %d)", p.Seq)
	}
	return fmt.Sprintf("%s line %d%s: %s: %s", p.File, p.Line, seq, p.Reason, p.Detail)
}

// position of a line in the log.
type position struct {
	file string
	line int
}

// Verify reads the whole audit log in dir and checks the chain: every
// entry's hash against its content, every prev against the hash before
// it, seqs one apart across all segments, the start (seq 1 with prev
// ZeroHash, or the last hash of a segment that PurgeBefore removed and
// checkpointed), and, when wantHead is not "", that the last entry's hash
// is wantHead.
//
// It returns a nil Problem when the chain is whole, and otherwise the first
// bad entry in chain order. The error is for I/O only (dir or a file cannot
// be read, ctx is done); a missing dir or an empty log is a whole chain
// (with wantHead "" or ZeroHash). Verify streams: memory does not grow with
// the log's size.
func Verify(ctx context.Context, dir string, wantHead string) (*Problem, error) {
	_, p, err := VerifyCount(ctx, dir, wantHead)
	return p, err
}

// VerifyCount is Verify that also returns how many entries it read: all
// of the log's when the chain is whole, so that a caller reporting the
// count need not read the log again.
func VerifyCount(ctx context.Context, dir string, wantHead string) (entries int64, p *Problem, err error) {
	segs, err := segments(dir)
	if errors.Is(err, os.ErrNotExist) {
		segs, err = nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("verify audit log %s: %w", dir, err)
	}
	v := verifier{want: wantHead, checkpoints: map[checkpointKey]bool{}}
	for _, s := range segs {
		if err := v.file(ctx, filepath.Join(dir, s.name), s.name); err != nil {
			return 0, nil, fmt.Errorf("verify audit log %s: %w", dir, err)
		}
	}
	return v.n, v.result(), nil
}

type checkpointKey struct {
	lastSeq  int64
	lastHash string
}

type verifier struct {
	want string

	n        int64 // entries read
	start    Entry // the first entry
	startPos position
	last     Entry // the previous entry (valid when n > 0 and linked)
	linked   bool  // last is usable for the next link check
	lastPos  position

	problem *Problem
	early   bool  // problem was found at or before the first entry
	gapLo   int64 // when problem is a Deleted gap, the missing seqs
	gapHi   int64

	checkpoints map[checkpointKey]bool

	wantSeen bool // wantHead was an entry's hash
	wantSeq  int64
	afterPos *position // the entry after the one whose hash is wantHead
	afterSeq int64
}

func (v *verifier) flag(pos position, seq int64, reason, detail string) {
	if v.problem != nil {
		return
	}
	v.problem = &Problem{File: pos.file, Line: pos.line, Seq: seq, Reason: reason, Detail: detail}
	v.early = v.n == 0
}

func (v *verifier) file(ctx context.Context, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	lr := newLineReader(f)
	for lineNo := 1; ; lineNo++ {
		if lineNo%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, complete, err := lr.next()
		if errors.Is(err, io.EOF) {
			v.lastPos = position{name, lineNo - 1}
			return nil
		}
		if err != nil {
			return err
		}
		pos := position{name, lineNo}
		if !complete {
			v.flag(pos, 0, Truncated, fmt.Sprintf("the line has no newline (%d bytes): a write was cut short", len(line)))
			v.linked = false
			continue
		}
		v.entry(pos, line)
	}
}

func (v *verifier) entry(pos position, line []byte) {
	e, ok, err := decode(line)
	if err != nil {
		v.flag(pos, 0, Unparseable, strings.TrimPrefix(err.Error(), errUnparseable.Error()+": "))
		v.linked = false
		return
	}
	if v.problem != nil && v.problem.Reason == Deleted && e.Seq >= v.gapLo && e.Seq <= v.gapHi {
		v.problem.Reason = OutOfOrder
		v.problem.Detail = fmt.Sprintf("seq %d appears later in the chain", e.Seq)
	}
	if !ok {
		v.flag(pos, e.Seq, Edited, "the hash does not match the entry's content")
	}
	switch {
	case v.n == 0:
		v.start, v.startPos = e, pos
	case !v.linked:
	case e.Seq <= v.last.Seq:
		v.flag(pos, e.Seq, OutOfOrder, fmt.Sprintf("seq %d follows seq %d", e.Seq, v.last.Seq))
	case e.Seq > v.last.Seq+1:
		if v.problem == nil {
			v.gapLo, v.gapHi = v.last.Seq+1, e.Seq-1
		}
		v.flag(pos, e.Seq, Deleted, fmt.Sprintf("seq %d follows seq %d: seqs %d to %d are missing", e.Seq, v.last.Seq, v.last.Seq+1, e.Seq-1))
	case e.Prev != v.last.Hash:
		v.flag(pos, e.Seq, Edited, fmt.Sprintf("prev does not match the hash of seq %d: that entry or this one was rewritten", v.last.Seq))
	}
	if ok && e.Event == EventCheckpoint {
		if k, good := checkpointOf(e); good {
			v.checkpoints[k] = true
		}
	}
	if v.wantSeen && v.afterPos == nil {
		v.afterPos, v.afterSeq = &pos, e.Seq
	}
	if v.want != "" && e.Hash == v.want && ok {
		v.wantSeen, v.wantSeq, v.afterPos = true, e.Seq, nil
	}
	v.n++
	v.last, v.linked = e, true
}

// checkpointOf reads the last seq and hash a checkpoint entry vouches for.
func checkpointOf(e Entry) (checkpointKey, bool) {
	n, _ := e.Data["last_seq"].(json.Number)
	seq, err := n.Int64()
	h, _ := e.Data["last_hash"].(string)
	if err != nil || !isHex64(h) {
		return checkpointKey{}, false
	}
	return checkpointKey{seq, h}, true
}

func (v *verifier) result() *Problem {
	if v.n > 0 && !v.early {
		genesis := v.start.Seq == 1 && v.start.Prev == ZeroHash
		if !genesis && !v.checkpoints[checkpointKey{v.start.Seq - 1, v.start.Prev}] {
			// The start comes before any other problem in chain order.
			v.problem = &Problem{File: v.startPos.file, Line: v.startPos.line, Seq: v.start.Seq, Reason: Deleted,
				Detail: fmt.Sprintf("the chain starts at seq %d but no checkpoint records the removal of the entries before it", v.start.Seq)}
		}
	}
	if v.problem != nil || v.want == "" {
		return v.problem
	}
	head := ZeroHash
	if v.n > 0 {
		head = v.last.Hash
	}
	switch {
	case v.want == head:
		return nil
	case v.wantSeen && v.afterPos != nil:
		return &Problem{File: v.afterPos.file, Line: v.afterPos.line, Seq: v.afterSeq, Reason: Ahead,
			Detail: fmt.Sprintf("the state database's head is seq %d, but the log goes on to seq %d", v.wantSeq, v.last.Seq)}
	default:
		p := &Problem{File: v.lastPos.file, Line: v.lastPos.line + 1, Seq: v.last.Seq + 1, Reason: Truncated,
			Detail: fmt.Sprintf("the head kept in the state database (%.12s…) is not in the log: entries after seq %d are missing", v.want, v.last.Seq)}
		if p.File == "" {
			p.File, p.Line = LiveName, 1
		}
		return p
	}
}
