package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	azb "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"landingd/internal/testtier"
)

// AzuriteEnv names the environment variable that, when set, is the path of
// the azurite-blob program. Without it StartAzurite looks for
// deploy/testenv/node_modules/.bin/azurite-blob under the module root
// (installed by `npm ci --prefix deploy/testenv`).
const AzuriteEnv = "LANDINGD_AZURITE"

// The Azure storage emulator's well-known development account. The key is
// public and documented; it guards nothing.
const (
	AzuriteAccount = "devstoreaccount1"
	AzuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Azurite is one Azurite blob service started by a test on 127.0.0.1.
//
// It keeps its data in a temporary folder (--location), not in memory, so
// that Stop then Start brings back the same port with the same containers
// and blobs: that is how tests simulate an outage. Each test should use
// its own container from NewContainer.
type Azurite struct {
	ServiceURL       string // http://127.0.0.1:PORT/devstoreaccount1
	ConnectionString string // for the development account at ServiceURL
	AccountName      string // AzuriteAccount
	AccountKey       string // AzuriteKey
	Port             int

	t      testing.TB
	bin    string
	dir    string // the --location folder
	log    string // the server's stdout and stderr
	client *azb.Client

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited

	proxyOnce sync.Once
	proxy     *Proxy
}

// StartAzurite starts an Azurite blob service for t on a free loopback
// port, waits until it answers, and stops it when t ends. When
// azurite-blob cannot be found or does not start, it calls RequireServer
// (skip, or fail when "azurite" is listed in $LANDINGD_TEST_REQUIRE).
//
// Azurite runs with --skipApiVersionCheck (the SDK sends a newer API
// version than Azurite 3.37 knows), --loose, --silent and
// --disableTelemetry.
func StartAzurite(t testing.TB) *Azurite {
	t.Helper()
	testtier.Slow(t, "real Azurite")
	bin, why := findAzurite()
	if bin == "" {
		RequireServer(t, "azurite", why)
	}
	port, err := freePort()
	if err != nil {
		RequireServer(t, "azurite", "no free port: "+err.Error())
	}
	dir := t.TempDir()
	a := &Azurite{
		AccountName: AzuriteAccount,
		AccountKey:  AzuriteKey,
		Port:        port,
		t:           t,
		bin:         bin,
		dir:         filepath.Join(dir, "data"),
		log:         filepath.Join(dir, "azurite.log"),
	}
	a.ServiceURL = fmt.Sprintf("http://127.0.0.1:%d/%s", port, AzuriteAccount)
	a.ConnectionString = fmt.Sprintf("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=%s;",
		AzuriteAccount, AzuriteKey, a.ServiceURL)
	if err := os.Mkdir(a.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// Registered after TempDir, so it runs before the folder is removed.
	t.Cleanup(a.Stop)
	if err := a.start(); err != nil {
		RequireServer(t, "azurite", err.Error())
	}
	c, err := azb.NewClientFromConnectionString(a.ConnectionString, nil)
	if err != nil {
		t.Fatalf("azurite client: %v", err)
	}
	a.client = c
	return a
}

// Client returns an SDK client for the whole development account, for
// seeding and inspecting blobs out of band.
func (a *Azurite) Client() *azb.Client { return a.client }

// Start starts the service again after Stop, on the same port and with
// the same data. It fails the test if the service does not come up.
func (a *Azurite) Start() {
	a.t.Helper()
	if err := a.start(); err != nil {
		a.t.Fatal(err)
	}
}

// Stop stops the service: SIGTERM, then SIGKILL after 10 seconds. It is
// safe to call when the service is already stopped, and StartAzurite
// calls it when the test ends.
func (a *Azurite) Stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cmd == nil {
		return
	}
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(10 * time.Second):
		_ = a.cmd.Process.Kill()
		<-a.done
	}
	a.cmd, a.done = nil, nil
}

// startTimeout bounds the wait for Azurite's port to answer.
const startTimeout = 90 * time.Second

var containerSeq atomic.Int64

// NewContainer creates a fresh, empty container with a unique name for t
// and returns its name. It is deleted when t ends (if the service is up).
func (a *Azurite) NewContainer(t testing.TB) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := fmt.Sprintf("t%d-%s", containerSeq.Add(1), hex.EncodeToString(b[:]))
	if _, err := a.client.CreateContainer(t.Context(), name, nil); err != nil {
		t.Fatalf("creating container %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = a.client.DeleteContainer(ctx, name, nil)
	})
	return name
}

// start launches the server and waits for its port. The caller must not
// hold a.mu.
func (a *Azurite) start() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cmd != nil {
		return nil
	}
	logf, err := os.OpenFile(a.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(a.bin,
		"--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(a.Port),
		"--location", a.dir,
		"--disableTelemetry", "--skipApiVersionCheck", "--loose", "--silent")
	cmd.Stdin = nil
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = a.dir
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", a.bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	a.cmd, a.done = cmd, done

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port))
	// Launch takes 1-2 s on an idle machine, over 15 s on a loaded one.
	deadline := time.Now().Add(startTimeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-done:
			a.cmd, a.done = nil, nil
			return fmt.Errorf("azurite exited at start: %s", tail(a.log))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			a.cmd, a.done = nil, nil
			return fmt.Errorf("azurite did not answer on %s within %v: %s", addr, startTimeout, tail(a.log))
		}
	}
}

// findAzurite returns the azurite-blob program to run, or "" and why not.
func findAzurite() (string, string) {
	if p := os.Getenv(AzuriteEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Sprintf("$%s: %v", AzuriteEnv, err)
		}
		return p, ""
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err.Error()
	}
	p := filepath.Join(root, "deploy", "testenv", "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Sprintf("%s not found (run: npm ci --prefix deploy/testenv, or set $%s)", p, AzuriteEnv)
	}
	if _, err := exec.LookPath("node"); err != nil {
		return "", "node is not on PATH"
	}
	return p, ""
}

// moduleRoot walks up from the working directory to the folder holding
// go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = up
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last lines of a log file, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return strings.Join(lines, " | ")
}
