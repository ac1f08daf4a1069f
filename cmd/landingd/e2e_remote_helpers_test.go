package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"landingd/storage/storagetest"
	"landingd/transform/synth"
)

// The end-to-end tests over remote zones: a protocol whose partners sit
// on local folders, on a real sshd and on a real Azurite, all on this
// machine, driven through the built binary.

// azureEnv names the variable that carries the Azure secret to the child
// process: a connection string, an account key or a SAS, as the test sets.
const azureEnv = "LANDINGD_E2E_AZURE"

// remoteLab is a lab whose partners may sit on SFTP or Azure as well.
type remoteLab struct {
	*lab
	kinds map[string]string // partner id -> local | sftp | azblob

	// SFTP zones sit in sftpRoot/<partner id> on sshd.
	sshd     *storagetest.SSHD
	sftpRoot string
	sftpAddr string // sshd.Addr, or a relay in front of it
	// sftpHostKey is the YAML for the host key check; known_hosts by
	// default.
	sftpHostKey string

	// Azure zones are the blobs under "<partner id>/" in container.
	az        *storagetest.Azurite
	azURL     string // az.ServiceURL, or a relay in front of it
	container string
	// azAuth is the YAML auth block; a connection string in azureEnv by
	// default.
	azAuth string
	// output is the YAML output block; local out/ by default.
	output string
	// env is added to the child's environment.
	env []string
}

// newRemoteLab makes a lab over the given districts (all 12 when ids is
// empty) with every zone local; set kinds, then call writeProtocol.
func newRemoteLab(t *testing.T, key string, ids ...string) *remoteLab {
	t.Helper()
	m := &remoteLab{lab: newLab(t, key, ids...), kinds: map[string]string{}}
	for _, d := range m.partners {
		m.kinds[d.ID] = "local"
	}
	return m
}

// useSFTP puts the named partners on sshd, each in a fresh folder.
func (m *remoteLab) useSFTP(t *testing.T, s *storagetest.SSHD, ids ...string) {
	t.Helper()
	if m.sshd == nil {
		m.sshd, m.sftpRoot, m.sftpAddr = s, s.NewRoot(t), s.Addr
		m.sftpHostKey = fmt.Sprintf("known_hosts: %q", s.KnownHostsFile)
	}
	for _, id := range ids {
		m.kinds[id] = "sftp"
		must(t, os.MkdirAll(filepath.Join(m.sftpRoot, id), 0o750))
	}
}

// useAzure puts the named partners in a fresh container on az.
func (m *remoteLab) useAzure(t *testing.T, az *storagetest.Azurite, ids ...string) {
	t.Helper()
	if m.az == nil {
		m.az, m.azURL, m.container = az, az.ServiceURL, az.NewContainer(t)
		m.azAuth = "{connection_string_env: " + azureEnv + "}"
		m.env = append(m.env, azureEnv+"="+az.ConnectionString)
	}
	for _, id := range ids {
		m.kinds[id] = "azblob"
	}
}

// writeProtocol (re)writes protocol.yaml from the lab's settings.
func (m *remoteLab) writeProtocol(t *testing.T) {
	t.Helper()
	out := m.output
	if out == "" {
		out = "{kind: local, path: out}"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `protocol: {id: e2e, title: "End-to-end test", lead: {name: Essex County Council, gss: E10000012}, review_date: 2030-10-01}
schema: hclic-da.schema.json
filter: {field: reasonloss, keep: [da_victim, da_alleged_perpetrator, da_retired]}
pseudonymise: {key_file: keys/pseudonym.key}
stable_after: 0s
state: state
output: %s
partners:
`, out)
	for _, d := range m.partners {
		var zone string
		switch m.kinds[d.ID] {
		case "local":
			zone = "{kind: local, path: landing/" + d.ID + "}"
		case "sftp":
			zone = fmt.Sprintf("{kind: sftp, address: %q, user: %q, path: %q, key_file: %q, %s}",
				m.sftpAddr, m.sshd.User, path.Join(filepath.ToSlash(m.sftpRoot), d.ID), m.sshd.ClientKeyFile, m.sftpHostKey)
		case "azblob":
			zone = fmt.Sprintf("{kind: azblob, service_url: %q, container: %s, prefix: %s, allow_http: true, auth: %s}",
				m.azURL, m.container, d.ID, m.azAuth)
		}
		fmt.Fprintf(&b, "  - {id: %s, name: %q, gss: %s, dpo_email: dpo@%s.example, landing: %s}\n",
			d.ID, d.Name, d.GSS, strings.ReplaceAll(d.ID, "_", ""), zone)
	}
	must(t, os.WriteFile(m.protocol, []byte(b.String()), 0o644))
}

