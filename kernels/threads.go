package kernels

import (
	"runtime"
	"sync/atomic"
)

var threads atomic.Int32

// Threads reports how many goroutines large kernels use.
// The default is GOMAXPROCS at the time of the first call.
func Threads() int {
	if n := threads.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}

// SetThreads sets how many goroutines large kernels use; n ≤ 0 restores the
// default (GOMAXPROCS). Results do not depend on it.
func SetThreads(n int) {
	if n < 0 {
		n = 0
	}
	threads.Store(int32(n))
}

// parallelFor runs body(i) for i in [0, n) over at most Threads() goroutines.
// Items are handed out dynamically; callers make each item's result
// independent of which goroutine ran it, which is what keeps results
// bit-identical across thread counts.
func parallelFor(n int, body func(i int)) {
	parallelForWorker(n, func(_, i int) { body(i) })
}

// ParallelFor runs body(worker, i) for i in [0, n) on min(n, Threads())
// goroutines, worker in [0, min(n, Threads())) naming the one that runs it
// so that per-worker scratch can be indexed. Items are handed out
// dynamically: callers keep each item's result independent of its worker,
// which keeps results bit-identical across thread counts. It is the
// kernels' own loop, exported so that the packages above them share one
// threading policy (SetThreads).
func ParallelFor(n int, body func(worker, i int)) { parallelForWorker(n, body) }

// parallelForWorker is parallelFor that also tells body which of the
// min(n, Threads()) workers runs it, so per-worker scratch can be indexed.
func parallelForWorker(n int, body func(worker, i int)) {
	t := Threads()
	if t > n {
		t = n
	}
	if t <= 1 {
		for i := 0; i < n; i++ {
			body(0, i)
		}
		return
	}
	runParallel(t, n, body)
}
