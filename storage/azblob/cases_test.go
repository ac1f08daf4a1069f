package azblob_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"strings"
	"testing"
	"time"

	azb "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"landingd/storage"
	"landingd/storage/azblob"
	"landingd/storage/storagetest"
)

func openZone(t *testing.T, cfg azblob.Config) *azblob.Zone {
	t.Helper()
	z, err := azblob.OpenZone(t.Context(), cfg, nil)
	if err != nil {
		t.Fatalf("OpenZone: %v", err)
	}
	t.Cleanup(func() { z.Close() })
	return z
}

// noSecrets fails t if err's text holds any of secrets.
func noSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error text holds a secret (%.6s...): %v", s, err)
		}
	}
}

// containerSAS signs a SAS for container c with all the rights a zone
// needs, valid from start to expiry.
func containerSAS(t *testing.T, az *storagetest.Azurite, c string, start, expiry time.Time) string {
	t.Helper()
	cred, err := azb.NewSharedKeyCredential(az.AccountName, az.AccountKey)
	if err != nil {
		t.Fatal(err)
	}
	perms := sas.ContainerPermissions{Read: true, Add: true, Create: true, Write: true, Delete: true, List: true}
	qp, err := sas.BlobSignatureValues{
		Protocol:      sas.ProtocolHTTPSandHTTP,
		StartTime:     start,
		ExpiryTime:    expiry,
		ContainerName: c,
		Permissions:   perms.String(),
	}.SignWithSharedKey(cred)
	if err != nil {
		t.Fatal(err)
	}
	return qp.Encode()
}

func testWrongKey(t *testing.T, az *storagetest.Azurite) {
	c := az.NewContainer(t)
	cfg := devConfig(az, nil, c)
	// A well-formed key that is not the account's.
	cfg.AccountKey = "V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3Jvbmc="
	_, err := azblob.OpenZone(t.Context(), cfg, nil)
	if err == nil {
		t.Fatal("OpenZone with a wrong key succeeded")
	}
	t.Logf("error: %v", err)
	if !strings.Contains(err.Error(), c) || !strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("error does not name the container %s and say authentication failed: %v", c, err)
	}
	if storage.IsTransient(err) {
		t.Errorf("a wrong key is marked transient: %v", err)
	}
	noSecrets(t, err, cfg.AccountKey, az.AccountKey)

	// A key that is not even base64 is caught before any request.
	cfg.AccountKey = "not*base64*at*all*secret"
	if _, err := azblob.OpenZone(t.Context(), cfg, nil); err == nil {
		t.Error("OpenZone with a malformed key succeeded")
	} else {
		noSecrets(t, err, cfg.AccountKey)
	}
}

func testExpiredSAS(t *testing.T, az *storagetest.Azurite) {
	c := az.NewContainer(t)
	now := time.Now().UTC()
	token := containerSAS(t, az, c, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	q, _ := url.ParseQuery(token)
	cfg := azblob.Config{ServiceURL: az.ServiceURL, Container: c, Prefix: zonePrefix, AllowHTTP: true, SASToken: token, MaxRetries: 1}
	_, err := azblob.OpenZone(t.Context(), cfg, nil)
	if err == nil {
		t.Fatal("OpenZone with an expired SAS succeeded")
	}
	t.Logf("error: %v", err)
	if !strings.Contains(err.Error(), c) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("error does not name the container %s and mention expiry: %v", c, err)
	}
	noSecrets(t, err, token, q.Get("sig"), url.QueryEscape(q.Get("sig")))
	if strings.Contains(err.Error(), "sig=") {
		t.Errorf("error text holds a query string: %v", err)
	}
}

// testSASZone runs a zone's whole round trip on a container SAS, which
// is how a district's own zone may well be reached; Move's server-side
// copy must carry the SAS for its source.
func testSASZone(t *testing.T, az *storagetest.Azurite) {
	c := az.NewContainer(t)
	now := time.Now().UTC()
	token := containerSAS(t, az, c, now.Add(-time.Hour), now.Add(time.Hour))
	z := openZone(t, azblob.Config{ServiceURL: az.ServiceURL, Container: c, Prefix: zonePrefix, AllowHTTP: true, SASToken: "?" + token, MaxRetries: 1})
	if s := z.String(); strings.Contains(s, "sig") || strings.Contains(s, "?") {
		t.Errorf("String() = %q holds the SAS", s)
	}
	seed(t, az, c, storage.Top, "q4.csv", []byte("a,b\n1,2\n"))
	got, err := z.Move(t.Context(), storagetest.Listed(t, z, "q4.csv"), storage.Processed)
	if err != nil || got != "q4.csv" {
		t.Fatalf("Move over SAS = %q, %v", got, err)
	}
	if err := z.Put(t.Context(), storage.Processed, "q4.csv.report.txt", strings.NewReader("ok\n")); err != nil {
		t.Fatalf("Put over SAS: %v", err)
	}
	var names []string
	if err := z.List(t.Context(), storage.Processed, func(o storage.Object) error { names = append(names, o.Name); return nil }); err != nil {
		t.Fatalf("List over SAS: %v", err)
	}
	if strings.Join(names, ",") != "q4.csv,q4.csv.report.txt" {
		t.Errorf("processed/ = %q", names)
	}
}

