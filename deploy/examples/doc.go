// Package examples holds example protocols for local, SFTP and Azure Blob
// landing zones (local.yaml, sftp.yaml, azblob.yaml), and the test that
// each one loads cleanly.
package examples
