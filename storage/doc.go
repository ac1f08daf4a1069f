// Package storage defines landing zones and outputs: where district files
// arrive and where combined datasets go.
//
// # Overview
//
// Zone and Output are small interfaces whose doc comments are the
// contract. Each backend lives in its own package (local, sftp, azblob)
// with the same shape, and every backend passes the shared conformance
// suite in storagetest against a real server.
//
// Each backend also owns its options as they appear in a protocol file:
// its Settings type (see the Settings interface) decodes, normalises and
// checks them, names the secrets they point at, and opens the zone or
// output. The config package chooses the backend by the location's kind;
// nothing outside a backend names one of its options. storage never
// imports config or transform.
package storage
