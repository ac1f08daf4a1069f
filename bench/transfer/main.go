// Command transfer prepares the inputs of the transfer benchmark: one
// quarter's drop from the 12 districts (mixed CSV and xlsx, as the
// districts export them) and, for each round, three protocols that take
// the same files from local folders, from an SFTP server and from an
// Azure Blob service. run.sh starts the servers and times the runs.
//
//	transfer drop DIR ROWS          write the quarter's files to DIR/drop
//	transfer round DIR N [flags]    lay out round N: zones, protocols
//	transfer port                   print a free loopback port
//
// round's flags name the servers: -sftp-addr, -sftp-user, -sftp-key,
// -known-hosts, -sftp-root (a folder the server serves at the same
// path), -az-url and, in $LANDINGD_BENCH_AZURE, a connection string.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	azb "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	benchdrop "landingd/bench/internal/drop"
	"landingd/transform/synth"
)

// azureEnv carries the Azure connection string, to this program and to
// landingd.
const azureEnv = "LANDINGD_BENCH_AZURE"

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "drop":
		if len(os.Args) != 4 {
			usage()
		}
		err = drop(os.Args[2], os.Args[3])
	case "round":
		if len(os.Args) < 4 {
			usage()
		}
		err = round(context.Background(), os.Args[2], os.Args[3], os.Args[4:])
	case "port":
		var ln net.Listener
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err == nil {
			fmt.Println(ln.Addr().(*net.TCPAddr).Port)
			ln.Close()
		}
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "transfer:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: transfer drop DIR ROWS | transfer round DIR N [flags] | transfer port")
	os.Exit(2)
}

// drop writes the schema, a key and the quarter's files under dir.
func drop(dir, rowsArg string) error {
	rows, err := strconv.Atoi(rowsArg)
	if err != nil {
		return fmt.Errorf("rows %q: %w", rowsArg, err)
	}
	return benchdrop.Write(dir, "drop", rows)
}

type servers struct {
	sftpAddr, sftpUser, sftpKey, knownHosts, sftpRoot string
	azURL, azConn                                     string
}

// round lays out round n under dir/round-n: a local, an sftp and an
// azure protocol, each with its own state and output, and the drop
// placed in each one's zones.
func round(ctx context.Context, dir, n string, args []string) error {
	fl := flag.NewFlagSet("round", flag.ContinueOnError)
	var sv servers
	fl.StringVar(&sv.sftpAddr, "sftp-addr", "", "sshd address host:port")
	fl.StringVar(&sv.sftpUser, "sftp-user", "", "login name")
	fl.StringVar(&sv.sftpKey, "sftp-key", "", "client private key file")
	fl.StringVar(&sv.knownHosts, "known-hosts", "", "known_hosts file")
	fl.StringVar(&sv.sftpRoot, "sftp-root", "", "folder the SFTP zones sit in")
	fl.StringVar(&sv.azURL, "az-url", "", "blob service URL")
	if err := fl.Parse(args); err != nil {
		return err
	}
	sv.azConn = os.Getenv(azureEnv)
	ids := make([]string, 0, 12)
	for _, d := range synth.Districts() {
		ids = append(ids, d.ID)
	}
	base := filepath.Join(dir, "round-"+n)
	container := "round-" + n

	for _, kind := range []string{"local", "sftp", "azure"} {
		pdir := filepath.Join(base, kind)
		if err := os.MkdirAll(pdir, 0o750); err != nil {
			return err
		}
		var zone func(id string) string
		switch kind {
		case "local":
			zone = func(id string) string {
				return fmt.Sprintf("{kind: local, path: %q}", filepath.Join(pdir, "landing", id))
			}
		case "sftp":
			root := filepath.Join(sv.sftpRoot, "round-"+n)
			zone = func(id string) string {
				return fmt.Sprintf("{kind: sftp, address: %q, user: %q, path: %q, key_file: %q, known_hosts: %q}",
					sv.sftpAddr, sv.sftpUser, filepath.Join(root, id), sv.sftpKey, sv.knownHosts)
			}
		case "azure":
			zone = func(id string) string {
				return fmt.Sprintf("{kind: azblob, service_url: %q, container: %s, prefix: %s, allow_http: true, auth: {connection_string_env: %s}}",
					sv.azURL, container, id, azureEnv)
			}
		}
		p := benchdrop.Protocol("Transfer benchmark", filepath.Join(dir, benchdrop.Schema), filepath.Join(dir, benchdrop.Key), zone)
		if err := os.WriteFile(filepath.Join(pdir, "protocol.yaml"), p, 0o644); err != nil {
			return err
		}
	}

	// Place the files: copies on disk for the local and SFTP zones (the
	// SFTP server serves this machine's disk), uploads for Azure.
	var client *azb.Client
	if sv.azConn != "" {
		var err error
		if client, err = azb.NewClientFromConnectionString(sv.azConn, nil); err != nil {
			return fmt.Errorf("azure client: %w", err)
		}
		if _, err := client.CreateContainer(ctx, container, nil); err != nil {
			return fmt.Errorf("create container %s: %w", container, err)
		}
	}
	for _, id := range ids {
		src := filepath.Join(dir, "drop", id)
		ents, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range ents {
			data, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				return err
			}
			if err := put(filepath.Join(base, "local", "landing", id), e.Name(), data); err != nil {
				return err
			}
			if sv.sftpRoot != "" {
				if err := put(filepath.Join(sv.sftpRoot, "round-"+n, id), e.Name(), data); err != nil {
					return err
				}
			}
			if client != nil {
				if _, err := client.UploadBuffer(ctx, container, id+"/"+e.Name(), data, nil); err != nil {
					return fmt.Errorf("upload %s/%s: %w", id, e.Name(), err)
				}
			}
		}
	}
	return nil
}

// put writes data to dir/name through a temporary file and a rename, so
// a zone never shows half a file.
func put(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".upload-"+name)
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return errors.Join(err, os.Remove(tmp))
	}
	return nil
}
