package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	azb "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"golang.org/x/crypto/ssh"

	"landingd/internal/testtier"
	"landingd/storage/storagetest"
	"landingd/transform/synth"
)

// splitKinds deals the 12 districts over SFTP, Azure and local folders,
// four each, so that every kind gets some xlsx and some CSV habits.
func splitKinds() (sftpIDs, azIDs, localIDs []string) {
	for i, d := range synth.Districts() {
		switch i % 3 {
		case 0:
			sftpIDs = append(sftpIDs, d.ID)
		case 1:
			azIDs = append(azIDs, d.ID)
		default:
			localIDs = append(localIDs, d.ID)
		}
	}
	return sftpIDs, azIDs, localIDs
}

func TestE2EMixedZonesMatchAllLocal(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	s := storagetest.StartSSHD(t)
	az := storagetest.StartAzurite(t)

	ref := newLab(t, "")
	quarterDrop(t, ref, "2025Q4", 200)
	if r := ref.run(t); r.code != 0 {
		t.Fatalf("all-local run: exit %d\n%s", r.code, r.stderr)
	}
	want := ref.outputs(t)
	sftpIDs, azIDs, _ := splitKinds()

	for _, outKind := range []string{"local", "azblob"} {
		t.Run("output "+outKind, func(t *testing.T) {
			t.Parallel()
			m := newRemoteLab(t, ref.keySource)
			m.useSFTP(t, s, sftpIDs...)
			m.useAzure(t, az, azIDs...)
			var outContainer string
			if outKind == "azblob" {
				outContainer = az.NewContainer(t)
				m.output = fmt.Sprintf("{kind: azblob, service_url: %q, container: %s, allow_http: true, auth: {connection_string_env: %s}}",
					az.ServiceURL, outContainer, azureEnv)
				// Nothing is written locally: an empty out/ keeps the
				// local checks honest.
				must(t, os.MkdirAll(filepath.Join(m.dir, "out"), 0o750))
			}
			m.writeProtocol(t)
			m.quarterDrop(t, "2025Q4", 200)

			r := m.run(t)
			if r.code != 0 {
				t.Fatalf("mixed run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			var got map[string][]byte
			if outKind == "azblob" {
				got = azureOutputs(t, az, outContainer)
				if local := m.outputs(t); len(local) > 0 {
					t.Errorf("an Azure output also wrote local files: %v", sortedKeys(local))
				}
				for _, name := range []string{"2025Q4/combined.csv", "2025Q4/combined.xlsx", "2025Q4/manifest.json"} {
					if _, ok := got[name]; !ok {
						t.Errorf("no blob %s in the output container: %v", name, sortedKeys(got))
					}
				}
				for name, b := range got {
					if rawCaseRef.Match(b) {
						t.Errorf("output blob %s holds a raw case_ref", name)
					}
					// A copy of the audit log goes beside the data on a
					// remote output; the all-local run keeps it in state/.
					if strings.HasPrefix(name, "audit/") {
						delete(got, name)
					}
				}
			} else {
				got = m.outputs(t)
			}
			assertSameOutputs(t, want, got)

			for _, d := range m.partners {
				kind := m.kinds[d.ID]
				if top := m.zoneFiles(t, d.ID, ""); len(top) > 0 {
					t.Errorf("%s (%s): %v left at the top of the zone", d.ID, kind, top)
				}
				processed := m.zoneFiles(t, d.ID, "processed")
				var data []string
				for _, n := range processed {
					if !strings.HasSuffix(n, ".report.txt") {
						data = append(data, n)
					}
				}
				if len(data) != 1 {
					t.Errorf("%s (%s): processed/ holds %v, want the one file", d.ID, kind, processed)
					continue
				}
				// Every synthetic file has rows outside the agreement's
				// scope, so each gets a report beside it.
				report := m.zoneRead(t, d.ID, "processed", data[0]+".report.txt")
				if !strings.Contains(string(report), "out of scope:") || !strings.Contains(string(report), data[0]) {
					t.Errorf("%s (%s): the report beside %s does not count out-of-scope rows:\n%s", d.ID, kind, data[0], report)
				}
			}
			m.checkRemoteNoRawCaseRefs(t, r)

			again := m.run(t)
			if again.code != 0 || !strings.Contains(again.stdout, "Nothing new was ingested") {
				t.Errorf("second run: exit %d\n%s\n%s", again.code, again.stdout, again.stderr)
			}
			m.checkRemoteNoRawCaseRefs(t, again)
		})
	}
}

// bigRows makes a CSV that takes a moment to download: some 14 MB.
const bigRows = 40_000

// tripBytes is how much of a download passes before a fault test breaks
// it: well inside a bigRows file.
const tripBytes = 2 << 20

// TestE2ESFTPFaultDuringDownload breaks an SFTP download part-way: once
// by cutting the connection (sshd stays up), once by killing sshd, which
// then stays down for the rest of the run. Either the file is taken on a
// retry, or the partner is reported failed with nothing of the file
// ingested; either way the next run takes it and the outputs match a run
// without faults.
func TestE2ESFTPFaultDuringDownload(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	s := storagetest.StartSSHD(t)
	ref := newLab(t, "", "basildon", "castle_point")
	spec := synth.Spec{Quarters: []string{"2025Q4"}, Rows: bigRows, Seed: 21}
	small := synth.Spec{Quarters: []string{"2025Q4"}, Rows: 100, Seed: 22}
	ref.drop(t, "basildon", "basildon_2025Q4.csv", spec)
	ref.drop(t, "castle_point", "cp.csv", small)
	if r := ref.run(t); r.code != 0 {
		t.Fatalf("reference run: exit %d\n%s", r.code, r.stderr)
	}
	want := ref.outputs(t)
	gss := gssOf("basildon")

	for _, fault := range []string{"connection cut", "sshd killed"} {
		t.Run(fault, func(t *testing.T) {
			t.Parallel()
			s := s
			if fault == "sshd killed" {
				// A server of its own: killing the shared one would break
				// the tests that run beside this one.
				s = storagetest.StartSSHDWith(t, storagetest.SSHDOptions{})
			}
			var killed atomic.Bool // set by the relay's goroutine
			t.Cleanup(func() {
				if killed.Load() {
					s.Restart(t)
				}
			})
			var rl *relay
			rl = startRelay(t, s.Addr, tripBytes, func() {
				if fault == "sshd killed" {
					s.Kill(t)
					killed.Store(true)
				} else {
					rl.cut()
				}
			})
			m := newRemoteLab(t, ref.keySource, "basildon", "castle_point")
			m.useSFTP(t, s, "basildon")
			// The relay's port is not the one in known_hosts: pin the
			// fingerprint instead.
			m.sftpAddr = rl.Addr
			m.sftpHostKey = "host_key_fingerprint: " + s.HostKeyFingerprint
			m.writeProtocol(t)
			data := m.dropSpec(t, "basildon", "basildon_2025Q4.csv", spec)
			m.dropSpec(t, "castle_point", "cp.csv", small)
			if len(data) < 4*tripBytes {
				t.Fatalf("the file is only %d bytes: the fault would not land mid-download", len(data))
			}

			r := m.run(t)
			if !rl.tripped.Load() {
				t.Fatal("the fault never happened: the download moved less than tripBytes through the relay")
			}
			t.Logf("first run: exit %d; %s\n%s", r.code, strings.SplitN(r.stdout, "\n", 2)[0], summaryLine(r, "basildon"))
			switch r.code {
			case 0:
				// Retried: taken once, in full.
				if !strings.Contains(r.stderr, "retrying after a transient fault") {
					t.Errorf("exit 0 after a fault with no retry logged:\n%s", r.stderr)
				}
				assertSameOutputs(t, want, m.outputs(t))
			case 1:
				line := summaryLine(r, "basildon")
				if !strings.Contains(line, "FAILED") {
					t.Errorf("exit 1 but basildon is not reported failed:\n%s", r.stdout)
				}
				if strings.Contains(summaryLine(r, "castle_point"), "FAILED") {
					t.Errorf("the local partner failed too:\n%s", r.stdout)
				}
				if n := partnerRows(t, m.outputs(t)["2025Q4/combined.csv"], gss); n != 0 {
					t.Errorf("%d rows of the failed file reached the output", n)
				}
				if top := m.zoneFiles(t, "basildon", ""); len(top) != 1 || top[0] != "basildon_2025Q4.csv" {
					t.Errorf("the failed file is not back at the top of the zone: %v", top)
				}
				if p := m.zoneFiles(t, "basildon", "processed"); len(p) > 0 {
					t.Errorf("processed/ holds %v after a failed download", p)
				}
				if killed.Swap(false) {
					s.Restart(t)
				}
				again := m.run(t)
				if again.code != 0 {
					t.Fatalf("run after the fault: exit %d\n%s\n%s", again.code, again.stdout, again.stderr)
				}
				assertSameOutputs(t, want, m.outputs(t))
				r = again
			default:
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			if got := m.zoneFiles(t, "basildon", "processed"); len(got) == 0 || got[0] != "basildon_2025Q4.csv" {
				t.Errorf("processed/ = %v", got)
			}
			if top := m.zoneFiles(t, "basildon", ""); len(top) > 0 {
				t.Errorf("%v left at the top of the zone", top)
			}
			m.checkRemoteNoRawCaseRefs(t, r)
		})
	}
}

// TestE2EAzuriteStoppedDuringRun stops Azurite while an Azure partner's
// file is downloading: that partner fails with its file left in place,
// the local partners complete and their outputs are written, and the run
// after Azurite comes back takes the file.
func TestE2EAzuriteStoppedDuringRun(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	az := storagetest.StartAzurite(t) // its own: this test stops it
	ref := newLab(t, "", "brentwood", "harlow", "maldon")
	spec := synth.Spec{Quarters: []string{"2025Q4"}, Rows: bigRows, Seed: 31}
	ref.drop(t, "brentwood", "brentwood q4.csv", spec)
	ref.drop(t, "harlow", "h.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 80, Seed: 32})
	ref.drop(t, "maldon", "m.xlsx", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 80, Seed: 33, Format: "xlsx"})
	if r := ref.run(t); r.code != 0 {
		t.Fatalf("reference run: exit %d\n%s", r.code, r.stderr)
	}
	want := ref.outputs(t)

	// The relay stands for the service: when tripBytes of the download have
	// passed it refuses every connection, at once, and Azurite is stopped
	// behind it.
	stopped := make(chan struct{})
	var rl *relay
	rl = startRelay(t, fmt.Sprintf("127.0.0.1:%d", az.Port), tripBytes, func() {
		rl.refuse()
		go func() { az.Stop(); close(stopped) }()
	})
	m := newRemoteLab(t, ref.keySource, "brentwood", "harlow", "maldon")
	m.useAzure(t, az, "brentwood")
	m.azURL = fmt.Sprintf("http://%s/%s", rl.Addr, storagetest.AzuriteAccount)
	m.azAuth = fmt.Sprintf("{account_name: %s, account_key_env: %s}", storagetest.AzuriteAccount, azureEnv)
	m.env = []string{azureEnv + "=" + az.AccountKey}
	m.writeProtocol(t)
	m.dropSpec(t, "brentwood", "brentwood q4.csv", spec)
	m.dropSpec(t, "harlow", "h.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 80, Seed: 32})
	m.dropSpec(t, "maldon", "m.xlsx", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 80, Seed: 33, Format: "xlsx"})

	r := m.run(t)
	if !rl.tripped.Load() {
		t.Fatal("Azurite was never stopped: the download moved less than tripBytes")
	}
	<-stopped
	t.Logf("run with Azurite stopped: exit %d; %s\n%s", r.code, strings.SplitN(r.stdout, "\n", 2)[0], summaryLine(r, "brentwood"))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(summaryLine(r, "brentwood"), "FAILED") {
		t.Errorf("brentwood is not reported failed:\n%s", r.stdout)
	}
	for _, id := range []string{"harlow", "maldon"} {
		if strings.Contains(summaryLine(r, id), "FAILED") {
			t.Errorf("%s failed too:\n%s", id, r.stdout)
		}
		if len(m.zoneFiles(t, id, "processed")) == 0 {
			t.Errorf("%s's file was not processed", id)
		}
	}
	combined := m.outputs(t)["2025Q4/combined.csv"]
	if partnerRows(t, combined, gssOf("harlow")) == 0 || partnerRows(t, combined, gssOf("maldon")) == 0 {
		t.Errorf("the local partners' rows are not in the output")
	}
	if n := partnerRows(t, combined, gssOf("brentwood")); n != 0 {
		t.Errorf("%d rows of brentwood's unfinished file reached the output", n)
	}
	m.checkNoRawCaseRefs(t, r)

	az.Start()
	rl.allow()
	if top := m.zoneFiles(t, "brentwood", ""); len(top) != 1 || top[0] != "brentwood q4.csv" {
		t.Fatalf("brentwood's file is not at the top of its zone: %v", top)
	}
	again := m.run(t)
	if again.code != 0 {
		t.Fatalf("run after Azurite came back: exit %d\n%s\n%s", again.code, again.stdout, again.stderr)
	}
	assertSameOutputs(t, want, m.outputs(t))
	if got := m.zoneFiles(t, "brentwood", "processed"); len(got) == 0 || got[0] != "brentwood q4.csv" {
		t.Errorf("brentwood processed/ = %v", got)
	}
	m.checkRemoteNoRawCaseRefs(t, again)
}

// TestE2EWrongHostKeyIsRefused runs against an sshd whose host key is not
// the one in known_hosts (or the pinned fingerprint): the partner is
// refused at once, with a message naming the host and the fingerprint
// the server presented, and the other partner completes.
func TestE2EWrongHostKeyIsRefused(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	s := storagetest.StartSSHD(t)
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	other, err := ssh.NewPublicKey(pub)
	must(t, err)
	wrongKH := filepath.Join(t.TempDir(), "known_hosts")
	must(t, os.WriteFile(wrongKH, fmt.Appendf(nil, "[127.0.0.1]:%s %s", strings.TrimPrefix(s.Addr, "127.0.0.1:"), ssh.MarshalAuthorizedKey(other)), 0o644))

	for _, c := range []struct{ name, hostKey string }{
		{"known_hosts", fmt.Sprintf("known_hosts: %q", wrongKH)},
		{"fingerprint", "host_key_fingerprint: " + ssh.FingerprintSHA256(other)},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newRemoteLab(t, "", "rochford", "tendring")
			m.useSFTP(t, s, "rochford")
			m.sftpHostKey = c.hostKey
			m.writeProtocol(t)
			m.dropSpec(t, "rochford", "r.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 20, Seed: 41})
			m.dropSpec(t, "tendring", "t.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 20, Seed: 42})
			r := m.run(t)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			line := summaryLine(r, "rochford")
			t.Logf("%s", line)
			for _, want := range []string{"FAILED", s.Addr, s.HostKeyFingerprint, "refusing to connect"} {
				if !strings.Contains(line, want) {
					t.Errorf("the failure does not name %q:\n%s", want, line)
				}
			}
			if strings.Contains(r.stderr, "retrying after a transient fault") {
				t.Errorf("a wrong host key was retried:\n%s", r.stderr)
			}
			if top := m.zoneFiles(t, "rochford", ""); len(top) != 1 {
				t.Errorf("rochford's zone top = %v", top)
			}
			if len(m.zoneFiles(t, "tendring", "processed")) == 0 {
				t.Errorf("the other partner did not complete:\n%s", r.stdout)
			}
		})
	}
}

// TestE2EWrongAzureCredentials runs with a wrong account key and with an
// expired SAS: the partner fails with a message naming it and the
// container, and the secret appears nowhere landingd prints or keeps.
func TestE2EWrongAzureCredentials(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	az := storagetest.StartAzurite(t)
	for _, c := range []struct {
		name string
		auth func(container string) (yaml, secret string, parts []string)
	}{
		{"wrong key", func(string) (string, string, []string) {
			// A well-formed key that is not the account's.
			var k [64]byte
			_, _ = rand.Read(k[:])
			key := base64.StdEncoding.EncodeToString(k[:])
			return fmt.Sprintf("{account_name: %s, account_key_env: %s}", storagetest.AzuriteAccount, azureEnv), key, nil
		}},
		{"expired SAS", func(container string) (string, string, []string) {
			now := time.Now().UTC()
			token := containerSAS(t, az, container, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
			q, _ := url.ParseQuery(token)
			return fmt.Sprintf("{sas_env: %s}", azureEnv), token, []string{q.Get("sig"), url.QueryEscape(q.Get("sig"))}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newRemoteLab(t, "", "colchester", "epping_forest")
			m.useAzure(t, az, "colchester")
			yaml, secret, parts := c.auth(m.container)
			m.azAuth = yaml
			m.env = []string{azureEnv + "=" + secret}
			m.writeProtocol(t)
			m.dropSpec(t, "colchester", "c.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 20, Seed: 51})
			m.dropSpec(t, "epping_forest", "e.csv", synth.Spec{Quarters: []string{"2025Q4"}, Rows: 20, Seed: 52})
			r := m.run(t)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			line := summaryLine(r, "colchester")
			t.Logf("%s", line)
			for _, want := range []string{"FAILED", m.container, "authentication failed"} {
				if !strings.Contains(line, want) {
					t.Errorf("the failure does not name %q:\n%s", want, line)
				}
			}
			if !regexp.MustCompile(`"partner":"colchester".*` + regexp.QuoteMeta(m.container)).MatchString(r.stderr) {
				t.Errorf("no log line names both the partner and the container:\n%s", r.stderr)
			}
			for _, sec := range append([]string{secret}, parts...) {
				if sec == "" {
					continue
				}
				if strings.Contains(r.stdout+r.stderr, sec) {
					t.Errorf("the secret (or a part of it) was printed")
				}
				assertNotInTree(t, filepath.Join(m.dir, "state"), sec)
				assertNotInTree(t, filepath.Join(m.dir, "out"), sec)
			}
			if strings.Contains(r.stderr, "retrying after a transient fault") {
				t.Errorf("a refused credential was retried:\n%s", r.stderr)
			}
			if top := m.zoneFiles(t, "colchester", ""); len(top) != 1 {
				t.Errorf("colchester's zone top = %v", top)
			}
			if len(m.zoneFiles(t, "epping_forest", "processed")) == 0 {
				t.Errorf("the other partner did not complete:\n%s", r.stdout)
			}
		})
	}
}

// containerSAS signs a container SAS valid from start to expiry.
func containerSAS(t *testing.T, az *storagetest.Azurite, container string, start, expiry time.Time) string {
	t.Helper()
	cred, err := azb.NewSharedKeyCredential(az.AccountName, az.AccountKey)
	must(t, err)
	perms := sas.ContainerPermissions{Read: true, Add: true, Create: true, Write: true, Delete: true, List: true}
	qp, err := sas.BlobSignatureValues{
		Protocol:      sas.ProtocolHTTPSandHTTP,
		StartTime:     start,
		ExpiryTime:    expiry,
		ContainerName: container,
		Permissions:   perms.String(),
	}.SignWithSharedKey(cred)
	must(t, err)
	return qp.Encode()
}

// assertNotInTree fails when any file under root holds secret.
func assertNotInTree(t *testing.T, root, secret string) {
	t.Helper()
	_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		must(t, err)
		if strings.Contains(string(b), secret) {
			t.Errorf("%s holds the secret", p)
		}
		return nil
	})
}
