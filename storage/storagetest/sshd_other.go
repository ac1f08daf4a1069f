//go:build !linux

package storagetest

import "testing"

// SSHD is a real OpenSSH sshd; the harness runs on Linux only.
type SSHD struct {
	Addr, User, ClientKeyFile, EncryptedKeyFile, KnownHostsFile, HostKeyFingerprint, Root, LogFile string
	ClientKeyFiles                                                                                 map[string]string
}

// KeyPassphrase is the passphrase of SSHD.EncryptedKeyFile.
const KeyPassphrase = "correct horse battery staple"

// StartSSHD stops the test through RequireServer: the harness needs Linux.
func StartSSHD(t testing.TB) *SSHD {
	t.Helper()
	RequireServer(t, "sshd", "the sshd harness runs on Linux only")
	return nil
}

// SSHDOptions changes the sshd StartSSHDWith starts (see the Linux
// harness).
type SSHDOptions struct {
	HostKeyTypes []string
}

// StartSSHDWith stops the test as StartSSHD does: the harness needs Linux.
func StartSSHDWith(t testing.TB, _ SSHDOptions) *SSHD { t.Helper(); return StartSSHD(t) }

// StopSSHD does nothing here.
func StopSSHD() {}

// NewRoot is unreachable here.
func (s *SSHD) NewRoot(t testing.TB) string { t.Helper(); t.FailNow(); return "" }

// Kill is unreachable here.
func (s *SSHD) Kill(t testing.TB) { t.FailNow() }

// DropConnections is unreachable here.
func (s *SSHD) DropConnections(t testing.TB) { t.FailNow() }

// Restart is unreachable here.
func (s *SSHD) Restart(t testing.TB) { t.FailNow() }

// Sessions is unreachable here.
func (s *SSHD) Sessions() []int { return nil }
