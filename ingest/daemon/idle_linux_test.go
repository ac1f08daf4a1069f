//go:build linux

package daemon

import (
	"bufio"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseMapsHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		line    string
		want    mapping
		wantErr bool
	}{
		{name: "code", line: "00400000-01335000 r-xp 00000000 fe:00 9978145 /usr/local/bin/landingd",
			want: mapping{start: 0x400000, end: 0x1335000, perms: "r-xp", inode: "9978145", anonKiB: -1}},
		{name: "anonymous", line: "7fb8f1230000-7fb8f1330000 rw-p 00000000 00:00 0",
			want: mapping{start: 0x7fb8f1230000, end: 0x7fb8f1330000, perms: "rw-p", inode: "0", anonKiB: -1}},
		{name: "path with spaces", line: "1000-2000 r--p 00000000 08:01 12 /opt/my app/landingd (deleted)",
			want: mapping{start: 0x1000, end: 0x2000, perms: "r--p", inode: "12", anonKiB: -1}},
		{name: "too few fields", line: "1000-2000 r--p 00000000", wantErr: true},
		{name: "no range", line: "1000 r--p 00000000 08:01 12", wantErr: true},
		{name: "not hex", line: "10zz-2000 r--p 00000000 08:01 12", wantErr: true},
		{name: "empty range", line: "2000-2000 r--p 00000000 08:01 12", wantErr: true},
		{name: "backwards", line: "3000-2000 r--p 00000000 08:01 12", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseMapsHeader(strings.Fields(tt.line))
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: error = %v, want error %v", tt.name, err, tt.wantErr)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// smapsSample is /proc/PID/smaps as Linux writes it, shortened.
const smapsSample = `00400000-01335000 r-xp 00000000 fe:00 9978145                            /usr/local/bin/landingd
Size:              16084 kB
Rss:               11156 kB
Anonymous:             0 kB
VmFlags: rd ex mr mw me
01335000-0229b000 r--p 00f35000 fe:00 9978145                            /usr/local/bin/landingd
Size:              15768 kB
Rss:                8600 kB
Anonymous:             4 kB
0229b000-0241b000 rw-p 01e9b000 fe:00 9978145                            /usr/local/bin/landingd
Rss:                 896 kB
Anonymous:           120 kB
7fb8f1230000-7fb8f1330000 rw-p 00000000 00:00 0 
Rss:                 904 kB
Anonymous:           904 kB
7fb93b2e2000-7fb93b438000 r-xp 00026000 fe:00 326269                     /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                 824 kB
7ffd1b5f4000-7ffd1b5f6000 r-xp 00000000 00:00 0                          [vdso]
Rss:                   8 kB
Anonymous:             0 kB
`

func TestReadSmaps(t *testing.T) {
	t.Parallel()
	maps, err := readSmaps(strings.NewReader(smapsSample))
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		perms string
		rss   int64
		clean bool
	}
	var got []entry
	for _, m := range maps {
		got = append(got, entry{m.perms, m.rssKiB, m.cleanFile()})
	}
	want := []entry{
		{"r-xp", 11156, true}, // the binary's code
		{"r--p", 8600, false}, // a page of it was written
		{"rw-p", 896, false},  // writable
		{"rw-p", 904, false},  // anonymous
		{"r-xp", 824, false},  // no Anonymous line: not known to be clean
		{"r-xp", 8, false},    // the kernel's own
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("readSmaps:\n got %+v\nwant %+v", got, want)
	}
	if _, err := readSmaps(strings.NewReader("Rss: 4 kB\nnot a mapping\n")); err == nil {
		t.Error("readSmaps accepted a header that does not parse")
	}
}

func FuzzReadSmaps(f *testing.F) {
	f.Add(smapsSample)
	f.Add("1000-2000 r--p 0 0:0 1 x\nRss: 9 kB\nAnonymous: 0 kB\n")
	f.Fuzz(func(t *testing.T, s string) {
		maps, err := readSmaps(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, m := range maps {
			if m.end <= m.start {
				t.Fatalf("mapping %+v: end not after start", m)
			}
		}
	})
}

// rssFileKiB reads this process's resident file pages.
func rssFileKiB(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "RssFile:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

// TestReleaseFilePages releases this test binary's clean file pages: the
// resident file pages fall, and the code runs on (its pages come back from
// the page cache as it runs).
func TestReleaseFilePages(t *testing.T) {
	// Not parallel: other tests running code would page more of the
	// binary back in between the two readings.
	before := rssFileKiB(t)
	n, err := ReleaseFilePages()
	if err != nil {
		t.Fatal(err)
	}
	after := rssFileKiB(t)
	if n <= 0 {
		t.Fatalf("released %d bytes of a %d KiB resident binary", n, before)
	}
	if after >= before {
		t.Errorf("resident file pages %d KiB before, %d KiB after releasing %d bytes", before, after, n)
	}
	t.Logf("resident file pages: %d KiB before, %d KiB after", before, after)
	// The released code still runs and reads its data.
	if _, err := readSmaps(strings.NewReader(smapsSample)); err != nil {
		t.Fatal(err)
	}
}
