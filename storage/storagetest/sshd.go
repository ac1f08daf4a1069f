//go:build linux

package storagetest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"landingd/internal/testtier"
)

// SSHDEnv overrides the sshd binary StartSSHD runs.
const SSHDEnv = "LANDINGD_SSHD"

// KeyPassphrase is the passphrase of SSHD.EncryptedKeyFile.
const KeyPassphrase = "correct horse battery staple"

// SSHD is a real OpenSSH sshd listening on 127.0.0.1, with key-only
// logins for the current user and internal-sftp. Files under Root are
// reachable both through SFTP and directly on disk (the server runs on
// this machine as this user), so tests can seed files out of band.
type SSHD struct {
	Addr               string            // "127.0.0.1:PORT"
	User               string            // login name (the current user)
	ClientKeyFile      string            // ed25519 private key, no passphrase
	ClientKeyFiles     map[string]string // "ed25519", "ecdsa", "rsa" -> private key file
	EncryptedKeyFile   string            // ed25519 key encrypted with KeyPassphrase
	KnownHostsFile     string            // "[127.0.0.1]:PORT ssh-ed25519 AAAA...", a line per host key
	HostKeyFingerprint string            // "SHA256:..." of the first host key
	// HostKeys holds the server's public host keys by type ("ed25519",
	// "ecdsa", "rsa"): only ed25519 unless SSHDOptions.HostKeyTypes says.
	HostKeys map[string]ssh.PublicKey
	Root     string // a folder for test zones; see NewRoot
	LogFile  string // sshd's log

	dir, bin, config string
	hostKeyTypes     []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

var (
	sshdMu     sync.Mutex
	sshdShared *SSHD
	sshdErr    error
)

// StartSSHD returns the test binary's sshd, starting it on the first
// call. When sshd cannot run (not installed, no /run/sshd and not root)
// it stops the test through RequireServer("sshd"): a failure when
// $LANDINGD_TEST_REQUIRE lists sshd, a skip otherwise. Call StopSSHD
// from TestMain after m.Run; the server also dies with the test binary.
func StartSSHD(t testing.TB) *SSHD {
	t.Helper()
	testtier.Slow(t, "real sshd")
	sshdMu.Lock()
	defer sshdMu.Unlock()
	if sshdShared == nil && sshdErr == nil {
		sshdShared, sshdErr = startSSHD(SSHDOptions{})
	}
	if sshdErr != nil {
		RequireServer(t, "sshd", sshdErr.Error())
	}
	return sshdShared
}

// SSHDOptions changes the sshd StartSSHDWith starts.
type SSHDOptions struct {
	// HostKeyTypes are the server's host key types, from "ed25519",
	// "ecdsa" and "rsa", in the order sshd is given them. Empty means
	// ed25519 only, as StartSSHD's server has.
	HostKeyTypes []string
}

// StartSSHDWith starts an sshd of t's own, set up as opts says, and
// stops it and removes its folder when t ends. It stops the test as
// StartSSHD does when sshd cannot run, and fails it if opts names a host
// key type it does not know, or one twice. Prefer StartSSHD, which shares
// one server per test binary, unless a test needs a server set up
// differently.
func StartSSHDWith(t testing.TB, opts SSHDOptions) *SSHD {
	t.Helper()
	for i, typ := range opts.HostKeyTypes {
		if _, ok := keyTypes[typ]; !ok || slices.Index(opts.HostKeyTypes, typ) != i {
			t.Fatalf("StartSSHDWith: host key type %q is unknown or listed twice (want ed25519, ecdsa or rsa, each once)", typ)
		}
	}
	testtier.Slow(t, "real sshd")
	s, err := startSSHD(opts)
	if err != nil {
		RequireServer(t, "sshd", err.Error())
		return nil
	}
	t.Cleanup(func() {
		s.kill()
		os.RemoveAll(s.dir)
	})
	return s
}

// keyTypes maps a key type to ssh-keygen's extra arguments for it.
var keyTypes = map[string][]string{"ed25519": nil, "ecdsa": nil, "rsa": {"-b", "3072"}}

// StopSSHD stops the shared sshd, if one was started, and removes its
// folder. It is safe to call when none was.
func StopSSHD() {
	sshdMu.Lock()
	defer sshdMu.Unlock()
	if sshdShared != nil {
		sshdShared.kill()
		os.RemoveAll(sshdShared.dir)
		sshdShared = nil
	}
}

func startSSHD(opts SSHDOptions) (*SSHD, error) {
	bin := os.Getenv(SSHDEnv)
	if bin == "" {
		bin = "/usr/sbin/sshd"
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("no sshd binary (install openssh-server, or set %s): %w", SSHDEnv, err)
	}
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		return nil, fmt.Errorf("no ssh-keygen: %w", err)
	}
	// As root, sshd refuses to start without its privilege separation folder.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil && os.Geteuid() == 0 {
		return nil, err
	}
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "landingd-sshd-")
	if err != nil {
		return nil, err
	}
	s := &SSHD{User: u.Username, dir: dir, bin: bin, ClientKeyFiles: map[string]string{},
		HostKeys: map[string]ssh.PublicKey{}, hostKeyTypes: opts.HostKeyTypes,
		Root: filepath.Join(dir, "zones"), LogFile: filepath.Join(dir, "sshd.log")}
	if len(s.hostKeyTypes) == 0 {
		s.hostKeyTypes = []string{"ed25519"}
	}
	if err := s.setup(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func keygen(file, typ, pass string, bits ...string) error {
	args := append([]string{"-q", "-t", typ, "-N", pass, "-C", "landingd-test", "-f", file}, bits...)
	if out, err := exec.Command("ssh-keygen", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("ssh-keygen %s: %w: %s", typ, err, out)
	}
	return nil
}

func (s *SSHD) setup() error {
	if err := os.Chmod(s.dir, 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(s.Root, 0o755); err != nil {
		return err
	}
	var hostFiles []string
	for _, typ := range s.hostKeyTypes {
		f := filepath.Join(s.dir, "host_"+typ)
		if err := keygen(f, typ, "", keyTypes[typ]...); err != nil {
			return err
		}
		hostFiles = append(hostFiles, f)
	}
	var auth bytes.Buffer
	for _, typ := range []string{"ed25519", "ecdsa", "rsa"} {
		f := filepath.Join(s.dir, "client_"+typ)
		if err := keygen(f, typ, "", keyTypes[typ]...); err != nil {
			return err
		}
		s.ClientKeyFiles[typ] = f
	}
	s.ClientKeyFile = s.ClientKeyFiles["ed25519"]
	s.EncryptedKeyFile = filepath.Join(s.dir, "client_encrypted")
	if err := keygen(s.EncryptedKeyFile, "ed25519", KeyPassphrase); err != nil {
		return err
	}
	for _, f := range []string{s.ClientKeyFiles["ed25519"], s.ClientKeyFiles["ecdsa"], s.ClientKeyFiles["rsa"], s.EncryptedKeyFile} {
		pub, err := os.ReadFile(f + ".pub")
		if err != nil {
			return err
		}
		auth.Write(pub)
	}
	authFile := filepath.Join(s.dir, "authorized_keys")
	if err := os.WriteFile(authFile, auth.Bytes(), 0o644); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))

	var known bytes.Buffer
	for i, f := range hostFiles {
		hostPub, err := os.ReadFile(f + ".pub")
		if err != nil {
			return err
		}
		pk, _, _, _, err := ssh.ParseAuthorizedKey(hostPub)
		if err != nil {
			return err
		}
		s.HostKeys[s.hostKeyTypes[i]] = pk
		if i == 0 {
			s.HostKeyFingerprint = ssh.FingerprintSHA256(pk)
		}
		fmt.Fprintf(&known, "[127.0.0.1]:%d %s", port, ssh.MarshalAuthorizedKey(pk))
	}
	s.KnownHostsFile = filepath.Join(s.dir, "known_hosts")
	if err := os.WriteFile(s.KnownHostsFile, known.Bytes(), 0o644); err != nil {
		return err
	}

	s.config = filepath.Join(s.dir, "sshd_config")
	var hostKeyLines []string
	for _, f := range hostFiles {
		hostKeyLines = append(hostKeyLines, "HostKey "+f)
	}
	cfg := strings.Join(slices.Concat([]string{
		"ListenAddress 127.0.0.1",
		"Port " + strconv.Itoa(port),
	}, hostKeyLines, []string{
		"PidFile " + filepath.Join(s.dir, "sshd.pid"),
		"AuthorizedKeysFile " + authFile,
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PermitRootLogin prohibit-password",
		"AllowUsers " + s.User,
		"UsePAM no",
		"StrictModes no",
		"X11Forwarding no",
		"AllowTcpForwarding no",
		"MaxStartups 100",
		"LogLevel VERBOSE",
		"Subsystem sftp internal-sftp",
		"",
	}), "\n")
	if err := os.WriteFile(s.config, []byte(cfg), 0o644); err != nil {
		return err
	}
	if out, err := exec.Command(s.bin, "-t", "-f", s.config).CombinedOutput(); err != nil {
		return fmt.Errorf("sshd -t: %w: %s", err, out)
	}
	return nil
}

