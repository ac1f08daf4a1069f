//go:build !faultinject

package ingest

import "context"

// injectFault does nothing in a normal build; see fault_on.go.
func injectFault(context.Context, string) {}
