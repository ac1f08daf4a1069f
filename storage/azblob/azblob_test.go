package azblob_test

import (
	"sync"
	"testing"
	"time"

	"landingd/storage"
	"landingd/storage/azblob"
	"landingd/storage/storagetest"
)

// zonePrefix is the prefix every test zone sits under, so that blobs
// outside it (and the virtual folders) are exercised too.
const zonePrefix = "districts/brentwood"

// devConfig is a shared-key configuration for container c on az, through
// the proxy when p is not nil.
func devConfig(az *storagetest.Azurite, p *storagetest.Proxy, c string) azblob.Config {
	url := az.ServiceURL
	if p != nil {
		url = p.ServiceURL
	}
	return azblob.Config{
		ServiceURL:  url,
		Container:   c,
		Prefix:      zonePrefix,
		AllowHTTP:   true,
		AccountName: az.AccountName,
		AccountKey:  az.AccountKey,
		MaxRetries:  1,
	}
}

// TestAzurite runs every case that needs the service against one Azurite,
// which takes seconds to start. Some cases stop and restart it, so the
// cases run one after another.
func TestAzurite(t *testing.T) {
	az := storagetest.StartAzurite(t)
	t.Run("ZoneSuite", func(t *testing.T) { zoneSuite(t, az) })
	t.Run("OutputSuite", func(t *testing.T) { outputSuite(t, az) })
	for _, c := range []struct {
		name string
		fn   func(*testing.T, *storagetest.Azurite)
	}{
		{"WrongKey", testWrongKey},
		{"ExpiredSAS", testExpiredSAS},
		{"SASZone", testSASZone},
		{"ConnectionString", testConnectionString},
		{"MissingContainer", testMissingContainer},
		{"PutHeaders", testPutHeaders},
		{"ReadResumes", testReadResumes},
		{"ReplacedMidRead", testReplacedMidRead},
		{"MoveKeepsExisting", testMoveKeepsExisting},
		{"MoveFinishesOwnCopy", testMoveFinishesOwnCopy},
		{"StoppedList", testStoppedList},
		{"StoppedMidRead", testStoppedMidRead},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, az) })
	}
}

func zoneSuite(t *testing.T, az *storagetest.Azurite) {
	proxy := az.Proxy()
	var mu sync.Mutex
	containers := map[storage.Zone]string{}
	storagetest.RunZoneSuite(t, storagetest.ZoneHarness{
		New: func(t *testing.T) storage.Zone {
			c := az.NewContainer(t)
			cfg := devConfig(az, proxy, c)
			// The suite's dropped-connection case wants the drop to fail the
			// read; resuming is tested in TestReadResumes.
			cfg.ReadRetries = -1
			z, err := azblob.OpenZone(t.Context(), cfg, nil)
			if err != nil {
				t.Fatalf("OpenZone: %v", err)
			}
			mu.Lock()
			containers[z] = c
			mu.Unlock()
			return z
		},
		Seed: func(t *testing.T, z storage.Zone, f storage.Folder, name string, data []byte, _ time.Time) {
			mu.Lock()
			c := containers[z]
			mu.Unlock()
			seed(t, az, c, f, name, data)
		},
		Drop:              func(t *testing.T, z storage.Zone) { proxy.Drop() },
		ModTimeFromServer: true,
	})
}

func outputSuite(t *testing.T, az *storagetest.Azurite) {
	storagetest.RunOutputSuite(t, storagetest.OutputHarness{
		New: func(t *testing.T) storage.Output {
			cfg := devConfig(az, nil, az.NewContainer(t))
			cfg.Prefix = "combined"
			o, err := azblob.OpenOutput(t.Context(), cfg, nil)
			if err != nil {
				t.Fatalf("OpenOutput: %v", err)
			}
			return o
		},
	})
}

// seed uploads a blob into folder f of the test zone in container c, the
// way a district would.
func seed(t *testing.T, az *storagetest.Azurite, c string, f storage.Folder, name string, data []byte) {
	t.Helper()
	blob := zonePrefix + "/" + name
	if f != storage.Top {
		blob = zonePrefix + "/" + string(f) + "/" + name
	}
	if _, err := az.Client().UploadBuffer(t.Context(), c, blob, data, nil); err != nil {
		t.Fatalf("seeding %s: %v", blob, err)
	}
}
