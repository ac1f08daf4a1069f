package storagetest

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"testing"
	"time"
)

// TestAzuriteRestart checks that Stop and Start keep the port and the
// data, and that a stopped service refuses connections.
func TestAzuriteRestart(t *testing.T) {
	a := StartAzurite(t)
	c := a.NewContainer(t)
	data := Bytes(1, 1<<20)
	if _, err := a.Client().UploadBuffer(t.Context(), c, "x/y.csv", data, nil); err != nil {
		t.Fatalf("upload: %v", err)
	}
	start := time.Now()
	a.Stop()
	t.Logf("stopped in %v", time.Since(start))
	if conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port))); err == nil {
		conn.Close()
		t.Fatal("a stopped Azurite still accepts connections")
	}
	start = time.Now()
	a.Start()
	t.Logf("started in %v", time.Since(start))
	resp, err := a.Client().DownloadStream(t.Context(), c, "x/y.csv", nil)
	if err != nil {
		t.Fatalf("download after restart: %v", err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after restart read %d bytes, err %v; want the %d bytes uploaded before", len(got), err, len(data))
	}
}
