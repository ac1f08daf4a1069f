// Package config loads and validates a protocol file: the YAML description
// of one information sharing agreement (partners, landing zones, field
// list, filter, key file, state, output, schedule, retention, breach
// deadlines).
//
// Load reads a file from disk and LoadFS one from a file system such as
// the protocol embedded in the binary (the caller passes that in; config
// does not import deploy). Both start
// from Defaults, lay the file's values on top, make relative paths
// absolute (against the file's folder, or for LoadFS the working folder),
// read the field list into SchemaData and run Validate.
//
// Load reports every problem at once, joined with errors.Join, each an
// *Error such as
//
//	protocol.yaml:14: partners[2].gss: "E0700006" is not a GSS code (want E + 8 digits)
//
// Unknown keys are errors, so a typo never silently switches a rule off.
//
// A landing zone's or output's keys belong to its backend: config reads
// the kind, decodes the other keys into that backend's Settings
// (local.Settings, sftp.Settings, azblob.Settings), keeping each key's
// line, and reports the problems the backend's Check finds under those
// lines. Config holds no rule about a backend option; quarter ids are
// read by transform.ParseQuarterID.
// Validate also refuses protocols that break the sharing rules: two
// partners whose zones overlap, an output, state folder or secret file
// inside a partner's zone, an SFTP zone without a host key check, a
// breach deadline for the ICO beyond 72 hours.
//
// Secrets are never inline: the file names environment variables or files
// that hold them, and ReadSecret reads them when needed. Nothing in a
// Config is secret, so printing one is safe, and messages never quote a
// value that might be a misplaced secret.
//
// Durations accept Go units plus d (24 hours) and y (365 days), as in
// "90d", "7y" or "1y6d"; dates are written YYYY-MM-DD.
package config
