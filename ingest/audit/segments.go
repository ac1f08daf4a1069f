package audit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
)

// LiveName is the file that receives new entries, inside the log's folder.
const LiveName = "audit.jsonl"

// sealedRE matches a sealed yearly segment's name.
var sealedRE = regexp.MustCompile(`^audit-([0-9]{4})\.jsonl$`)

// SealedName returns the name of the sealed segment for year.
func SealedName(year int) string { return fmt.Sprintf("audit-%04d.jsonl", year) }

// segment is one file of the log.
type segment struct {
	name string
	year int // 0 for the live file
}

// segments lists the log's files in chain order: sealed segments by year,
// then the live file if it exists. Other files in dir are ignored.
func segments(dir string) ([]segment, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var segs []segment
	live := false
	for _, de := range des {
		if !de.Type().IsRegular() {
			continue
		}
		if de.Name() == LiveName {
			live = true
			continue
		}
		if m := sealedRE.FindStringSubmatch(de.Name()); m != nil {
			y, _ := strconv.Atoi(m[1])
			segs = append(segs, segment{name: de.Name(), year: y})
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].year < segs[j].year })
	if live {
		segs = append(segs, segment{name: LiveName})
	}
	return segs, nil
}

// lineReader reads newline-terminated lines of at most MaxEntryBytes
// without ever holding more than that in memory.
type lineReader struct {
	r   *bufio.Reader
	buf []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next line without its newline and whether a newline
// ended it (false only for a last line cut short). A line longer than
// MaxEntryBytes is returned cut to MaxEntryBytes+1 bytes, so that decode
// rejects it. At the end it returns io.EOF. The line is valid until the
// next call.
func (lr *lineReader) next() (line []byte, complete bool, err error) {
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.r.ReadSlice('\n')
		if len(lr.buf) <= MaxEntryBytes {
			room := MaxEntryBytes + 1 - len(lr.buf)
			if len(chunk) > room {
				lr.buf = append(lr.buf, chunk[:room]...)
			} else {
				lr.buf = append(lr.buf, chunk...)
			}
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(lr.buf, []byte("\n")), true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(lr.buf) == 0 {
				return nil, false, io.EOF
			}
			return lr.buf, false, nil
		default:
			return nil, false, err
		}
	}
}

// errNoEntries is returned by tail and first for an empty file.
var errNoEntries = errors.New("no entries")

// tail reads the last line of the file at path. It returns errNoEntries
// for an empty file, an error wrapping ErrPartialTail when the file does
// not end with a newline, and an error wrapping ErrCorrupt when the last
// line is not a whole, correctly hashed entry.
func tail(path string) (Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return Entry{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Entry{}, err
	}
	size := st.Size()
	if size == 0 {
		return Entry{}, errNoEntries
	}
	// Read the last MaxEntryBytes+2 bytes: enough for the newline before
	// the longest allowed line, the line and its own newline.
	n := min(size, int64(MaxEntryBytes)+2)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-n); err != nil {
		return Entry{}, err
	}
	if buf[len(buf)-1] != '\n' {
		partial := int64(len(buf) - 1 - bytes.LastIndexByte(buf, '\n'))
		return Entry{}, fmt.Errorf("%w: %s ends with %d bytes after offset %d that have no newline",
			ErrPartialTail, filepath.Base(path), partial, size-partial)
	}
	body := buf[:len(buf)-1]
	i := bytes.LastIndexByte(body, '\n')
	if i < 0 && n < size {
		return Entry{}, fmt.Errorf("%w: the last line of %s is longer than %d bytes", ErrCorrupt, filepath.Base(path), MaxEntryBytes)
	}
	line := body[i+1:]
	e, ok, err := decode(line)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: the last line of %s: %v", ErrCorrupt, filepath.Base(path), err)
	}
	if !ok {
		return Entry{}, fmt.Errorf("%w: the last entry of %s (seq %d) does not match its hash", ErrCorrupt, filepath.Base(path), e.Seq)
	}
	return e, nil
}

// first reads the first line of the file at path and decodes it without
// checking its hash.
func first(path string) (Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return Entry{}, err
	}
	defer f.Close()
	line, _, err := newLineReader(f).next()
	if errors.Is(err, io.EOF) {
		return Entry{}, errNoEntries
	}
	if err != nil {
		return Entry{}, err
	}
	e, _, err := decode(line)
	return e, err
}