// place puts a district's file into its zone out of band, as the
// district's own upload would.
func (m *remoteLab) place(t *testing.T, id, name string, data []byte) {
	t.Helper()
	switch m.kinds[id] {
	case "local", "sftp":
		dir := filepath.Join(m.dir, "landing", id)
		if m.kinds[id] == "sftp" {
			dir = filepath.Join(m.sftpRoot, id)
		}
		tmp := filepath.Join(dir, ".upload-"+name)
		must(t, os.WriteFile(tmp, data, 0o640))
		must(t, os.Rename(tmp, filepath.Join(dir, name)))
	case "azblob":
		if _, err := m.az.Client().UploadBuffer(context.Background(), m.container, id+"/"+name, data, nil); err != nil {
			t.Fatalf("upload %s/%s: %v", id, name, err)
		}
	}
}

// quarterDrop writes one quarter's synthetic files, as quarterDrop does
// for a local lab, and places each in its district's zone.
func (m *remoteLab) quarterDrop(t *testing.T, q string, rows int) {
	t.Helper()
	stage := t.TempDir()
	paths, err := synth.QuarterDrop(stage, m.schema, q, rows, 7)
	must(t, err)
	for _, p := range paths {
		id := filepath.Base(filepath.Dir(p))
		if _, ok := m.kinds[id]; !ok {
			continue
		}
		data, err := os.ReadFile(p)
		must(t, err)
		m.place(t, id, filepath.Base(p), data)
	}
}

// dropSpec writes one synthetic file for a district into its zone and
// returns its bytes.
func (m *remoteLab) dropSpec(t *testing.T, id, name string, spec synth.Spec) []byte {
	t.Helper()
	d, _ := synth.DistrictByID(id)
	spec.District = d
	var buf bytes.Buffer
	must(t, synth.Write(&buf, m.schema, spec))
	m.place(t, id, name, buf.Bytes())
	return buf.Bytes()
}

// zoneFiles lists the files directly in a partner's zone folder ("" for
// the top), sorted.
func (m *remoteLab) zoneFiles(t *testing.T, id, folder string) []string {
	t.Helper()
	var names []string
	switch m.kinds[id] {
	case "local", "sftp":
		dir := filepath.Join(m.dir, "landing", id, folder)
		if m.kinds[id] == "sftp" {
			dir = filepath.Join(m.sftpRoot, id, folder)
		}
		ents, err := os.ReadDir(dir)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, e := range ents {
			if !e.IsDir() {
				names = append(names, e.Name())
			}
		}
	case "azblob":
		prefix := id + "/"
		if folder != "" {
			prefix += folder + "/"
		}
		for name := range m.blobs(t, prefix) {
			if !strings.Contains(name, "/") {
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	return names
}

// zoneRead returns a file from a partner's zone folder.
func (m *remoteLab) zoneRead(t *testing.T, id, folder, name string) []byte {
	t.Helper()
	switch m.kinds[id] {
	case "azblob":
		prefix := id + "/"
		if folder != "" {
			prefix += folder + "/"
		}
		b, ok := m.blobs(t, prefix)[name]
		if !ok {
			t.Fatalf("no blob %s%s", prefix, name)
		}
		return b
	case "sftp":
		b, err := os.ReadFile(filepath.Join(m.sftpRoot, id, folder, name))
		must(t, err)
		return b
	}
	b, err := os.ReadFile(filepath.Join(m.dir, "landing", id, folder, name))
	must(t, err)
	return b
}

// blobs downloads every blob in the lab's container under prefix, keyed
// by the rest of its name.
func (m *remoteLab) blobs(t *testing.T, prefix string) map[string][]byte {
	t.Helper()
	return containerBlobs(t, m.az, m.container, prefix)
}

func containerBlobs(t *testing.T, az *storagetest.Azurite, container, prefix string) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	c := az.Client()
	out := map[string][]byte{}
	pager := c.NewListBlobsFlatPager(container, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list %s: %v", container, err)
		}
		for _, item := range page.Segment.BlobItems {
			name := *item.Name
			if !strings.HasPrefix(name, prefix) {
				continue
			}
			r, err := c.DownloadStream(ctx, container, name, nil)
			if err != nil {
				t.Fatalf("download %s: %v", name, err)
			}
			b, err := io.ReadAll(r.Body)
			r.Body.Close()
			must(t, err)
			out[strings.TrimPrefix(name, prefix)] = b
		}
	}
	return out
}

// azureOutputs returns the visible outputs in an Azure output container,
// keyed like lab.outputs.
func azureOutputs(t *testing.T, az *storagetest.Azurite, container string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, b := range containerBlobs(t, az, container, "") {
		if !strings.HasPrefix(path.Base(name), ".") {
			out[name] = b
		}
	}
	return out
}

// checkRemoteNoRawCaseRefs extends lab.checkNoRawCaseRefs to the reports
// landingd wrote into SFTP and Azure zones.
func (m *remoteLab) checkRemoteNoRawCaseRefs(t *testing.T, printed ...result) {
	t.Helper()
	m.checkNoRawCaseRefs(t, printed...)
	if m.sftpRoot != "" {
		assertNoRawCaseRefs(t, m.sftpRoot, func(p string) bool { return !strings.HasSuffix(p, ".report.txt") })
	}
	if m.az != nil {
		for name, b := range m.blobs(t, "") {
			if strings.HasSuffix(name, ".report.txt") && rawCaseRef.Match(b) {
				t.Errorf("blob %s holds a raw case_ref", name)
			}
		}
	}
}

// run runs `landingd run` over the lab with its environment.
func (m *remoteLab) run(t *testing.T, args ...string) result {
	t.Helper()
	return runEnv(t, m.dir, m.env, append([]string{"run", "--config", m.protocol}, args...)...)
}

// summaryLine returns the line of run's summary table for partner id.
func summaryLine(r result, id string) string {
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 0 && f[0] == id {
			return sc.Text()
		}
	}
	return ""
}

