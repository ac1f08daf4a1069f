package main

import "syscall"

// childAttr makes the kernel kill a cycle's child process when its parent
// dies: a killed run or serve then leaves no cycle running on alone with
// the inherited state lock.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
