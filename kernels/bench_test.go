package kernels

// Benchmarks for every kernel at every level this machine runs, named
// Benchmark<Kernel>/impl=<level>/dtype=<f32|f64>/<shape>, reporting GFLOP/s
// for arithmetic kernels and GB/s (bytes read + written) for data movement.
// Speed is measured here, never asserted. -short shrinks the engine shapes.
//
//	go test -run '^$' -bench . ./kernels
//	go test -run '^$' -bench 'Gemm/impl=avx512/dtype=f32/n=2048' ./kernels

import (
	"fmt"
	"testing"
)

// forEachLevelB runs one sub-benchmark per available level, forced with
// SetLevel, restoring the level in force afterwards.
func forEachLevelB(b *testing.B, fn func(b *testing.B)) {
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

// forTypesB runs dtype=f32 and dtype=f64 sub-benchmarks.
func forTypesB(b *testing.B, f32, f64 func(b *testing.B)) {
	b.Run("dtype=f32", f32)
	b.Run("dtype=f64", f64)
}

// run times op b.N times and reports flops and bytes per op as GFLOP/s and
// GB/s (either may be 0 to omit it).
func runBench(b *testing.B, flops, bytes float64, op func()) {
	b.ReportAllocs()
	op() // warm caches, pools and pages outside the timing
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		op()
	}
	b.StopTimer()
	s := b.Elapsed().Seconds()
	if s <= 0 {
		return
	}
	if flops > 0 {
		b.ReportMetric(flops*float64(b.N)/s/1e9, "GFLOP/s")
	}
	if bytes > 0 {
		b.ReportMetric(bytes*float64(b.N)/s/1e9, "GB/s")
	}
}

func sizeOf[T Float]() float64 {
	if is32[T]() {
		return 4
	}
	return 8
}

// benchData returns n deterministic values in [-1, 1).
func benchData[T Float](n int, seed uint64) []T { return randSliceOf[T](seed, n) }

// ---- vector kernels ----

func BenchmarkVec(b *testing.B) {
	sizes := []int{1000, 100_000, 4_000_000}
	forEachLevelB(b, func(b *testing.B) {
		forTypesB(b, benchVec[float32](sizes), benchVec[float64](sizes))
	})
}

func benchVec[T Float](sizes []int) func(b *testing.B) {
	return func(b *testing.B) {
		for _, n := range sizes {
			x, y, d := benchData[T](n, 1), benchData[T](n, 2), make([]T, n)
			e := sizeOf[T]() * float64(n)
			var sink T
			b.Run(fmt.Sprintf("op=dot/n=%d", n), func(b *testing.B) { runBench(b, 2*float64(n), 2*e, func() { sink += Dot(x, y) }) })
			b.Run(fmt.Sprintf("op=sum/n=%d", n), func(b *testing.B) { runBench(b, float64(n), e, func() { sink += Sum(x) }) })
			b.Run(fmt.Sprintf("op=axpy/n=%d", n), func(b *testing.B) { runBench(b, 2*float64(n), 3*e, func() { Axpy(1e-9, x, d) }) })
			b.Run(fmt.Sprintf("op=scale/n=%d", n), func(b *testing.B) { runBench(b, float64(n), 2*e, func() { Scale(1, d) }) })
			b.Run(fmt.Sprintf("op=mul/n=%d", n), func(b *testing.B) { runBench(b, float64(n), 3*e, func() { Mul(d, x, y) }) })
			_ = sink
		}
	}
}

// ---- GEMM ----

// engineGemmShape is one C = A·B; name is the sub-benchmark's shape part.
type engineGemmShape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

