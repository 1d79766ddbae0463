//go:build linux

package fastica

import (
	"syscall"
	"time"
)

// ThreadCPU is the calling OS thread's user+system CPU time (Linux
// RUSAGE_THREAD); meaningful between two calls from a goroutine locked to
// its thread (runtime.LockOSThread). FitStream's sink runs on such a
// goroutine or thread, so a sink can measure its own cost while the
// sources are computed on other threads.
func ThreadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
