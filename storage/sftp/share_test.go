package sftp_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"landingd/storage"
	"landingd/storage/sftp"
	"landingd/storage/storagetest"
)

// TestZonesShareAConnection checks, on the server, that zones of the same
// server, login and settings share one SSH connection, that other
// settings get their own, and that breaking one zone's session leaves the
// others' working. sshd runs one process for a connection and one for
// each session on it, so a zone that shares a connection adds fewer
// processes than one that needs its own.
func TestZonesShareAConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sshd")
	}
	s := storagetest.StartSSHD(t)
	procs := func() int { return len(s.Sessions()) }
	// Wait for the processes of a check that sshd is up to go.
	for deadline := time.Now().Add(10 * time.Second); procs() != 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("sshd still has %d session processes before any zone", procs())
		}
	}
	base := config(t, s)
	z1 := open(t, base)
	p1 := procs()
	if p1 == 0 {
		t.Skip("this sshd's processes cannot be counted here")
	}
	other := base
	other.Path = s.NewRoot(t)
	other.IOTimeout = 7 * time.Second
	open(t, other)
	newConn := procs() - p1
	if newConn <= 0 {
		t.Fatalf("a zone with another I/O timeout added %d sshd processes", newConn)
	}
	var zs []*sftp.Zone
	added := make([]int, 0, 4)
	for range 4 {
		before := procs()
		cfg := base
		cfg.Path = s.NewRoot(t)
		z := open(t, cfg)
		seed(t, z, storage.Top, "a.csv", []byte("a"), time.Now())
		wantListAgain(t, z)
		zs = append(zs, z)
		added = append(added, procs()-before)
	}
	for i, n := range added {
		if n >= newConn {
			t.Fatalf("zone %d of the same login added %d sshd processes, as many as a new connection (%d); added: %v",
				i+2, n, newConn, added)
		}
	}

	// A call cancelled while it waits breaks its zone's session only: the
	// other zones on the connection carry on, and the broken zone works
	// again on a new connection.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := z1.List(ctx, storage.Top, func(storage.Object) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("List with ctx cancelled = %v", err)
	}
	for _, z := range zs {
		wantListAgain(t, z)
	}
	seed(t, z1, storage.Top, "a.csv", []byte("a"), time.Now())
	wantListAgain(t, z1)

	// Closing zones leaves the connection to the others.
	zs[0].Close()
	zs[1].Close()
	wantListAgain(t, zs[2])
}
