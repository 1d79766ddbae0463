// Package ica holds the FastICA benchmarks: compare.py times the deepica
// ica command against scikit-learn end to end; the Go benchmarks here time
// the library's stages in-process.
package ica

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/deepica/deepica/fastica"
	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// laplaceMixture is n samples of k Laplace sources mixed by a random k×k
// matrix (row-major samples × features).
func laplaceMixture[T kernels.Float](n, k int) *matrix.Dense[T] {
	rng := rand.New(rand.NewPCG(1, 2))
	s := make([]float64, n*k)
	for i := range s {
		s[i] = rng.ExpFloat64() - rng.ExpFloat64()
	}
	a := make([]float64, k*k)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	x := matrix.New[T](n, k)
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			var v float64
			for l := 0; l < k; l++ {
				v += s[i*k+l] * a[j*k+l]
			}
			x.Data[i*k+j] = T(v)
		}
	}
	return x
}

// BenchmarkFit times a whole fit (whitening, iterations, sources) and
// reports the iterations' rate on their 4·k²·n flops each, and the share of
// time per stage.
func BenchmarkFit(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		if testing.Short() && n > 100_000 {
			continue
		}
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("f64/k=40/n=%d/threads=%d", n, th), func(b *testing.B) { benchFit[float64](b, n, 40, th) })
			b.Run(fmt.Sprintf("f32/k=40/n=%d/threads=%d", n, th), func(b *testing.B) { benchFit[float32](b, n, 40, th) })
		}
	}
}

func benchFit[T kernels.Float](b *testing.B, n, k, threads int) {
	x := laplaceMixture[T](n, k)
	kernels.SetThreads(threads)
	defer kernels.SetThreads(0)
	var it, wh, src time.Duration
	var iters int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, _, err := fastica.Fit(x, fastica.Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		it += m.Timings.Iterate
		wh += m.Timings.Whiten
		src += m.Timings.Sources
		iters += m.NIter
	}
	flops := 4 * float64(k) * float64(k) * float64(n) * float64(iters)
	b.ReportMetric(flops/it.Seconds()/1e9, "iter-GFLOP/s")
	b.ReportMetric(it.Seconds()*1e3/float64(iters), "ms/iter")
	b.ReportMetric(wh.Seconds()*1e3/float64(b.N), "whiten-ms")
	b.ReportMetric(src.Seconds()*1e3/float64(b.N), "sources-ms")
}
