package kernels

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// checkSection runs one parallel section of n items on t workers and
// checks that every item ran exactly once, on a worker in [0, t).
func checkSection(tb testing.TB, what string, t, n int, inner func()) {
	tb.Helper()
	counts := make([]atomic.Int32, n)
	var badWorker atomic.Int32
	runParallel(t, n, func(w, i int) {
		if w < 0 || w >= t {
			badWorker.Store(int32(w) + 1000)
		}
		counts[i].Add(1)
		if inner != nil {
			inner()
		}
	})
	if b := badWorker.Load(); b != 0 {
		tb.Errorf("%s: worker index %d outside [0, %d)", what, b-1000, t)
	}
	for i := range counts {
		if c := counts[i].Load(); c != 1 {
			tb.Fatalf("%s: item %d ran %d times", what, i, c)
		}
	}
}

// TestPool checks the persistent workers: each item once, worker indexes in
// range, with workers polling (default), blocking at once (spin 0) and
// waking from a block after a pause longer than the spin time; nested
// sections and sections started from several goroutines at once (which
// take the goroutine path); and more workers than GOMAXPROCS.
func TestPool(t *testing.T) {
	defer SetSpin(defaultSpin)
	for _, spin := range []time.Duration{defaultSpin, 0, 50 * time.Microsecond} {
		SetSpin(spin)
		for _, th := range []int{2, 3, 5} {
			for _, n := range []int{2, 3, 7, 100, 1000} {
				if th > n {
					continue
				}
				what := fmt.Sprintf("spin=%v t=%d n=%d", spin, th, n)
				checkSection(t, what, th, n, nil)
				if spin > 0 && spin < defaultSpin {
					time.Sleep(2 * spin) // the workers block: the next section wakes them
				}
				checkSection(t, what+" again", th, n, nil)
			}
		}
	}
	t.Run("nested", func(t *testing.T) {
		checkSection(t, "outer", 3, 9, func() { checkSection(t, "inner", 2, 5, nil) })
	})
	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := 0; r < 50; r++ {
					checkSection(t, fmt.Sprintf("goroutine %d round %d", g, r), 2+g%2, 17, nil)
				}
			}()
		}
		wg.Wait()
	})
	t.Run("gomaxprocs=1", func(t *testing.T) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		for r := 0; r < 20; r++ {
			checkSection(t, "one P", 3, 31, nil)
		}
	})
}

// TestPoolLateWake: a caller held up between publishing a section and
// waking the blocked workers (descheduled, on a loaded machine) wakes a
// worker that has already run its part and blocked again. The worker must
// not take part twice: the section's count of unfinished workers went to
// −1 and the caller waited forever (seen under go test -race in CI).
func TestPoolLateWake(t *testing.T) {
	defer SetSpin(defaultSpin)
	SetSpin(20 * time.Microsecond)
	defer func() { poolHook = nil }()
	// Held up after publishing, the caller finds the worker blocked again
	// once it has done every item; held up after waking it, it lets the
	// worker act on that wake before it counts the workers still running.
	poolHook = func(string) { time.Sleep(5 * time.Millisecond) }
	done := make(chan struct{})
	go func() {
		defer close(done)
		for r := 0; r < 20; r++ {
			checkSection(t, fmt.Sprintf("round %d", r), 2, 4, nil)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a parallel section never finished: a worker was counted twice")
	}
}
