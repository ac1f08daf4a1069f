// Package storagetest is the conformance suite every landing-zone and
// output backend passes, and the real servers the suites run against.
//
// # Overview
//
// A backend's test builds a ZoneHarness (or OutputHarness) in a few lines
// and calls RunZoneSuite (or RunOutputSuite). Each case runs in its own
// t.Run with a fresh, empty root from the harness, so cases never share
// state and may run in any order.
//
// # Servers
//
// StartSSHD starts one real OpenSSH sshd on 127.0.0.1 per test binary
// (call StopSSHD from TestMain after m.Run), with ed25519, ECDSA, RSA and
// passphrase-protected client keys, a known_hosts file and the host key's
// fingerprint; Kill, Restart, DropConnections and Sessions let fault
// tests break it. A missing server skips the test, unless its name is listed in $LANDINGD_TEST_REQUIRE
// (for example "sshd,azurite"), in which case the test fails: see
// RequireServer.
//
// Under go test -short no server starts: StartSSHD, StartSSHDWith and
// StartAzurite skip the test (testtier.Slow), so the fast tier never
// needs them.
package storagetest
