//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Tests of the NEON kernels' own structure (tile edges, chunking, thread
// independence) against the pure-Go references. The general harness tests
// cover sizes, offsets and NaN for every level; these add shapes that cross
// the NEON tile sizes (neonMC, neonNC, kcBlock) in every direction.

func withNEON(t *testing.T) {
	t.Helper()
	prev := Impl()
	if err := SetLevel(NEON); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { SetLevel(prev) })
}

func neonRandSlice[T Float](r *rand.Rand, n int) []T {
	x := make([]T, n)
	for i := range x {
		x[i] = T(r.NormFloat64())
	}
	return x
}

func neonEps[T Float]() float64 {
	if is32[T]() {
		return 0x1p-24
	}
	return 0x1p-53
}

// checkGemmNEON compares NEON Gemm with the reference. Both are sums of k
// products with fused multiply-adds; each differs from the exact value by at
// most (k+2)·ε·(|α|·Σ_p|a_ip·b_pj| + |β·c_ij|), so they differ from each
// other by at most twice that.
func checkGemmNEON[T Float](t *testing.T, r *rand.Rand, tA, tB bool, m, n, k int, alpha, beta T) {
	t.Helper()
	lda, ldb, ldc := k+3, n+1, n+5
	ar, br := m, k
	if tA {
		lda, ar = m+3, k
	}
	if tB {
		ldb, br = k+1, n
	}
	a := neonRandSlice[T](r, ar*lda)
	b := neonRandSlice[T](r, br*ldb)
	c0 := neonRandSlice[T](r, m*ldc)
	want := append([]T(nil), c0...)
	got := append([]T(nil), c0...)
	SetLevel(Generic)
	Gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
	SetLevel(NEON)
	Gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
	at := func(i, p int) T {
		if tA {
			return a[p*lda+i]
		}
		return a[i*lda+p]
	}
	bt := func(p, j int) T {
		if tB {
			return b[j*ldb+p]
		}
		return b[p*ldb+j]
	}
	eps := neonEps[T]()
	for i := 0; i < m; i++ {
		for j := 0; j < ldc; j++ {
			idx := i*ldc + j
			if j >= n {
				if got[idx] != c0[idx] {
					t.Fatalf("Gemm %v%v %dx%dx%d wrote outside C at (%d,%d)", tA, tB, m, n, k, i, j)
				}
				continue
			}
			var s float64
			for p := 0; p < k; p++ {
				s += math.Abs(float64(at(i, p)) * float64(bt(p, j)))
			}
			tol := 2 * float64(k+2) * eps * (math.Abs(float64(alpha))*s + math.Abs(float64(beta*c0[idx])))
			if d := math.Abs(float64(got[idx] - want[idx])); d > tol {
				t.Fatalf("Gemm %v%v %dx%dx%d α=%v β=%v: C[%d,%d] = %v, reference %v (|Δ| %g > %g)",
					tA, tB, m, n, k, alpha, beta, i, j, got[idx], want[idx], d, tol)
			}
		}
	}
}

func TestNEONGemmTiles(t *testing.T) {
	withNEON(t)
	r := rand.New(rand.NewPCG(5, 6))
	shapes := [][3]int{{1, 1, 1}, {9, 17, 3}, {129, 9, 257}, {7, 513, 33}, {130, 520, 300}}
	if testing.Short() {
		shapes = shapes[:4]
	}
	for _, s := range shapes {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			checkGemmNEON[float32](t, r, tr[0], tr[1], s[0], s[1], s[2], 1.5, 0.5)
			checkGemmNEON[float64](t, r, tr[0], tr[1], s[0], s[1], s[2], -0.75, 0)
		}
	}
}

