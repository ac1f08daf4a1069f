//go:build linux

package daemon

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ReleaseFilePages hands back to the system the pages this process has
// mapped from files and never written: the executable's code and
// read-only data, and those of the shared libraries. It returns how many
// bytes were resident in the mappings it released.
//
// landingd is one large binary, and starting it (every package's
// initialisation, and the kernel mapping neighbouring pages on each fault)
// leaves much of it resident though an idle service runs a small part.
// madvise(MADV_DONTNEED) on a read-only private file mapping only unmaps
// its pages: they stay in the page cache and come back from it, unchanged,
// when next run. Writable mappings, mappings with any anonymous page (a
// page written once, as a debugger's breakpoint leaves) and the kernel's
// own ([vdso], [vvar]) are left alone, so no content is lost. The kernel
// may drop such pages at any time under memory pressure; this only does
// it sooner.
//
// It fails when /proc/self/smaps cannot be read; a mapping the kernel
// refuses to advise is skipped.
func ReleaseFilePages() (int64, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, fmt.Errorf("release file pages: %w", err)
	}
	defer f.Close()
	maps, err := readSmaps(f)
	if err != nil {
		return 0, fmt.Errorf("release file pages: read /proc/self/smaps: %w", err)
	}
	var released int64
	for _, m := range maps {
		if !m.cleanFile() || m.rssKiB == 0 {
			continue
		}
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, m.start, m.end-m.start, unix.MADV_DONTNEED); errno != 0 {
			continue
		}
		released += m.rssKiB << 10
	}
	return released, nil
}

// mapping is one entry of /proc/PID/smaps.
type mapping struct {
	start, end      uintptr
	perms           string
	inode           string
	rssKiB, anonKiB int64
}

// cleanFile reports whether m maps a file privately, read-only, with no
// page of its own: its pages can be dropped and read again.
func (m mapping) cleanFile() bool {
	return len(m.perms) == 4 && m.perms[0] == 'r' && m.perms[1] == '-' && m.perms[3] == 'p' &&
		m.inode != "0" && m.anonKiB == 0
}

// readSmaps reads the mappings of /proc/PID/smaps with their Rss and
// Anonymous sizes. A line it does not know is skipped; an entry whose
// header does not parse ends the read with an error.
func readSmaps(r io.Reader) ([]mapping, error) {
	var maps []mapping
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if !strings.HasSuffix(fields[0], ":") {
			m, err := parseMapsHeader(fields)
			if err != nil {
				return nil, err
			}
			maps = append(maps, m)
			continue
		}
		if len(maps) == 0 || len(fields) < 2 {
			continue
		}
		cur := &maps[len(maps)-1]
		switch fields[0] {
		case "Rss:":
			cur.rssKiB, _ = strconv.ParseInt(fields[1], 10, 64)
		case "Anonymous:":
			cur.anonKiB, _ = strconv.ParseInt(fields[1], 10, 64)
		}
	}
	return maps, sc.Err()
}

// parseMapsHeader reads the first line of a mapping's entry, split into
// fields: "start-end perms offset dev inode [path]". A mapping starts with
// its size unknown (Rss 0) and with an unknown anonymous size taken as
// not clean, until its own lines say otherwise.
func parseMapsHeader(fields []string) (mapping, error) {
	if len(fields) < 5 {
		return mapping{}, fmt.Errorf("mapping %q: want at least 5 fields", strings.Join(fields, " "))
	}
	lo, hi, ok := strings.Cut(fields[0], "-")
	start, err1 := strconv.ParseUint(lo, 16, 64)
	end, err2 := strconv.ParseUint(hi, 16, 64)
	if !ok || err1 != nil || err2 != nil || end <= start {
		return mapping{}, fmt.Errorf("mapping %q: bad address range", fields[0])
	}
	return mapping{start: uintptr(start), end: uintptr(end), perms: fields[1], inode: fields[4], anonKiB: -1}, nil
}