func testConnectionString(t *testing.T, az *storagetest.Azurite) {
	c := az.NewContainer(t)
	cfg := azblob.Config{ConnectionString: az.ConnectionString, Container: c, Prefix: zonePrefix, AllowHTTP: true}
	z := openZone(t, cfg)
	want := "azblob://" + strings.TrimPrefix(az.ServiceURL, "http://") + "/" + c + "/" + zonePrefix
	if z.String() != want {
		t.Errorf("String() = %q, want %q", z.String(), want)
	}
	seed(t, az, c, storage.Top, "a.csv", []byte("x"))
	rc, err := z.Open(t.Context(), storage.Top, "a.csv")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	rc.Close()

	// A service URL that disagrees with the string is refused, without
	// quoting the string.
	cfg.ServiceURL = "http://127.0.0.1:1/devstoreaccount1"
	_, err = azblob.OpenZone(t.Context(), cfg, nil)
	if err == nil || !strings.Contains(err.Error(), "differ") {
		t.Fatalf("OpenZone with a disagreeing service URL: err = %v, want one saying they differ", err)
	}
	noSecrets(t, err, az.AccountKey)
}

func testMissingContainer(t *testing.T, az *storagetest.Azurite) {
	cfg := devConfig(az, nil, "no-such-container")
	for _, open := range []func() error{
		func() error { _, err := azblob.OpenZone(t.Context(), cfg, nil); return err },
		func() error { _, err := azblob.OpenOutput(t.Context(), cfg, nil); return err },
	} {
		err := open()
		if err == nil {
			t.Fatal("opening a missing container succeeded")
		}
		if !strings.Contains(err.Error(), `container "no-such-container" does not exist`) {
			t.Errorf("err = %v, want it to name the missing container", err)
		}
		if storage.IsTransient(err) || errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a missing container is transient or ErrNotExist: %v", err)
		}
	}
	// CreateContainer makes it, and then it opens.
	if err := azblob.CreateContainer(t.Context(), cfg); err != nil {
		t.Fatalf("CreateContainer: %v", err)
	}
	t.Cleanup(func() { _, _ = az.Client().DeleteContainer(context.Background(), cfg.Container, nil) })
	if err := azblob.CreateContainer(t.Context(), cfg); err != nil {
		t.Errorf("CreateContainer of an existing container: %v", err)
	}
	openZone(t, cfg)
}