// engineGemmShapes: square products up to 2048³ (the peak figure) and the
// engine's shapes (issue 3): W·X with W 40×40 and X 40×1,000,000, and the
// per-image im2col GEMMs of 3→32 and 32→32 3×3 convolutions on 96×96
// (Wmat 32×27 or 32×288 times a column matrix of 9216 columns).
func engineGemmShapes() []engineGemmShape {
	s := []engineGemmShape{
		{name: "n=64", m: 64, n: 64, k: 64},
		{name: "n=256", m: 256, n: 256, k: 256},
		{name: "n=1024", m: 1024, n: 1024, k: 1024},
		{name: "n=2048", m: 2048, n: 2048, k: 2048},
		{name: "shape=WX-40x40x1000000", m: 40, n: 1_000_000, k: 40},
		{name: "shape=conv3to32-96x96", m: 32, n: 96 * 96, k: 27},
		{name: "shape=conv32to32-96x96", m: 32, n: 96 * 96, k: 288},
		{name: "shape=transA-512", transA: true, m: 512, n: 512, k: 512},
	}
	if testing.Short() {
		s[3] = engineGemmShape{name: "n=512", m: 512, n: 512, k: 512}
		s[4] = engineGemmShape{name: "shape=WX-40x40x100000", m: 40, n: 100_000, k: 40}
	}
	return s
}

func BenchmarkGemm(b *testing.B) {
	forEachLevelB(b, func(b *testing.B) {
		forTypesB(b, benchGemmT[float32], benchGemmT[float64])
	})
}

func benchGemmT[T Float](b *testing.B) {
	for _, s := range engineGemmShapes() {
		b.Run(s.name, func(b *testing.B) {
			lda, ldb := s.k, s.n
			if s.transA {
				lda = s.m
			}
			if s.transB {
				ldb = s.k
			}
			a, bb, c := benchData[T](s.m*s.k, 1), benchData[T](s.k*s.n, 2), make([]T, s.m*s.n)
			runBench(b, 2*float64(s.m)*float64(s.n)*float64(s.k), 0, func() {
				Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
			})
		})
	}
}

// ---- Gram ----

type engineGramShape struct {
	name  string
	trans bool
	n, k  int
}

// engineGramShapes: the Gram matrix of 500 STL-10-sized images (500×27648,
// A·Aᵀ) and XᵀX of 100000 samples × 64 features.
func engineGramShapes() []engineGramShape {
	s := []engineGramShape{
		{name: "shape=XXt-500x27648", n: 500, k: 27648},
		{name: "shape=XtX-100000x64", trans: true, n: 64, k: 100_000},
		{name: "n=1024", n: 1024, k: 1024},
	}
	if testing.Short() {
		s[0] = engineGramShape{name: "shape=XXt-500x2764", n: 500, k: 2764}
		s[1] = engineGramShape{name: "shape=XtX-10000x64", trans: true, n: 64, k: 10_000}
	}
	return s
}

func BenchmarkGram(b *testing.B) {
	forEachLevelB(b, func(b *testing.B) {
		forTypesB(b, benchGramT[float32](false), benchGramT[float64](false))
	})
}

// BenchmarkGramWide is GramWide beside Gram[float64] of the same values
// (f64 in the name: the float64 Gram of the widened data).
func BenchmarkGramWide(b *testing.B) {
	forEachLevelB(b, func(b *testing.B) {
		for _, s := range engineGramShapes() {
			b.Run(s.name, func(b *testing.B) {
				a32 := benchData[float32](s.n*s.k, 1)
				a64 := make([]float64, len(a32))
				for i, v := range a32 {
					a64[i] = float64(v)
				}
				c := make([]float64, s.n*s.n)
				lda := s.k
				if s.trans {
					lda = s.n
				}
				flops := float64(s.n) * float64(s.n) * float64(s.k)
				b.Run("src=f32", func(b *testing.B) {
					runBench(b, flops, 0, func() { GramWide(s.trans, s.n, s.k, 1, a32, lda, 0, c, s.n) })
				})
				b.Run("src=f64", func(b *testing.B) {
					runBench(b, flops, 0, func() { Gram(s.trans, s.n, s.k, 1, a64, lda, 0, c, s.n) })
				})
			})
		}
	})
}

