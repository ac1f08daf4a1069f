package ingest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"landingd/transform"
)

// rowSpool holds a file's accepted rows on disk while the file is judged,
// so that many partners can be judged at once and the database's write
// lock is held only for the short commit. Memory stays bounded whatever
// the file's size. The spool lives in the state folder (never in a zone)
// and is removed by Close.
type rowSpool struct {
	f *os.File
	w *bufio.Writer
	n int
}

func newRowSpool(dir string) (*rowSpool, error) {
	f, err := os.CreateTemp(dir, ".spool-*")
	if err != nil {
		return nil, fmt.Errorf("create row spool: %w", err)
	}
	// The name is gone at once: a crash leaves nothing behind to clean.
	_ = os.Remove(f.Name())
	return &rowSpool{f: f, w: bufio.NewWriterSize(f, 1<<16)}, nil
}

func (s *rowSpool) writeString(v string) {
	var b [binary.MaxVarintLen64]byte
	s.w.Write(b[:binary.PutUvarint(b[:], uint64(len(v)))])
	s.w.WriteString(v)
}

// Put appends one row.
func (s *rowSpool) Put(r transform.Row) error {
	s.writeString(r.LACode)
	s.writeString(r.Pseudonym)
	s.writeString(r.QuarterEndDate)
	s.writeString(r.Quarter)
	var b [binary.MaxVarintLen64]byte
	s.w.Write(b[:binary.PutUvarint(b[:], uint64(r.SourceRow))])
	s.w.Write(b[:binary.PutUvarint(b[:], uint64(len(r.Values)))])
	for _, v := range r.Values {
		s.writeString(v)
	}
	s.n++
	return nil
}

// Replay calls fn with every row in the order they were put. The Row's
// Values slice is reused between calls.
func (s *rowSpool) Replay(fn func(transform.Row) error) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("flush row spool: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewind row spool: %w", err)
	}
	br := bufio.NewReaderSize(s.f, 1<<16)
	var scratch []byte
	readString := func() (string, error) {
		n, err := binary.ReadUvarint(br)
		if err != nil {
			return "", err
		}
		if uint64(cap(scratch)) < n {
			scratch = make([]byte, n)
		}
		_, err = io.ReadFull(br, scratch[:n])
		return string(scratch[:n]), err
	}
	var row transform.Row
	for i := 0; i < s.n; i++ {
		var err error
		fields := []*string{&row.LACode, &row.Pseudonym, &row.QuarterEndDate, &row.Quarter}
		for _, f := range fields {
			if *f, err = readString(); err != nil {
				return fmt.Errorf("read row spool: %w", err)
			}
		}
		src, err1 := binary.ReadUvarint(br)
		nv, err2 := binary.ReadUvarint(br)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("read row spool: %w", err)
		}
		row.SourceRow = int(src)
		row.Values = row.Values[:0]
		for j := uint64(0); j < nv; j++ {
			v, err := readString()
			if err != nil {
				return fmt.Errorf("read row spool: %w", err)
			}
			row.Values = append(row.Values, v)
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return nil
}

// Close removes the spool.
func (s *rowSpool) Close() error { return s.f.Close() }
