package conv

import "github.com/deepica/deepica/kernels"

// workers is how many goroutines parallelFor uses for n items (the size of
// the per-worker scratch).
func workers(n int) int {
	return max(1, min(n, kernels.Threads()))
}

// parallelFor is kernels.ParallelFor: body(worker, i) for i in [0, n) on
// workers(n) goroutines. Callers keep each item's result independent of the
// worker that computed it (per-worker buffers are scratch only), which keeps
// results bit-identical across thread counts.
func parallelFor(n int, body func(worker, i int)) { kernels.ParallelFor(n, body) }
