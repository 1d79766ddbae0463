//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/deepica/deepica/kernels/peak"
)

// TestICAStepAsm compares the amd64 ICA step, for every instruction set
// the CPU has, with the reference over shapes that exercise the register
// tiles' edges (m, k not multiples of 4 and 6, m = 1 deflation), partial
// blocks and chunks, strided operands and NaN inputs, and checks that the
// result is bit-identical for 1, 2 and 3 threads. The tolerance is the
// arithmetic bound of the two sums that differ in order: for out[i][l],
// (k + n)·eps·(Σ_j |g_ij|·|x_lj| + Σ_j |Σ_l' |w_il'||x_l'j| |·|x_lj|) /n,
// plus the contrast's own error (a few ulp of g, scaled by Σ|x|).
func TestICAStepAsm(t *testing.T) {
	prev := Impl()
	defer current.Store(int32(prev))
	type shape struct{ m, k, n, pad int }
	shapes := []shape{{1, 1, 1, 0}, {1, 3, 200, 1}, {4, 4, 96, 0}, {3, 5, 300, 3}, {5, 7, 193, 2},
		{6, 6, 4000, 0}, {8, 13, 5000, 5}, {40, 40, 4100, 0}, {40, 40, 2100, 7}, {7, 2, 191, 0}, {2, 9, 0, 0}}
	if !ewBig() {
		// Under -race and -short: the edge shapes only.
		shapes = shapes[:6]
	}
	for _, is := range ewISAs {
		if !is.ok() {
			continue
		}
		lvl := AVX2
		if is.name == "avx512" {
			lvl = AVX512
		}
		current.Store(int32(lvl))
		for _, f := range []Contrast{LogCosh, Exp, Cube} {
			for si, s := range shapes {
				for _, nan := range []bool{false, true} {
					name := fmt.Sprintf("%s/%v/m=%d/k=%d/n=%d/nan=%v", is.name, f, s.m, s.k, s.n, nan)
					checkICAStepAsm[float64](t, name+"/f64", f, s.m, s.k, s.n, s.pad, uint64(si), nan)
					checkICAStepAsm[float32](t, name+"/f32", f, s.m, s.k, s.n, s.pad, uint64(si), nan)
				}
			}
		}
	}
}

func checkICAStepAsm[T Float](t *testing.T, name string, f Contrast, m, k, n, pad int, seed uint64, nan bool) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	ldw, ldx, ldo := k+pad, max(n+pad, 1), k+pad
	w := make([]T, (m-1)*ldw+k)
	x := make([]T, max(0, (k-1)*ldx+n))
	for i := range w {
		w[i] = T(r.NormFloat64() / math.Sqrt(float64(k)))
	}
	for i := range x {
		x[i] = T(r.NormFloat64())
	}
	if n == 0 {
		nan = false
	}
	if nan {
		x[(k-1)*ldx+r.IntN(n)] = T(math.NaN())
	}
	alpha := T(1.25)
	want := make([]T, (m-1)*ldo+k)
	wantGp := make([]T, m)
	icaStepGeneric(f, alpha, m, k, n, w, ldw, x, ldx, want, ldo, wantGp)
	// gu[i][j] bounds |g(u_ij)| given |u_ij| ≤ Σ_q |w_iq||x_qj|.
	gu := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var u float64
			for q := 0; q < k; q++ {
				u += math.Abs(float64(w[i*ldw+q]) * float64(x[q*ldx+j]))
			}
			gu[i*n+j] = 1
			if f == Cube || f == Exp {
				gu[i*n+j] = math.Max(u*u*u, u)
			}
		}
	}
	var first []T
	for _, th := range []int{1, 2, 3} {
		got := make([]T, len(want))
		gotGp := make([]T, m)
		for i := range got {
			got[i] = -7 // overwritten inside the matrix, kept between rows
		}
		ewWithThreads(th, func() {
			ICAStep(f, alpha, m, k, n, w, ldw, x, ldx, got, ldo, gotGp)
		})
		if first == nil {
			first = got
		} else {
			for i := range got {
				if math.Float64bits(float64(got[i])) != math.Float64bits(float64(first[i])) && !(got[i] != got[i] && first[i] != first[i]) {
					t.Errorf("%s: threads=%d differs from threads=1 at %d: %v vs %v", name, th, i, got[i], first[i])
					return
				}
			}
		}
		for i := 0; i < m; i++ {
			for j := k; j < ldo && i < m-1; j++ {
				if got[i*ldo+j] != -7 {
					t.Errorf("%s: out padding (%d,%d) overwritten", name, i, j)
					return
				}
			}
			for l := 0; l < k; l++ {
				g, wv := float64(got[i*ldo+l]), float64(want[i*ldo+l])
				if nan {
					if !math.IsNaN(g) {
						t.Errorf("%s: out(%d,%d) = %v, want NaN", name, i, l, g)
						return
					}
					continue
				}
				// Bound: Σ_j |g(u_ij)|·|x_lj| with |u| ≤ Σ|w||x|; both sums
				// of length n and k accumulate (k + n + contrast) roundings.
				var s float64
				for j := 0; j < n; j++ {
					s += gu[i*n+j] * math.Abs(float64(x[l*ldx+j]))
				}
				tol := ewTol[T](k+n/8+8, s/float64(max(n, 1))+math.Abs(float64(wantGp[i])*float64(w[i*ldw+l])))
				if !ewClose(g, wv, tol) {
					t.Errorf("%s: out(%d,%d) = %v, reference %v (tolerance %.3g)", name, i, l, g, wv, tol)
					return
				}
			}
			if !nan && !ewClose(float64(gotGp[i]), float64(wantGp[i]), ewTol[T](n/8+8, 3*float64(k))) {
				t.Errorf("%s: gpMean[%d] = %v, reference %v", name, i, gotGp[i], wantGp[i])
			}
		}
	}
}

