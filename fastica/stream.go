package fastica

import (
	"runtime"
	"sync/atomic"
	"time"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// streamBlocks computes the n×k sources in blocks of sourceBlock rows
// (compute fills rows [r0, r1) into dst, compact) and hands each to sink in
// order. With one kernel thread the sink runs in line; with more it runs on
// a goroutine locked to its own OS thread while the next block is computed
// into the other of two buffers (the sink's I/O then overlaps the GEMM).
// The blocks hold the same values either way. wait is how long the
// computation waited for the sink.
func streamBlocks[T kernels.Float](n, k int, compute func(r0, r1 int, dst []T), sink SourceSink[T]) (wait time.Duration, err error) {
	rows := min(sourceBlock, n)
	if kernels.Threads() <= 1 || n <= sourceBlock {
		buf := matrix.New[T](rows, k)
		for r0 := 0; r0 < n; r0 += sourceBlock {
			r1 := min(r0+sourceBlock, n)
			blk := buf.Slice(0, r1-r0, 0, k)
			compute(r0, r1, blk.Data)
			t := time.Now()
			err := sink(r0, blk)
			wait += time.Since(t)
			if err != nil {
				return wait, err
			}
		}
		return wait, nil
	}
	type job struct {
		r0  int
		blk *matrix.Dense[T]
	}
	bufs := [2]*matrix.Dense[T]{matrix.New[T](rows, k), matrix.New[T](rows, k)}
	free := make(chan *matrix.Dense[T], 2)
	free <- bufs[0]
	free <- bufs[1]
	jobs := make(chan job, 2)
	done := make(chan error, 1)
	var failed atomic.Bool // a sink error stops the computation early
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var err error
		for j := range jobs {
			if err == nil {
				if err = sink(j.r0, j.blk); err != nil {
					failed.Store(true)
				}
			}
			free <- j.blk
		}
		done <- err
	}()
	for r0 := 0; r0 < n && !failed.Load(); r0 += sourceBlock {
		r1 := min(r0+sourceBlock, n)
		t := time.Now()
		b := <-free
		wait += time.Since(t)
		blk := b.Slice(0, r1-r0, 0, k)
		compute(r0, r1, blk.Data)
		jobs <- job{r0, blk}
	}
	close(jobs)
	t := time.Now()
	err = <-done
	wait += time.Since(t)
	return wait, err
}
