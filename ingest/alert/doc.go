// Package alert sends operators' alerts to a webhook: a generic JSON POST
// that Slack and Teams incoming webhooks accept (it carries a top-level
// "text"), and that any other receiver can parse by its fields.
//
// The webhook URL is a secret (it carries its own credential), so it is
// never logged nor put into an error. Events carry identifiers, counts and
// rule names only: never a cell value and never a secret. The service
// sends alerts for failed cycles, rejected files and partners late or
// missing at the deadline; the client itself is generic so that other
// kinds (breach incidents) can use it too.
package alert