// TestICAStepAsmAllocs checks that a steady-state ICA step allocates
// nothing, with one thread and with two.
func TestICAStepAsmAllocs(t *testing.T) {
	prev := Impl()
	defer current.Store(int32(prev))
	for _, is := range ewISAs {
		if !is.ok() {
			continue
		}
		lvl := AVX2
		if is.name == "avx512" {
			lvl = AVX512
		}
		current.Store(int32(lvl))
		const m, k, n = 8, 8, 20000
		w := make([]float64, m*k)
		x := make([]float64, k*n)
		for i := range x {
			x[i] = float64(i%17) - 8
		}
		for i := range w {
			w[i] = 0.01 * float64(i%5)
		}
		out, gp := make([]float64, m*k), make([]float64, m)
		for _, th := range []int{1, 2} {
			ewWithThreads(th, func() {
				a := testing.AllocsPerRun(20, func() {
					ICAStep(LogCosh, 1, m, k, n, w, k, x, n, out, k, gp)
				})
				t.Logf("%s threads=%d: %.1f allocations per ICAStep", is.name, th, a)
				if a != 0 {
					t.Errorf("%s threads=%d: %.1f allocations per ICAStep, want 0", is.name, th, a)
				}
			})
		}
	}
}

// BenchmarkICAStepAsm measures the fused step at the engine's shape
// (k = 40 components, n = 1,000,000 samples, and n = 49,152 whose calls
// are short enough to dodge the other processes of this shared machine yet
// give each of two threads two chunks), counting 4·k²·n flops. The FMA peak
// of each level, measured in the same run by kernels/peak (the best of
// repeated short probes, for the same reason), is reported beside it.
func BenchmarkICAStepAsm(b *testing.B) {
	const k = 40
	peaks := map[string]float64{}
	for range 30 {
		for _, r := range peak.FMA(2 * time.Millisecond) {
			peaks[r.Name] = max(peaks[r.Name], r.Value)
		}
	}
	ewLevels(b, func(isa string, lvl Level) {
		for _, n := range []int{1000000, 49152} {
			for _, dt := range []string{"f32", "f64"} {
				for _, th := range []int{1, 2} {
					for _, f := range []Contrast{LogCosh, Exp, Cube} {
						for _, layout := range []string{"features", "rows"} {
							b.Run(fmt.Sprintf("impl=%s/dtype=%s/threads=%d/g=%v/k=%d/n=%d/layout=%s", isa, dt, th, f, k, n, layout), func(b *testing.B) {
								current.Store(int32(lvl))
								ewWithThreads(th, func() {
									if dt == "f32" {
										benchICA[float32](b, f, k, n, layout == "rows")
									} else {
										benchICA[float64](b, f, k, n, layout == "rows")
									}
								})
								b.ReportMetric(peaks[fmt.Sprintf("fma %s %s", isa, dt)]*float64(th), "peak-GFLOP/s")
							})
						}
					}
				}
			}
		}
	})
}

