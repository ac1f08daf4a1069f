//go:build !unix

package main

// openNoWait is 0 where opening a file never waits for a writer.
const openNoWait = 0