func BenchmarkCenteredGram(b *testing.B) {
	forEachLevelB(b, func(b *testing.B) {
		forTypesB(b, benchGramT[float32](true), benchGramT[float64](true))
	})
}

// benchGramT counts n²·k flops: the useful half of the 2·n²·k of the full
// product, which is what a triangle-only Gram does.
func benchGramT[T Float](centered bool) func(b *testing.B) {
	return func(b *testing.B) {
		for _, s := range engineGramShapes() {
			b.Run(s.name, func(b *testing.B) {
				a, c, mean := benchData[T](s.n*s.k, 1), make([]T, s.n*s.n), make([]T, s.n)
				lda := s.k
				if s.trans {
					lda = s.n
				}
				runBench(b, float64(s.n)*float64(s.n)*float64(s.k), 0, func() {
					if centered {
						CenteredGram(s.trans, s.n, s.k, 1/T(s.k-1), a, lda, c, s.n, mean)
					} else {
						Gram(s.trans, s.n, s.k, 1, a, lda, 0, c, s.n)
					}
				})
			})
		}
	}
}

// ---- im2col / col2im ----

func engineConvGeoms() []struct {
	name string
	g    ConvGeom
} {
	return []struct {
		name string
		g    ConvGeom
	}{
		{"shape=3x96x96-k3p1", ConvGeom{C: 3, H: 96, W: 96, KH: 3, KW: 3, PadH: 1, PadW: 1}},
		{"shape=32x96x96-k3p1", ConvGeom{C: 32, H: 96, W: 96, KH: 3, KW: 3, PadH: 1, PadW: 1}},
		{"shape=32x96x96-k3s2p1", ConvGeom{C: 32, H: 96, W: 96, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}},
	}
}

// BenchmarkIm2col reports GB/s of column matrix written plus image read.
func BenchmarkIm2col(b *testing.B) {
	forEachLevelB(b, func(b *testing.B) {
		forTypesB(b, benchIm2colT[float32](false), benchIm2colT[float64](false))
	})
}

// BenchmarkCol2im reports GB/s of column matrix read plus image updated.
func BenchmarkCol2im(b *testing.B) {
	forEachLevelB(b, func(b *testing.B) {
		forTypesB(b, benchIm2colT[float32](true), benchIm2colT[float64](true))
	})
}

func benchIm2colT[T Float](adjoint bool) func(b *testing.B) {
	return func(b *testing.B) {
		for _, s := range engineConvGeoms() {
			b.Run(s.name, func(b *testing.B) {
				g := s.g
				img, col := benchData[T](g.C*g.H*g.W, 1), benchData[T](g.ColRows()*g.ColCols(), 2)
				bytes := sizeOf[T]() * float64(len(img)+len(col))
				if adjoint {
					runBench(b, 0, bytes+sizeOf[T]()*float64(len(img)), func() { Col2im(g, col, img) })
				} else {
					runBench(b, 0, bytes, func() { Im2col(g, img, col) })
				}
			})
		}
	}
}

// ---- contrast, ICA step ----

func BenchmarkContrast(b *testing.B) {
	forEachLevelB(b, func(b *testing.B) {
		forTypesB(b, benchContrastT[float32], benchContrastT[float64])
	})
}

// benchContrastT: a 40×100000 block (40 components), g in place and the
// means of g'; GB/s of u read and written.
func benchContrastT[T Float](b *testing.B) {
	const rows, cols = 40, 100_000
	src := benchData[T](rows*cols, 1)
	u, gp := make([]T, rows*cols), make([]T, rows)
	for _, f := range []Contrast{LogCosh, Exp, Cube} {
		b.Run("f="+f.String(), func(b *testing.B) {
			copy(u, src) // g is applied over and over; logcosh/exp stay bounded
			runBench(b, 0, 2*sizeOf[T]()*rows*cols, func() { ApplyContrast(f, 1, rows, cols, u, cols, gp) })
		})
	}
}