// partnerRows returns the rows of a combined CSV whose la_code is gss.
func partnerRows(t *testing.T, combined []byte, gss string) int {
	t.Helper()
	if combined == nil {
		return 0
	}
	n := 0
	for _, r := range csvRows(t, combined)[1:] {
		if r[0] == gss {
			n++
		}
	}
	return n
}

func gssOf(id string) string {
	d, _ := synth.DistrictByID(id)
	return d.GSS
}

// relay is a loopback TCP relay in front of a server that counts the
// bytes the server sends and, once they pass trip, calls onTrip once:
// the test's hook for a fault in the middle of a download. While
// refusing, it closes every new connection at once, as a stopped server
// would.
type relay struct {
	Addr string

	target   string
	ln       net.Listener
	trip     int64
	onTrip   func()
	down     atomic.Int64
	tripped  atomic.Bool
	refusing atomic.Bool

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// startRelay starts a relay to target, closed when t ends. trip <= 0
// never trips.
func startRelay(t *testing.T, target string, trip int64, onTrip func()) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	r := &relay{Addr: ln.Addr().String(), target: target, ln: ln, trip: trip, onTrip: onTrip, conns: map[net.Conn]struct{}{}}
	r.wg.Go(r.accept)
	t.Cleanup(func() {
		ln.Close()
		r.cut()
		r.wg.Wait()
	})
	return r
}

func (r *relay) accept() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		if r.refusing.Load() {
			c.Close()
			continue
		}
		r.wg.Go(func() { r.serve(c) })
	}
}

func (r *relay) serve(c net.Conn) {
	s, err := net.Dial("tcp", r.target)
	if err != nil {
		c.Close()
		return
	}
	r.mu.Lock()
	r.conns[c], r.conns[s] = struct{}{}, struct{}{}
	r.mu.Unlock()
	var wg sync.WaitGroup
	wg.Go(func() {
		_, _ = io.Copy(s, c)
		s.Close()
		c.Close()
	})
	wg.Go(func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := s.Read(buf)
			if n > 0 {
				if _, werr := c.Write(buf[:n]); werr != nil {
					break
				}
				if r.trip > 0 && r.down.Add(int64(n)) > r.trip && !r.tripped.Swap(true) {
					r.onTrip()
				}
			}
			if err != nil {
				break
			}
		}
		s.Close()
		c.Close()
	})
	wg.Wait()
	r.mu.Lock()
	delete(r.conns, c)
	delete(r.conns, s)
	r.mu.Unlock()
}

// cut closes every connection through the relay, both ways.
func (r *relay) cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.conns {
		c.Close()
	}
}

// refuse makes the relay close open and new connections until allow.
func (r *relay) refuse() {
	r.refusing.Store(true)
	r.cut()
}

func (r *relay) allow() { r.refusing.Store(false) }