// TestNEONThreadIndependence checks that Gemm, Gram and ICAStep at the NEON
// level give bit-identical results for 1, 2 and 3 threads.
func TestNEONThreadIndependence(t *testing.T) {
	withNEON(t)
	r := rand.New(rand.NewPCG(7, 8))
	m, n, k := 150, 530, 270
	a := neonRandSlice[float32](r, m*k)
	b := neonRandSlice[float32](r, k*n)
	x := neonRandSlice[float64](r, 8*(2*icaChunk+37))
	w := neonRandSlice[float64](r, 8*8)
	var ref []float32
	var refG []float64
	var refS []float64
	for _, th := range []int{1, 2, 3} {
		withThreads(th, func() {
			c := make([]float32, m*n)
			Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
			g := make([]float64, 8*8)
			Gram(true, 8, len(x)/8, 1, x, 8, 0, g, 8)
			s := make([]float64, 8*8)
			ICAStep(LogCosh, 1.0, 8, 8, len(x)/8, w, 8, x, len(x)/8, s, 8, nil)
			if ref == nil {
				ref, refG, refS = c, g, s
				return
			}
			for i := range c {
				if math.Float32bits(c[i]) != math.Float32bits(ref[i]) {
					t.Fatalf("Gemm with %d threads differs at %d: %v vs %v", th, i, c[i], ref[i])
				}
			}
			for i := range g {
				if g[i] != refG[i] || s[i] != refS[i] {
					t.Fatalf("Gram/ICAStep with %d threads differ at %d", th, i)
				}
			}
		})
	}
}

// TestNEONICAStep compares the NEON ICAStep with the reference for each
// contrast, over column counts that cross the block and chunk widths. Both
// compute the same sums with different roundings in g (a few ulp, times
// |X|) and in the GEMMs: the bound is (k+n+8)·ε·Σ_j|g_ij·x_lj|/n plus
// the g' term (n+8)·ε·Σ|g'|/n·|w|.
func TestNEONICAStep(t *testing.T) {
	withNEON(t)
	r := rand.New(rand.NewPCG(9, 10))
	for _, f := range []Contrast{LogCosh, Exp, Cube} {
		for _, n := range []int{1, 5, 255, 257, icaChunk + 3} {
			testICAStepNEON[float64](t, r, f, 6, 5, n)
			testICAStepNEON[float32](t, r, f, 6, 5, n)
		}
	}
}

func testICAStepNEON[T Float](t *testing.T, r *rand.Rand, f Contrast, m, k, n int) {
	t.Helper()
	w := neonRandSlice[T](r, m*k)
	for i := range w {
		w[i] *= 0.4
	}
	x := neonRandSlice[T](r, k*n)
	want := make([]T, m*k)
	got := make([]T, m*k)
	gw := make([]T, m)
	gg := make([]T, m)
	SetLevel(Generic)
	ICAStep(f, 1, m, k, n, w, k, x, n, want, k, gw)
	SetLevel(NEON)
	ICAStep(f, 1, m, k, n, w, k, x, n, got, k, gg)
	// Magnitudes: |u| ≤ Σ|w||x|, |g| ≤ max(1, |u|³), |g'| ≤ max(1.3, 3u²).
	eps := neonEps[T]()
	for i := 0; i < m; i++ {
		var gabs float64
		for j := 0; j < n; j++ {
			var u float64
			for l := 0; l < k; l++ {
				u += math.Abs(float64(w[i*k+l] * x[l*n+j]))
			}
			gabs += math.Max(1.3, 3*u*u*math.Max(1, u))
		}
		gtol := float64(n+k+8) * 8 * eps * gabs / float64(n)
		if d := math.Abs(float64(gg[i] - gw[i])); d > gtol {
			t.Fatalf("%s m=%d k=%d n=%d: gpMean[%d] = %v, reference %v (> %g)", f, m, k, n, i, gg[i], gw[i], gtol)
		}
		for l := 0; l < k; l++ {
			var s float64
			for j := 0; j < n; j++ {
				var u float64
				for q := 0; q < k; q++ {
					u += math.Abs(float64(w[i*k+q] * x[q*n+j]))
				}
				s += math.Max(1, u*u*u) * math.Abs(float64(x[l*n+j]))
			}
			tol := float64(n+k+8)*8*eps*s/float64(n) + gtol*math.Abs(float64(w[i*k+l]))
			if d := math.Abs(float64(got[i*k+l] - want[i*k+l])); d > tol || got[i*k+l] != got[i*k+l] {
				t.Fatalf("%s m=%d k=%d n=%d: out[%d,%d] = %v, reference %v (> %g)", f, m, k, n, i, l, got[i*k+l], want[i*k+l], tol)
			}
		}
	}
}

// TestNEONActBackwardAdam compares the NEON backward passes and Adam with
// the references element by element, over lengths covering the vector tails
// and with NaN/±Inf/±0 inputs. Each output is a few roundings of the same
// operands: the difference is bounded by 4 ulp of the result plus 4ε of the
// intermediate magnitudes.
func TestNEONActBackwardAdam(t *testing.T) {
	withNEON(t)
	testActBackAdam[float32](t)
	testActBackAdam[float64](t)
}

