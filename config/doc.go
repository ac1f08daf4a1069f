// Package config loads and validates a protocol file: the YAML description
// of one information sharing agreement (partners, landing zones, field
// list, filter, key file, state, output, schedule, retention, breach
// deadlines).
//
// Load reports every problem at once, each with file and line. Unknown keys
// are errors, so a typo never silently switches a rule off. Secrets are
// never inline: the file names environment variables or files that hold
// them.
package config
