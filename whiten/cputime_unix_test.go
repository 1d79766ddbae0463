//go:build unix

package whiten

import "syscall"

// cpuSeconds is the process's user+system CPU time: on a shared, loaded
// machine it tracks what a single-threaded run would take unloaded better
// than wall time does.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