func testActBackAdam[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	eps := neonEps[T]()
	close := func(got, want, scale T) bool {
		if want != want {
			return got != got
		}
		return math.Abs(float64(got-want)) <= 8*eps*(math.Abs(float64(want))+math.Abs(float64(scale)))
	}
	special := []T{0, T(math.Copysign(0, -1)), T(math.NaN()), T(math.Inf(1)), T(math.Inf(-1)), 1, -1}
	for n := 0; n < 40; n++ {
		x := neonRandSlice[T](r, n)
		dy := neonRandSlice[T](r, n)
		for i := 0; i < n; i += 5 {
			x[i] = special[(i/5)%len(special)]
		}
		for _, act := range []Activation{ELU, ReLU, Tanh, Sigmoid} {
			y := make([]T, n)
			SetLevel(Generic)
			ActivationForward(act, 0.9, x, y)
			want := make([]T, n)
			ActivationBackward(act, 0.9, x, y, dy, want)
			SetLevel(NEON)
			got := make([]T, n)
			ActivationBackward(act, 0.9, x, y, dy, got)
			for i := range got {
				if !close(got[i], want[i], dy[i]*(1+y[i]*y[i]+0.9)) {
					t.Fatalf("%T %s backward n=%d x=%v y=%v dy=%v: %v, reference %v", got[i], act, n, x[i], y[i], dy[i], got[i], want[i])
				}
			}
		}
		g := neonRandSlice[T](r, n)
		m := neonRandSlice[T](r, n)
		v := neonRandSlice[T](r, n)
		for i := range v {
			v[i] *= v[i]
		}
		p := neonRandSlice[T](r, n)
		pw, mw, vw := append([]T(nil), p...), append([]T(nil), m...), append([]T(nil), v...)
		pg, mg, vg := append([]T(nil), p...), append([]T(nil), m...), append([]T(nil), v...)
		SetLevel(Generic)
		AdamStep(pw, g, mw, vw, 0.01, 0.9, 0.999, 1e-8, 3)
		SetLevel(NEON)
		AdamStep(pg, g, mg, vg, 0.01, 0.9, 0.999, 1e-8, 3)
		for i := range pg {
			if !close(mg[i], mw[i], g[i]+m[i]) || !close(vg[i], vw[i], g[i]*g[i]+v[i]) {
				t.Fatalf("Adam n=%d i=%d: m %v/%v v %v/%v", n, i, mg[i], mw[i], vg[i], vw[i])
			}
			// The step lr·m̂/(√v̂+ε) has relative error of a few ε; it is
			// at most lr·|m̂|/ε_adam in size.
			step := 0.01 * (math.Abs(float64(mw[i]))*10 + 1) / (math.Sqrt(math.Abs(float64(vw[i]))) + 1e-8)
			if math.Abs(float64(pg[i]-pw[i])) > 8*eps*(math.Abs(float64(pw[i]))+step) {
				t.Fatalf("Adam n=%d i=%d: p %v, reference %v", n, i, pg[i], pw[i])
			}
		}
	}
}

// TestNEONCol2imExact checks that the NEON Col2im (unit-stride rows through
// the NEON axpy with alpha 1) is bit-identical to the reference: FMA(1, x, y)
// is the correctly rounded x + y, and the order of the additions is the same.
func TestNEONCol2imExact(t *testing.T) {
	withNEON(t)
	r := rand.New(rand.NewPCG(13, 14))
	for _, g := range []ConvGeom{
		{C: 3, H: 11, W: 13, KH: 3, KW: 3, PadH: 1, PadW: 1},
		{C: 2, H: 9, W: 17, KH: 5, KW: 4, PadH: 2, PadW: 3, DilW: 2},
		{C: 1, H: 7, W: 7, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	} {
		col := neonRandSlice[float32](r, g.C*g.KH*g.KW*g.OutH()*g.OutW())
		img0 := neonRandSlice[float32](r, g.C*g.H*g.W)
		want := append([]float32(nil), img0...)
		got := append([]float32(nil), img0...)
		SetLevel(Generic)
		Col2im(g, col, want)
		SetLevel(NEON)
		Col2im(g, col, got)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("Col2im %+v: img[%d] = %v, reference %v", g, i, got[i], want[i])
			}
		}
	}
}