// BenchmarkICAStep: the fused FastICA step at the engine's shape, k = 40
// components over n = 1,000,000 whitened samples (m = k, parallel
// FastICA) and one deflation unit (m = 1). GFLOP/s counts 4·m·k·n, the
// contrast's work not counted; the step reads X once (GB/s).
func BenchmarkICAStep(b *testing.B) {
	forEachLevelB(b, func(b *testing.B) {
		forTypesB(b, benchICAStepT[float32], benchICAStepT[float64])
	})
}

func benchICAStepT[T Float](b *testing.B) {
	const k = 40
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	x := benchData[T](k*n, 1)
	w := benchData[T](k*k, 2)
	Scale(T(0.3), w) // keep W·X in the contrasts' working range
	out, gp := make([]T, k*k), make([]T, k)
	for _, m := range []int{k, 1} {
		for _, f := range []Contrast{LogCosh, Exp, Cube} {
			b.Run(fmt.Sprintf("f=%v/m=%d/k=%d/n=%d", f, m, k, n), func(b *testing.B) {
				runBench(b, 4*float64(m)*k*float64(n), sizeOf[T]()*k*float64(n), func() {
					ICAStep(f, 1, m, k, n, w, k, x, n, out, k, gp[:m])
				})
			})
		}
	}
}

// BenchmarkProjectRows: FastICA's sources, 40 components of 1,000,000
// samples of 40 features stored one per row, centred (2·m·k·n flops; the
// samples are read once and the result written once: GB/s of both).
func BenchmarkProjectRows(b *testing.B) {
	forEachLevelB(b, func(b *testing.B) {
		forTypesB(b, benchProjectRowsT[float32], benchProjectRowsT[float64])
	})
}

func benchProjectRowsT[T Float](b *testing.B) {
	const m, k = 40, 40
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	x := benchData[T](n*k, 1)
	w := benchData[T](m*k, 2)
	mu := benchData[T](k, 3)
	dst := make([]T, n*m)
	b.Run(fmt.Sprintf("m=%d/k=%d/n=%d", m, k, n), func(b *testing.B) {
		runBench(b, 2*float64(m)*k*float64(n), sizeOf[T]()*float64(k+m)*float64(n), func() {
			ProjectRows(m, k, n, w, k, x, k, mu, dst, m)
		})
	})
}

// ---- deep-model kernels ----

func BenchmarkActivation(b *testing.B) {
	forEachLevelB(b, func(b *testing.B) {
		forTypesB(b, benchActT[float32], benchActT[float64])
	})
}

// benchActT: forward (x read, y written) and backward (x, y, dy read, dx
// written) over one million elements.
func benchActT[T Float](b *testing.B) {
	const n = 1_000_000
	x, dy := benchData[T](n, 1), benchData[T](n, 2)
	y, dx := make([]T, n), make([]T, n)
	e := sizeOf[T]() * n
	for _, a := range activations {
		b.Run("act="+a.String()+"/dir=forward", func(b *testing.B) {
			runBench(b, 0, 2*e, func() { ActivationForward(a, 1, x, y) })
		})
		b.Run("act="+a.String()+"/dir=backward", func(b *testing.B) {
			ActivationForward(a, 1, x, y)
			runBench(b, 0, 4*e, func() { ActivationBackward(a, 1, x, y, dy, dx) })
		})
	}
}

// BenchmarkAdam: one Adam update of a million parameters (p, g, m, v read;
// p, m, v written).
func BenchmarkAdam(b *testing.B) {
	forEachLevelB(b, func(b *testing.B) {
		forTypesB(b, benchAdamT[float32], benchAdamT[float64])
	})
}

func benchAdamT[T Float](b *testing.B) {
	const n = 1_000_000
	p, g := benchData[T](n, 1), benchData[T](n, 2)
	m, v := make([]T, n), make([]T, n)
	b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
		t := 0
		runBench(b, 0, 7*sizeOf[T]()*n, func() {
			t++
			AdamStep(p, g, m, v, 1e-3, 0.9, 0.999, 1e-8, t)
		})
	})
}
