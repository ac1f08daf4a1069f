// Package systemd holds landingd.service, the hardened systemd unit, and
// the test that checks it with systemd-analyze verify where installed.
package systemd
