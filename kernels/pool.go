package kernels

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The kernels' parallel sections run on persistent workers that keep
// polling for the next section for a short while (SetSpin) before they
// block. On the virtual machines this project is measured on, waking a
// blocked thread takes 100–150 µs (the idle vCPU has halted: measured with a
// goroutine started while the other core was idle), which was most of a
// 0.2 ms GEMM block and a tenth of a 1.4 ms convolution GEMM at two
// threads. A worker that is still polling starts in well under a
// microsecond. OpenMP runtimes and OpenBLAS wait the same way.
//
// A section that finds the pool busy (a nested call from inside a section,
// or a call from another goroutine at the same time) starts goroutines as
// before instead; results do not depend on which path ran, since items are
// handed out dynamically and callers keep each item's result independent of
// its worker.

// defaultSpin is how long an idle worker polls before blocking.
const defaultSpin = 500 * time.Microsecond

var spinNanos atomic.Int64

func init() {
	spinNanos.Store(int64(defaultSpin))
	if v := os.Getenv("DEEPICA_SPIN"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d >= 0 {
			spinNanos.Store(int64(d))
		}
	}
}

// SetSpin sets how long an idle kernel worker keeps polling for the next
// parallel section before it blocks (default 500µs, or the duration in
// DEEPICA_SPIN, e.g. "0" or "2ms"); d ≤ 0 blocks at once, which saves the
// polling's CPU time where other work needs the cores more than the kernels
// need a fast start. It affects speed only, never results.
func SetSpin(d time.Duration) {
	spinNanos.Store(max(int64(d), 0))
}

// poolJob is one parallel section: items [0, n) handed out by next to the
// caller (worker 0) and pool workers 1 … t−1.
type poolJob struct {
	epoch uint64
	n, t  int
	body  func(w, i int)
	next  atomic.Int64
	left  atomic.Int32 // pool workers that have not finished
}

func (j *poolJob) run(w int) {
	for {
		i := int(j.next.Add(1) - 1)
		if i >= j.n {
			return
		}
		j.body(w, i)
	}
}

type poolWorker struct {
	sleeping atomic.Bool
	wake     chan struct{}
}

var pool struct {
	busy    sync.Mutex // held by the section in progress (TryLock)
	epoch   atomic.Uint64
	cur     atomic.Pointer[poolJob]
	workers []*poolWorker // index w−1 for worker w; grown under busy
}

// poolHook, when set (tests only), runs at the named points of
// runParallel: "published" (before the blocked workers are woken; a caller
// descheduled there is how a worker can be woken for a section it has
// already finished) and "woken".
var poolHook func(point string)

// runParallel runs body(w, i) for i in [0, n) on t workers (t ≤ n), the
// caller being worker 0, and returns when all items are done.
func runParallel(t, n int, body func(w, i int)) {
	if !pool.busy.TryLock() {
		runGoroutines(t, n, body)
		return
	}
	defer pool.busy.Unlock()
	for len(pool.workers) < t-1 {
		pw := &poolWorker{wake: make(chan struct{}, 1)}
		pool.workers = append(pool.workers, pw)
		go poolLoop(len(pool.workers), pw, pool.epoch.Load())
	}
	j := &poolJob{epoch: pool.epoch.Load() + 1, n: n, t: t, body: body}
	j.left.Store(int32(t - 1))
	pool.cur.Store(j)
	pool.epoch.Store(j.epoch)
	if poolHook != nil {
		poolHook("published")
	}
	for _, pw := range pool.workers[:t-1] {
		if pw.sleeping.CompareAndSwap(true, false) {
			pw.wake <- struct{}{}
		}
	}
	if poolHook != nil {
		poolHook("woken")
	}
	j.run(0)
	for spins := 0; j.left.Load() != 0; spins++ {
		if spins%64 == 63 {
			runtime.Gosched()
		}
	}
}

// poolLoop is pool worker w: it takes part in every section with t > w,
// polling for the next one for the spin time after each, then blocking.
func poolLoop(w int, pw *poolWorker, seen uint64) {
	for {
		start := time.Now()
		spins := 0
		for pool.epoch.Load() == seen {
			spins++
			if spins%64 != 0 {
				continue
			}
			if time.Since(start) >= time.Duration(spinNanos.Load()) {
				// Block. The caller wakes only workers it sees sleeping, after
				// publishing its section, so check once more after saying so.
				pw.sleeping.Store(true)
				if pool.epoch.Load() != seen && pw.sleeping.CompareAndSwap(true, false) {
					break
				}
				<-pw.wake
				break
			}
			runtime.Gosched()
		}
		j := pool.cur.Load()
		if j.epoch == seen {
			// A late wake: this worker saw the section, ran its part and
			// blocked before the caller got round to waking it.
			continue
		}
		seen = j.epoch
		if w < j.t {
			j.run(w)
			j.left.Add(-1)
		}
	}
}

// runGoroutines is runParallel on goroutines started for the call.
func runGoroutines(t, n int, body func(w, i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(t - 1)
	work := func(w int) {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			body(w, i)
		}
	}
	for w := 1; w < t; w++ {
		go func() { defer wg.Done(); work(w) }()
	}
	work(0)
	wg.Wait()
}
