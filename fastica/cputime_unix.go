//go:build unix

package fastica

import (
	"syscall"
	"time"
)

// ProcessCPU is the process's user+system CPU time (all threads). On a
// shared, loaded machine stage costs read from it are steadier than wall
// time.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