func testPutHeaders(t *testing.T, az *storagetest.Azurite) {
	c := az.NewContainer(t)
	z := openZone(t, devConfig(az, nil, c))
	cfg := devConfig(az, nil, c)
	cfg.Prefix = "out"
	o, err := azblob.OpenOutput(t.Context(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		put   func(data []byte) error
		blob  string
		ctype string
	}{
		{func(d []byte) error {
			return z.Put(t.Context(), storage.Rejected, "q4.csv.report.txt", bytes.NewReader(d))
		},
			zonePrefix + "/rejected/q4.csv.report.txt", "text/plain; charset=utf-8"},
		{func(d []byte) error { return o.Put(t.Context(), "2025Q4/combined.csv", bytes.NewReader(d)) },
			"out/2025Q4/combined.csv", "text/csv"},
		{func(d []byte) error { return o.Put(t.Context(), "2025Q4/combined.xlsx", bytes.NewReader(d)) },
			"out/2025Q4/combined.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{func(d []byte) error { return o.Put(t.Context(), "2025Q4/manifest.json", bytes.NewReader(d)) },
			"out/2025Q4/manifest.json", "application/json"},
	} {
		data := storagetest.Bytes(uint64(len(tc.blob)), 70_000)
		if err := tc.put(data); err != nil {
			t.Fatalf("Put %s: %v", tc.blob, err)
		}
		p, err := az.Client().ServiceClient().NewContainerClient(c).NewBlobClient(tc.blob).GetProperties(t.Context(), nil)
		if err != nil {
			t.Fatalf("GetProperties %s: %v", tc.blob, err)
		}
		sum := md5.Sum(data)
		if !bytes.Equal(p.ContentMD5, sum[:]) {
			t.Errorf("%s: Content-MD5 = %x, want %x", tc.blob, p.ContentMD5, sum)
		}
		if p.ContentType == nil || *p.ContentType != tc.ctype {
			t.Errorf("%s: Content-Type = %v, want %q", tc.blob, p.ContentType, tc.ctype)
		}
	}
}

// testReadResumes drops the connection under a read with resuming on
// (the default): the read carries on where it stopped and gives every
// byte once.
func testReadResumes(t *testing.T, az *storagetest.Azurite) {
	p := az.Proxy()
	c := az.NewContainer(t)
	z := openZone(t, devConfig(az, p, c))
	big := storagetest.Bytes(21, 24<<20)
	seed(t, az, c, storage.Top, "big.csv", big)
	rc, err := z.Open(t.Context(), storage.Top, "big.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	head := make([]byte, 64<<10)
	if _, err := io.ReadFull(rc, head); err != nil {
		t.Fatal(err)
	}
	p.Drop()
	rest, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read after a drop with resuming on: %v", err)
	}
	if got := append(head, rest...); !bytes.Equal(got, big) {
		t.Fatalf("resumed read gave %d bytes, not the %d seeded", len(got), len(big))
	}
}

// testReplacedMidRead replaces a blob while it is read and drops the
// connection, so the resumed request meets the new version: the read
// must fail rather than splice two versions. Now and then the bytes of
// the first version are already on their way when the connection drops
// and the read ends cleanly; that is allowed only when it gave exactly
// the first version, and the scenario is tried again, up to five times,
// until a drop meets the new version.
func testReplacedMidRead(t *testing.T, az *storagetest.Azurite) {
	p := az.Proxy()
	c := az.NewContainer(t)
	z := openZone(t, devConfig(az, p, c))
	for try := 1; try <= 5; try++ {
		v1, v2 := storagetest.Bytes(uint64(22+2*try), 24<<20), storagetest.Bytes(uint64(23+2*try), 24<<20)
		seed(t, az, c, storage.Top, "q.csv", v1)
		err := func() error {
			rc, err := z.Open(t.Context(), storage.Top, "q.csv")
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			head := make([]byte, 64<<10)
			if _, err := io.ReadFull(rc, head); err != nil {
				t.Fatal(err)
			}
			seed(t, az, c, storage.Top, "q.csv", v2)
			p.Drop()
			rest, err := io.ReadAll(rc)
			if err == nil {
				if got := append(head, rest...); !bytes.Equal(got, v1) {
					t.Fatalf("read across a replacement ended cleanly with %d bytes that are not the first version", len(got))
				}
			}
			return err
		}()
		if err == nil {
			t.Logf("try %d: the first version was read whole before the drop took effect", try)
			continue
		}
		t.Logf("error: %v", err)
		if !strings.Contains(err.Error(), "changed") {
			t.Errorf("err = %v, want it to say the blob changed", err)
		}
		return
	}
	t.Fatal("in five tries no dropped read met the new version")
}

// testMoveKeepsExisting moves onto a name already taken in processed/:
// the blob there keeps its bytes and the moved one gets a new name.
func testMoveKeepsExisting(t *testing.T, az *storagetest.Azurite) {
	c := az.NewContainer(t)
	z := openZone(t, devConfig(az, nil, c))
	seed(t, az, c, storage.Processed, "data.csv", []byte("earlier quarter\n"))
	seed(t, az, c, storage.Top, "data.csv", []byte("this quarter\n"))
	before := time.Now().UTC().Truncate(time.Second)
	got, err := z.Move(t.Context(), storagetest.Listed(t, z, "data.csv"), storage.Processed)
	if err != nil {
		t.Fatal(err)
	}
	if got == "data.csv" || !strings.HasPrefix(got, "data.") || !strings.HasSuffix(got, "Z.csv") {
		t.Errorf("Move onto a taken name gave %q, want data.<UTC timestamp>.csv", got)
	}
	stamp := strings.TrimSuffix(strings.TrimPrefix(got, "data."), ".csv")
	if ts, err := time.Parse("20060102T150405Z", stamp); err != nil || ts.Before(before.Add(-time.Second)) {
		t.Errorf("timestamp in %q: %v, %v", got, ts, err)
	}
	for name, want := range map[string]string{"data.csv": "earlier quarter\n", got: "this quarter\n"} {
		rc, err := z.Open(t.Context(), storage.Processed, name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(b) != want {
			t.Errorf("processed/%s = %q, %v; want %q", name, b, err, want)
		}
	}
}

// testMoveFinishesOwnCopy leaves what a move leaves when its delete
// fails (the copy made, the source still at the top level) and checks
// that moving again, as a retry does, files the blob once, under the
// copy's name; and that a blob the name holds from before is not taken
// for such a copy.
func testMoveFinishesOwnCopy(t *testing.T, az *storagetest.Azurite) {
	for _, tt := range []struct {
		name    string
		earlier bool // processed/data.csv holds an earlier file of the name, not this one's copy
	}{{"own copy", false}, {"earlier file", true}} {
		t.Run(tt.name, func(t *testing.T) {
			c := az.NewContainer(t)
			z := openZone(t, devConfig(az, nil, c))
			cc := az.Client().ServiceClient().NewContainerClient(c)
			copyUp := func() {
				src := cc.NewBlobClient(zonePrefix + "/data.csv")
				dst := cc.NewBlobClient(zonePrefix + "/processed/data.csv")
				if _, err := dst.StartCopyFromURL(t.Context(), src.URL(), nil); err != nil {
					t.Fatalf("copy: %v", err)
				}
				for {
					p, err := dst.GetProperties(t.Context(), nil)
					if err != nil {
						t.Fatal(err)
					}
					if p.CopyStatus == nil || *p.CopyStatus != blob.CopyStatusTypePending {
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			if tt.earlier {
				// Last quarter's data.csv, filed by copy; then this quarter's
				// upload of the same length, a second later.
				seed(t, az, c, storage.Top, "data.csv", []byte("last quarter\n"))
				copyUp()
				time.Sleep(1100 * time.Millisecond)
				seed(t, az, c, storage.Top, "data.csv", []byte("this quarter\n"))
			} else {
				seed(t, az, c, storage.Top, "data.csv", []byte("this quarter\n"))
				copyUp()
			}
			got, err := z.Move(t.Context(), storagetest.Listed(t, z, "data.csv"), storage.Processed)
			if err != nil {
				t.Fatal(err)
			}
			if (got == "data.csv") == tt.earlier {
				t.Errorf("Move = %q; earlier file %v", got, tt.earlier)
			}
			names := func(f storage.Folder) []string {
				var out []string
				if err := z.List(t.Context(), f, func(o storage.Object) error { out = append(out, o.Name); return nil }); err != nil {
					t.Fatal(err)
				}
				return out
			}
			if got, want := names(storage.Processed), 1+btoi(tt.earlier); len(got) != want {
				t.Errorf("processed/ = %v, want %d blob(s)", got, want)
			}
			if top := names(storage.Top); len(top) != 0 {
				t.Errorf("top level = %v, want empty", top)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func testStoppedList(t *testing.T, az *storagetest.Azurite) {
	c := az.NewContainer(t)
	z := openZone(t, devConfig(az, nil, c))
	seed(t, az, c, storage.Top, "a.csv", []byte("x"))
	az.Stop()
	restarted := false
	defer func() {
		if !restarted {
			az.Start()
		}
	}()
	err := z.List(t.Context(), storage.Top, func(storage.Object) error { return nil })
	if err == nil {
		t.Fatal("List with the service stopped succeeded")
	}
	t.Logf("error: %v", err)
	if !storage.IsTransient(err) {
		t.Errorf("List with the service stopped: error not transient: %v", err)
	}
	if !strings.Contains(err.Error(), z.String()) {
		t.Errorf("error does not name the zone %s: %v", z.String(), err)
	}
	az.Start()
	restarted = true
	var names []string
	if err := z.List(t.Context(), storage.Top, func(o storage.Object) error { names = append(names, o.Name); return nil }); err != nil {
		t.Fatalf("List after restart: %v", err)
	}
	if len(names) != 1 || names[0] != "a.csv" {
		t.Errorf("List after restart = %q, want [a.csv]", names)
	}
}

// testStoppedMidRead stops the service under an open read: the read
// fails with a transient error once resuming gives up, and the same Open
// works after the service is back.
func testStoppedMidRead(t *testing.T, az *storagetest.Azurite) {
	c := az.NewContainer(t)
	z := openZone(t, devConfig(az, nil, c))
	big := storagetest.Bytes(24, 24<<20)
	seed(t, az, c, storage.Top, "big.csv", big)
	rc, err := z.Open(t.Context(), storage.Top, "big.csv")
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 64<<10)
	if _, err := io.ReadFull(rc, head); err != nil {
		t.Fatal(err)
	}
	az.Stop()
	restarted := false
	defer func() {
		if !restarted {
			az.Start()
		}
	}()
	rest, err := io.ReadAll(rc)
	rc.Close()
	if err == nil {
		t.Fatalf("read with the service stopped ended cleanly after %d more bytes", len(rest))
	}
	t.Logf("error: %v", err)
	if !storage.IsTransient(err) {
		t.Errorf("read with the service stopped: error not transient: %v", err)
	}
	az.Start()
	restarted = true
	rc, err = z.Open(t.Context(), storage.Top, "big.csv")
	if err != nil {
		t.Fatalf("Open after restart: %v", err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("read after restart: %d bytes, %v; want the %d seeded", len(got), err, len(big))
	}
}
