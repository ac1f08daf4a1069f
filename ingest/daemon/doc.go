// Package daemon is what "landingd serve" runs: the schedule, catch-up
// after downtime, retries of late partners, alerts, Prometheus metrics and
// the operators' HTTP endpoints with the status page.
//
// A Service owns one ingest.Runner, and so the state folder's lock, for
// its whole life: one cycle at a time, and "landingd run" refuses to start
// while it serves. The clock and the wait between cycles are injectable,
// so the schedule, catch-up and the deadline logic run in tests without
// waiting. What is due when is decided by pure functions in package
// ingest/schedule (Schedule.PlanNext) and ingest (CellState, Outstanding)
// that status shares.
//
// The service idles for weeks, so it hands memory back each time it goes
// idle (Service.release): idle database connections, the Go heap's free
// pages, and the binary's pages that start-up and serving faulted in
// (ReleaseFilePages).
//
// Nothing the service logs, counts, serves or alerts holds a cell value or
// a secret: partners appear by their protocol id, files by their name.
package daemon
