//go:build !purego

package kernels

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// The machine these figures come from is shared (load averages of 5–15 on
// 2 cores were common), so besides the wall-clock GFLOP/s each benchmark
// reports cpu-GFLOP/s: flops divided by the CPU time the process was
// actually given (user+system, all threads), i.e. the rate per busy core.
// With one thread and an idle machine the two agree.

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runFlops times b.N calls of f, each worth flops, and reports both rates.
func runFlops(b *testing.B, flops float64, f func()) {
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		f()
	}
	cpu := cpuTime() - c0
	b.StopTimer()
	total := flops * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu > 0 {
		b.ReportMetric(total/cpu.Seconds()/1e9, "cpu-GFLOP/s")
	}
}

// Benchmarks of the GEMM-shaped kernels at every level and thread count,
// reporting GFLOP/s (2·m·n·k for Gemm; n²·k for Gram, the flops of the
// full product, as BLAS syrk is usually credited with n(n+1)·k).
// bench/BENCHMARKS.md records the figures and how they were taken.

type gemmShape struct {
	name    string
	tA, tB  bool
	m, n, k int
}

var gemmBenchShapes = []gemmShape{
	{name: "2048", m: 2048, n: 2048, k: 2048},
	{name: "conv3to32", m: 32, n: 9216, k: 27},   // Wmat 32×27 · col 27×(96·96)
	{name: "conv32to32", m: 32, n: 9216, k: 288}, // Wmat 32×288 · col 288×(96·96)
	{name: "WX40", m: 40, n: 1000000, k: 40},     // unmixing W (40×40) · X (40×10⁶)
}

func benchLevels(b *testing.B, fn func(b *testing.B)) {
	prev := Impl()
	defer SetLevel(prev)
	for _, l := range Available() {
		b.Run("impl="+l.String(), func(b *testing.B) {
			if err := SetLevel(l); err != nil {
				b.Fatal(err)
			}
			fn(b)
		})
	}
}

func benchThreads(b *testing.B, fn func(b *testing.B)) {
	for _, t := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", t), func(b *testing.B) {
			prev := int(threads.Load())
			SetThreads(t)
			defer SetThreads(prev)
			fn(b)
		})
	}
}

func benchGemm[T Float](b *testing.B, s gemmShape) {
	r := rand.New(rand.NewPCG(3, 4))
	a := randSlice[T](r, s.m*s.k)
	bb := randSlice[T](r, s.k*s.n)
	c := make([]T, s.m*s.n)
	lda, ldb := s.k, s.n
	if s.tA {
		lda = s.m
	}
	if s.tB {
		ldb = s.k
	}
	runFlops(b, 2*float64(s.m)*float64(s.n)*float64(s.k), func() {
		Gemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
	})
}

func BenchmarkGemmShapes(b *testing.B) {
	benchLevels(b, func(b *testing.B) {
		for _, s := range gemmBenchShapes {
			if s.m*s.n*s.k > 1<<30 && Impl() == Generic {
				continue // minutes per run; the generic level is measured on the smaller shapes
			}
			b.Run("dtype=f32/shape="+s.name, func(b *testing.B) { benchThreads(b, func(b *testing.B) { benchGemm[float32](b, s) }) })
			b.Run("dtype=f64/shape="+s.name, func(b *testing.B) { benchThreads(b, func(b *testing.B) { benchGemm[float64](b, s) }) })
		}
	})
}

type gramShape struct {
	name  string
	trans bool
	n, k  int
}

var gramBenchShapes = []gramShape{
	{name: "XXt500x27648", n: 500, k: 27648},              // 500 STL-10-sized images (3·96·96)
	{name: "XtX100000x64", trans: true, n: 64, k: 100000}, // samples×features covariance
}

func benchGram[T Float](b *testing.B, s gramShape) {
	r := rand.New(rand.NewPCG(5, 6))
	a := randSlice[T](r, s.n*s.k)
	c := make([]T, s.n*s.n)
	lda := s.k
	if s.trans {
		lda = s.n
	}
	runFlops(b, float64(s.n)*float64(s.n)*float64(s.k), func() {
		Gram(s.trans, s.n, s.k, 1, a, lda, 0, c, s.n)
	})
}

func BenchmarkGramShapes(b *testing.B) {
	benchLevels(b, func(b *testing.B) {
		for _, s := range gramBenchShapes {
			if s.n*s.n*s.k > 1<<30 && Impl() == Generic {
				continue // tens of seconds per run
			}
			b.Run("dtype=f32/shape="+s.name, func(b *testing.B) { benchThreads(b, func(b *testing.B) { benchGram[float32](b, s) }) })
			b.Run("dtype=f64/shape="+s.name, func(b *testing.B) { benchThreads(b, func(b *testing.B) { benchGram[float64](b, s) }) })
		}
	})
}

// BenchmarkGemmMicro runs the register-tile kernel alone on L1-resident
// panels: the ceiling the blocked GEMM can reach.
func BenchmarkGemmMicro(b *testing.B) {
	for _, lvl := range []Level{AVX2, AVX512} {
		if !Supported(lvl) {
			continue
		}
		for _, short := range []bool{false, true} {
			tile := "tall"
			if short {
				tile = "short"
			}
			b.Run("impl="+lvl.String()+"/tile="+tile+"/dtype=f32", func(b *testing.B) { benchMicro[float32](b, lvl, short) })
			b.Run("impl="+lvl.String()+"/tile="+tile+"/dtype=f64", func(b *testing.B) { benchMicro[float64](b, lvl, short) })
		}
	}
}

func benchMicro[T Float](b *testing.B, lvl Level, short bool) {
	bl := blockingFor(lvl, !is32[T]())
	mr := bl.mr
	if short {
		mr = gramMR(lvl)
	}
	r := rand.New(rand.NewPCG(7, 8))
	a := randSlice[T](r, mr*bl.kc)
	bp := randSlice[T](r, bl.nr*bl.kc)
	c := make([]T, mr*bl.nr)
	runFlops(b, 2*float64(mr*bl.nr*bl.kc), func() {
		micro(lvl, short, bl.kc, &a[0], &bp[0], bl.nr, &c[0], bl.nr, 1, 1, 1)
	})
}

// BenchmarkGemmPack measures the transposing pack (A of an NN product, both
// operands of XXᵀ) in GB/s of source read.
func BenchmarkGemmPack(b *testing.B) {
	for _, lvl := range []Level{AVX2, AVX512} {
		if !Supported(lvl) {
			continue
		}
		bl := blockingFor(lvl, false)
		r := rand.New(rand.NewPCG(9, 10))
		const k = 4096
		x := randSlice[float32](r, bl.nr*k)
		dst := make([]float32, bl.nr*bl.kc)
		g := gemmArgs[float32]{transB: true, b: x, ldb: k}
		b.Run("impl="+lvl.String()+"/dtype=f32/strided", func(b *testing.B) {
			b.SetBytes(int64(bl.nr * bl.kc * 4))
			for i := 0; i < b.N; i++ {
				packB(&g, dst, 0, bl.nr, (i%(k/bl.kc))*bl.kc, bl.kc, bl.nr)
			}
		})
	}
}