// start runs sshd in the foreground and waits until its port accepts.
func (s *SSHD) start() error {
	cmd := exec.Command(s.bin, "-D", "-E", s.LogFile, "-f", s.config)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting sshd: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("sshd exited at start: %s", s.logTail())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.kill()
			return fmt.Errorf("sshd did not accept connections on %s within 10s: %s", s.Addr, s.logTail())
		}
	}
}

func (s *SSHD) logTail() string {
	b, _ := os.ReadFile(s.LogFile)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// NewRoot returns a fresh, empty folder under Root for one test, removed
// when the test ends.
func (s *SSHD) NewRoot(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp(s.Root, "zone-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// Kill stops sshd and every session it serves with SIGKILL, as a crash
// or a pulled cable would. Restart brings it back on the same port.
func (s *SSHD) Kill(t testing.TB) {
	t.Helper()
	s.kill()
}

func (s *SSHD) kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	// Sessions are children that left sshd's process group: find them first.
	kids := descendants(cmd.Process.Pid)
	cmd.Process.Signal(syscall.SIGKILL)
	for _, pid := range kids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	<-done
}

// Sessions returns the pids of the processes serving sshd's current
// connections, for tests that stop (SIGSTOP) or kill them.
func (s *SSHD) Sessions() []int {
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	return descendants(cmd.Process.Pid)
}

// DropConnections kills every session sshd serves (SIGKILL), leaving the
// listener up, so clients see their connections drop and can reconnect.
func (s *SSHD) DropConnections(t testing.TB) {
	t.Helper()
	kids := s.Sessions()
	if len(kids) == 0 {
		t.Fatal("sshd has no sessions to drop")
	}
	for _, pid := range kids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// Restart starts sshd again after Kill, with the same keys and port.
func (s *SSHD) Restart(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	if s.done != nil {
		select {
		case <-s.done:
		default:
			s.mu.Unlock()
			t.Fatal("Restart: sshd is still running")
		}
	}
	s.mu.Unlock()
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
}

// descendants returns the pids of every process below pid, read from
// /proc.
func descendants(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	children := map[int][]int{}
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		pp, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		children[pp] = append(children[pp], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}
