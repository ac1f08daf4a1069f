package storagetest

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// RequireEnv is the environment variable listing, comma-separated, the
// servers whose absence fails a test instead of skipping it.
const RequireEnv = "LANDINGD_TEST_REQUIRE"

// RequireServer stops the test because server name is unavailable, for
// the reason why. It fails the test (t.Fatal) when name is listed in
// $LANDINGD_TEST_REQUIRE and skips it (t.Skip) otherwise. It never returns.
func RequireServer(t testing.TB, name, why string) {
	t.Helper()
	if Required(name) {
		t.Fatalf("%s is required (%s=%q) but unavailable: %s", name, RequireEnv, os.Getenv(RequireEnv), why)
	}
	t.Skipf("%s unavailable: %s", name, why)
}

// Required reports whether name is listed in $LANDINGD_TEST_REQUIRE.
func Required(name string) bool {
	list := strings.Split(os.Getenv(RequireEnv), ",")
	for i := range list {
		list[i] = strings.TrimSpace(list[i])
	}
	return slices.Contains(list, name)
}
