package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Repair cuts an incomplete last line, left by a crash in the middle of an
// Append, from the newest file of the log in dir, and records the cut in
// an EventRepair entry (Data: file, offset, bytes and the sha256 of the
// bytes removed). That entry was never acknowledged by Append, so nothing
// of the audit trail is lost. It returns the number of bytes cut: 0, and
// no entry, when the log ends with a whole line.
//
// Repair runs under the caller's state lock, like any writer. It removes
// nothing but the bytes after the last newline; a damaged whole line is
// left for Verify to report.
func Repair(ctx context.Context, dir string) (int64, error) {
	segs, err := segments(dir)
	if err != nil {
		return 0, fmt.Errorf("repair audit log %s: %w", dir, err)
	}
	if len(segs) == 0 {
		return 0, nil
	}
	name := segs[len(segs)-1].name
	path := filepath.Join(dir, name)
	cut, sum, off, err := cutPartial(path)
	if err != nil {
		return 0, fmt.Errorf("repair audit %s: %w", name, err)
	}
	if cut == 0 {
		return 0, nil
	}
	l, err := Open(ctx, dir)
	if err != nil {
		return cut, fmt.Errorf("repair audit %s: %w", name, err)
	}
	_, err = l.appendLocked(ctx, Entry{Event: EventRepair, Object: name, Data: map[string]any{
		"file": name, "offset": off, "bytes": cut, "sha256": sum,
	}})
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return cut, fmt.Errorf("repair audit %s: %w", name, err)
	}
	return cut, nil
}

// cutPartial truncates path after its last newline and fsyncs it. It
// refuses to cut more than MaxEntryBytes: no Append writes that much, so
// such a tail is not a write cut short and is left for a person to judge.
func cutPartial(path string) (cut int64, sum string, off int64, err error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, "", 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, "", 0, err
	}
	size := st.Size()
	n := min(size, int64(MaxEntryBytes)+1)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-n); err != nil && !errors.Is(err, io.EOF) {
		return 0, "", 0, err
	}
	i := bytes.LastIndexByte(buf, '\n')
	switch {
	case i == len(buf)-1 || n == 0:
		return 0, "", 0, nil
	case i < 0 && n < size:
		return 0, "", 0, fmt.Errorf("%w: the last %d bytes hold no newline, more than any entry", ErrCorrupt, n)
	}
	off = size - n + int64(i) + 1
	h := sha256.Sum256(buf[i+1:])
	if err := f.Truncate(off); err != nil {
		return 0, "", 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, "", 0, err
	}
	return size - off, hex.EncodeToString(h[:]), off, nil
}
