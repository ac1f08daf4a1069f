// Package storage defines landing zones and outputs: where district files
// arrive and where combined datasets go.
//
// # Overview
//
// Zone and Output are small interfaces whose doc comments are the
// contract. Each backend lives in its own package (local, sftp, azblob)
// with the same shape, and every backend passes the shared conformance
// suite in storagetest against a real server. Backends are opened by an
// explicit switch in the ingest package; storage never imports config or
// transform.
package storage