// benchICA times ICAStep on k×n X (features layout) or ICAStepRows on the
// same values stored n×k with a nonzero mean (rows layout).
func benchICA[T Float](b *testing.B, f Contrast, k, n int, rows bool) {
	r := rand.New(rand.NewPCG(1, 2))
	w := make([]T, k*k)
	x := make([]T, k*n)
	for i := range x {
		x[i] = T(r.NormFloat64())
	}
	for i := range w {
		w[i] = T(r.NormFloat64() / math.Sqrt(float64(k)))
	}
	out, gp := make([]T, k*k), make([]T, k)
	step := func() { ICAStep(f, 1, k, k, n, w, k, x, n, out, k, gp) }
	if rows {
		mu := make([]T, k)
		for l := range mu {
			mu[l] = T(r.Float64())
		}
		xr := make([]T, n*k)
		for l := 0; l < k; l++ {
			for j := 0; j < n; j++ {
				xr[j*k+l] = x[l*n+j] + mu[l]
			}
		}
		x = nil
		step = func() { ICAStepRows(f, 1, k, k, n, w, k, xr, k, mu, out, k, gp) }
	}
	cpu0 := processCPU()
	ewBench(b, 4*float64(k*k)*float64(n)/1e9, "GFLOP/s", step)
	// GFLOP per CPU-second of the process (all threads): the per-core rate
	// while the kernel actually runs, whatever else the machine does.
	b.ReportMetric(4*float64(k*k)*float64(n)*float64(b.N+1)/(processCPU()-cpu0)/1e9, "GFLOP/cpu-s")
}

// processCPU is the user+system CPU time of this process, in seconds.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkContrastAsm measures ApplyContrast on 40 rows of 24,576 (in L2)
// and of 250,000 values, in GB/s of the matrix read and written back.
func BenchmarkContrastAsm(b *testing.B) {
	ewLevels(b, func(isa string, lvl Level) {
		for _, n := range []int{24576, 250000} {
			for _, f := range []Contrast{LogCosh, Exp, Cube} {
				b.Run(fmt.Sprintf("impl=%s/dtype=f32/g=%v/n=%d", isa, f, n), func(b *testing.B) {
					current.Store(int32(lvl))
					benchContrast[float32](b, f, n)
				})
				b.Run(fmt.Sprintf("impl=%s/dtype=f64/g=%v/n=%d", isa, f, n), func(b *testing.B) {
					current.Store(int32(lvl))
					benchContrast[float64](b, f, n)
				})
			}
		}
	})
}

func benchContrast[T Float](b *testing.B, f Contrast, n int) {
	const rows = 40
	u := make([]T, rows*n)
	src := make([]T, rows*n)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range src {
		src[i] = T(r.NormFloat64())
	}
	gp := make([]T, rows)
	var z T
	b.SetBytes(int64(rows * n * int(unsafe.Sizeof(z)) * 2))
	ewBench(b, float64(rows*n*int(unsafe.Sizeof(z))*2)/1e9, "GB/s", func() {
		copy(u, src) // keep the arguments in range: g is not idempotent
		ApplyContrast(f, 1, rows, n, u, n, gp)
	})
}

