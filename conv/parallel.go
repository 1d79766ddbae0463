package conv

import (
	"sync"
	"sync/atomic"

	"github.com/deepica/deepica/kernels"
)

// workers is how many goroutines parallelFor uses for n items.
func workers(n int) int {
	return max(1, min(n, kernels.Threads()))
}

// parallelFor runs body(worker, i) for i in [0, n) on workers(n) goroutines,
// handing items out dynamically. Callers keep each item's result independent
// of the worker that computed it (per-worker buffers are scratch only), which
// keeps results bit-identical across thread counts.
func parallelFor(n int, body func(worker, i int)) {
	t := workers(n)
	if t <= 1 {
		for i := 0; i < n; i++ {
			body(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(t)
	for w := 0; w < t; w++ {
		go func(w int) {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				body(w, i)
			}
		}(w)
	}
	wg.Wait()
}
