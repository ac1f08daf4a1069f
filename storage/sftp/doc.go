// Package sftp implements storage.Zone on a folder of an SFTP server,
// over SSH with github.com/pkg/sftp.
//
// # Security
//
// The server's host key is always verified, against a known_hosts file
// (Config.KnownHostsFile) or a pinned SHA-256 fingerprint
// (Config.HostKeyFingerprint); there is no way to turn that off. A key
// that does not match is refused with an error naming the host and the
// fingerprint it presented. Client authentication is by private key
// (ed25519, ECDSA or RSA, optionally encrypted with a passphrase) or by
// password (allowed, but keys are preferred: a password can be phished
// or reused). Names that could leave the zone's folder and symbolic links
// are refused with storage.ErrUnsafeName.
//
// # Connections, timeouts and cancellation
//
// A Zone holds one SSH connection, opened lazily and shared by its
// methods. pkg/sftp ignores contexts, so each call checks ctx between
// steps and closes the connection when ctx is cancelled, or when a step
// makes no progress for Config.IOTimeout, while a call is blocked; ssh
// keepalives (keepalive@openssh.com) every Config.KeepAlive detect a dead
// peer between calls. A connection fault, a failed dial included, is
// returned marked storage.Transient, and the next call reconnects; the
// zone never retries on its own, so that storage/retry is the one layer
// that does. A read cut short by a dropped connection is an error
// (io.ErrUnexpectedEOF, transient), never a short clean end of file: the
// bytes read are checked against the size the file had when it was opened.
//
// # Atomicity
//
// Put writes a temporary file whose name starts with "." in the target
// folder, fsyncs it when the server offers fsync@openssh.com, and renames
// it over the final name with posix-rename@openssh.com (atomic on the
// server's filesystem). Move checks that the target name is free (Lstat),
// taking the next timestamped name when it is not, and moves the file with
// posix-rename@openssh.com too: one atomic rename on the server, so the
// file is always under exactly one of its names. That rename would replace
// a file that took the name between the check and the rename; landingd is
// the only writer of processed/ and rejected/ and holds the state lock
// while it runs, so none does. A server without posix-rename@openssh.com
// is refused when the zone is opened, rather than written to without
// atomicity. Before it renames, Move checks that the file's size and
// modification time are still those listed (storage.ErrChanged when not).
package sftp