// tanhArgs are the arguments the fused step's tanh is checked on: a dense
// grid over [−25, 25], log-spaced magnitudes from 2⁻¹⁰⁷⁴ to 2¹⁰²³, the
// reduction boundaries n·ln2/4, random values and random bit patterns, and
// the special values.
func tanhArgs() []float64 {
	var a []float64
	for i := -25 * 4096; i <= 25*4096; i++ {
		a = append(a, float64(i)/4096)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for e := -1074; e <= 1023; e++ {
		for range 8 {
			v := math.Ldexp(1+r.Float64(), e)
			a = append(a, v, -v)
		}
	}
	for n := 0; n <= 120; n++ {
		b := float64(n) * math.Ln2 / 4
		for d := -8; d <= 8; d++ {
			a = append(a, b*(1+float64(d)*0x1p-52), -b*(1+float64(d)*0x1p-52))
		}
	}
	for range 150000 {
		a = append(a, 40*r.Float64()-20)
	}
	for range 50000 {
		a = append(a, math.Float64frombits(r.Uint64()))
	}
	return append(a, 0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 0x1p-1022, -0x1p-1022, 19.06, 20, 21, 9, 10, 11)
}

// icaTanhBlock runs the fused step's LogCosh contrast kernel of the level
// over u (one block of one component vector: its length is the block's
// number of values) and returns g' summed over the block's lanes.
func icaTanhBlock[T Float](lvl Level, u []T) float64 {
	var gp [16]float64
	if is32[T]() {
		p := (*float32)(unsafe.Pointer(unsafe.SliceData(u)))
		g := (*float32)(unsafe.Pointer(&gp[0]))
		if lvl == AVX512 {
			icaTGTanhF32AVX512(p, 1, g)
		} else {
			icaTGTanhF32AVX2(p, 1, g)
		}
		var s float64
		for _, v := range unsafe.Slice(g, 32) {
			s += float64(v)
		}
		return s
	}
	p := (*float64)(unsafe.Pointer(unsafe.SliceData(u)))
	if lvl == AVX512 {
		icaTGTanhF64AVX512(p, 1, &gp[0])
	} else {
		icaTGTanhF64AVX2(p, 1, &gp[0])
	}
	var s float64
	for _, v := range gp {
		s += v
	}
	return s
}

// TestICAStepTanh checks the fused step's own tanh (asm/icastep/tanh.go)
// against math.Tanh: float64 within 2 ulp, float32 within 2 ulp of
// float32(math.Tanh(x)), the sign of zero kept, NaN propagated, and the
// g' sum (1 − tanh² over the block) within the rounding of its terms.
func TestICAStepTanh(t *testing.T) {
	args := tanhArgs()
	ewLevels(t, func(isa string, lvl Level) {
		checkICATanh[float64](t, isa, lvl, args, 2)
		checkICATanh[float32](t, isa, lvl, args, 2)
	})
}

func checkICATanh[T Float](t *testing.T, isa string, lvl Level, args []float64, maxULP uint64) {
	var z T
	vb, bcp := 32, 24
	if lvl == AVX512 {
		vb, bcp = 64, 32
	}
	nb := bcp * vb / int(unsafe.Sizeof(z))
	u := make([]T, nb)
	var worst uint64
	var worstAt float64
	for i0 := 0; i0 < len(args); i0 += nb {
		for i := range u {
			u[i] = T(args[(i0+i)%len(args)])
		}
		in := append([]T(nil), u...)
		gp := icaTanhBlock(lvl, u)
		var want float64
		nan := false
		for i, x := range in {
			ref := T(math.Tanh(float64(x)))
			if x != x {
				nan = true
			} else {
				want += 1 - float64(u[i])*float64(u[i])
			}
			d := ewULP(u[i], ref)
			if d > worst {
				worst, worstAt = d, float64(x)
			}
			if ref == 0 && math.Signbit(float64(u[i])) != math.Signbit(float64(ref)) {
				t.Fatalf("%s %T: tanh(%v) = %v, want %v", isa, z, x, u[i], ref)
			}
		}
		if nan != (gp != gp) || !nan && math.Abs(gp-want) > float64(nb)*ewEps[T]()*2*float64(nb) {
			t.Fatalf("%s %T: Σ g' = %v, want %v", isa, z, gp, want)
		}
	}
	t.Logf("%s %T: tanh within %d ulp (worst at %v)", isa, z, worst, worstAt)
	if worst > maxULP {
		t.Errorf("%s %T: tanh off by %d ulp at %v, want ≤ %d", isa, z, worst, worstAt, maxULP)
	}
}
