//go:build !faultinject

package ingest

// injectFault does nothing in a normal build; see fault_on.go.
func injectFault(string) {}
