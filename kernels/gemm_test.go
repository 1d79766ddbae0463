package kernels

import (
	"fmt"
	"math"
	"testing"
)

// gemmFunc is the signature of Gemm for one element type.
type gemmFunc[T Float] func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

// gemmCase is one Gemm case. pad* are added to the minimal leading
// dimensions; nanC fills C with NaN (only meaningful with beta = 0, where C
// must be ignored).
type gemmCase struct {
	tA, tB           bool
	m, n, k          int
	alpha, beta      float64
	padA, padB, padC int
	pa, pb, pc       placement
	seed             uint64
	special          bool
	nanC             bool
	raw              []byte
}

func (c gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d alpha=%v beta=%v pad=%d,%d,%d place=%v,%v,%v seed=%d special=%v nanC=%v",
		c.tA, c.tB, c.m, c.n, c.k, c.alpha, c.beta, c.padA, c.padB, c.padC, c.pa, c.pb, c.pc, c.seed, c.special, c.nanC)
}

// gemmOps bounds the roundings on one element of C: k for the reduction,
// one per reduction slice added into C (slices no shorter than 64 at any
// level), and the alpha and beta products and sums.
func gemmOps(k int) int { return k + ceilDiv(k, 64) + 4 }

// exactGemm is the float64 oracle: each element's inner product is summed
// exactly and rounded once, then alpha·s + beta·c. beta = 0 ignores C and
// alpha = 0 (or k = 0) skips the product, as BLAS and the reference do.
func exactGemm[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s xsum
			if alpha != 0 {
				for p := 0; p < k; p++ {
					s.addProd(float64(opAt(a, lda, tA, i, p)), float64(opAt(b, ldb, tB, p, j)))
				}
			}
			var r xsum
			if alpha != 0 && k > 0 {
				r.addProd(float64(alpha), s.value())
			}
			if beta != 0 {
				r.addProd(float64(beta), float64(c[i*ldc+j]))
			}
			c[i*ldc+j] = T(r.value())
		}
	}
}

// opAt is element (i, j) of op(X): X[i][j], or X[j][i] when trans.
func opAt[T Float](x []T, ld int, trans bool, i, j int) T {
	if trans {
		return x[j*ld+i]
	}
	return x[i*ld+j]
}

// verifyGemm runs impl and ref on the same case and compares C element by
// element within gemmOps(k)·eps·(|alpha|·Σ_p|a_ip·b_pj| + |beta·c_ij|);
// it checks guards around and between the rows of A, B and C, that A and B
// are unchanged, and that every C element depending on a NaN is NaN.
func verifyGemm[T Float](tb testing.TB, impl, ref gemmFunc[T], c gemmCase) bool {
	tb.Helper()
	r := newRand(c.seed)
	ar, ac := c.m, c.k
	if c.tA {
		ar, ac = c.k, c.m
	}
	br, bc := c.k, c.n
	if c.tB {
		br, bc = c.n, c.k
	}
	lda, ldb, ldc := max(ac, 1)+c.padA, max(bc, 1)+c.padB, max(c.n, 1)+c.padC
	A := newGmat[T](tb, "A", ar, ac, lda, c.pa).randomize(r)
	B := newGmat[T](tb, "B", br, bc, ldb, c.pb).randomize(r)
	C := newGmat[T](tb, "C", c.m, c.n, ldc, c.pc).randomize(r)
	if c.special {
		sv := specialValues[T](false)
		A.sprinkle(r, 0.05, sv)
		B.sprinkle(r, 0.05, sv)
		C.sprinkle(r, 0.05, sv)
	}
	A.overlay(c.raw, 0, 20)
	B.overlay(c.raw, 1, 20)
	C.overlay(c.raw, 2, 20)
	if c.nanC {
		C.fill(func(int, int) T { return T(math.NaN()) })
	}
	as, bs, cs := A.plain(), B.plain(), C.plain()
	want := append([]T(nil), cs...)
	alpha, beta := T(c.alpha), T(c.beta)
	what := "Gemm " + c.String()
	if !callGuarded(tb, what, func() { impl(c.tA, c.tB, c.m, c.n, c.k, alpha, A.data, lda, B.data, ldb, beta, C.data, ldc) }) {
		return false
	}
	ref(c.tA, c.tB, c.m, c.n, c.k, alpha, as, lda, bs, ldb, beta, want, ldc)
	ok := A.checkUnchanged(tb, as) && B.checkUnchanged(tb, bs) && C.checkGuards(tb)
	ops := gemmOps(c.k)
	ok = compareMat(tb, what, c.m, c.n, C.data, ldc, want, ldc, func(i, j int) float64 {
		var abs float64
		if alpha != 0 {
			for p := 0; p < c.k; p++ {
				abs += math.Abs(float64(opAt(as, lda, c.tA, i, p)) * float64(opAt(bs, ldb, c.tB, p, j)))
			}
			abs *= math.Abs(c.alpha)
		}
		if beta != 0 {
			abs += math.Abs(c.beta * float64(cs[i*ldc+j]))
		}
		return tolerance[T](ops, abs)
	}) && ok
	// NaN dependencies, independent of any reference: a NaN in row i of
	// op(A) reaches all of row i of C, one in column j of op(B) all of
	// column j, one in C itself stays unless beta = 0.
	var nan []int
	for i := 0; i < c.m; i++ {
		for j := 0; j < c.n; j++ {
			dep := beta != 0 && cs[i*ldc+j] != cs[i*ldc+j]
			if alpha != 0 {
				for p := 0; p < c.k && !dep; p++ {
					x, y := opAt(as, lda, c.tA, i, p), opAt(bs, ldb, c.tB, p, j)
					dep = x != x || y != y
				}
			}
			if dep {
				nan = append(nan, i*ldc+j)
			}
		}
	}
	return checkNaNAt(tb, what, C.data, nan) && ok
}

// gemmCases enumerates shapes 0..13 in m and n (three register tiles of
// any plausible micro-kernel edge) with short reductions exhaustively over
// the transpose flags; reductions 0..40; the block edges of the reference
// (mcBlock, ncBlock, kcBlock) and a few beyond; odd leading dimensions,
// offsets, NaN/Inf, beta = 0 over a NaN-filled C; and guard pages.
func gemmCases() []gemmCase {
	var cs []gemmCase
	alphas := []float64{1, -0.5, 2, 0}
	betas := []float64{0, 1, -1.5, 0.25}
	seq := 0
	add := func(c gemmCase) {
		seq++
		if c.seed == 0 {
			c.seed = uint64(seq)
		}
		cs = append(cs, c)
	}
	step := 1
	if raceEnabled {
		step = 3
	}
	for t := 0; t < 4; t++ {
		tA, tB := t&1 != 0, t&2 != 0
		for m := 0; m <= 13; m += step {
			for n := 0; n <= 13; n += step {
				for _, k := range []int{0, 1, 3, 8, 17} {
					add(gemmCase{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alphas[(m+n)%4], beta: betas[(m+k)%4],
						padA: (m + n) % 3, padB: n % 2, padC: (m + 2*n) % 4,
						pa: placement{off: m % 8}, pb: placement{off: (n + 3) % 8}, pc: placement{off: (m + n + k) % 8}})
				}
			}
		}
		for k := 0; k <= 40; k += step {
			add(gemmCase{tA: tA, tB: tB, m: 5, n: 7, k: k, alpha: 1.5, beta: 0.5, padA: 1, padB: 3, padC: 2,
				pa: placement{off: k % 8}, pb: placement{off: 7 - k%8}, pc: placement{off: 3}})
		}
		// Special values and the beta = 0 rule with C full of NaN.
		for _, s := range dataSeeds {
			add(gemmCase{tA: tA, tB: tB, m: 9, n: 11, k: 13, alpha: 1, beta: 1, special: true, seed: s, padA: 1, padC: 1})
			add(gemmCase{tA: tA, tB: tB, m: 33, n: 20, k: 70, alpha: -1, beta: 0.5, special: true, seed: s})
			add(gemmCase{tA: tA, tB: tB, m: 6, n: 17, k: 9, alpha: 1, beta: 0, nanC: true, seed: s, padB: 2})
			add(gemmCase{tA: tA, tB: tB, m: 4, n: 5, k: 6, alpha: 0, beta: 2, special: true, seed: s})
		}
		if guardPagesUsable() {
			for _, sh := range [][3]int{{1, 1, 1}, {3, 5, 7}, {13, 17, 11}, {16, 32, 8}, {33, 65, 40}} {
				for _, pg := range []int{1, -1} {
					p := placement{page: pg}
					add(gemmCase{tA: tA, tB: tB, m: sh[0], n: sh[1], k: sh[2], alpha: 1, beta: 1, pa: p, pb: p, pc: p})
				}
			}
		}
	}
	// Block edges of the reference and beyond, transpose flags cycling.
	shapes := [][3]int{
		{mcBlock - 1, 31, kcBlock - 1}, {mcBlock, 33, kcBlock}, {mcBlock + 1, 29, kcBlock + 1},
		{17, ncBlock - 1, 40}, {19, ncBlock + 1, 24}, {2*mcBlock + 3, 70, 2*kcBlock + 5},
		{70, 2*ncBlock + 3, 30}, {3, 5, 3*kcBlock + 1}, {2*mcBlock + 3, ncBlock + 5, 9},
	}
	if bigCases() {
		shapes = append(shapes, [3]int{3*mcBlock + 1, ncBlock + 7, 40})
	}
	for i, sh := range shapes {
		if raceEnabled && sh[0]*sh[1]*sh[2] > 1<<20 {
			continue // the multi-tile shape above still runs the parallel split under the race detector
		}
		add(gemmCase{tA: i&1 != 0, tB: i&2 != 0, m: sh[0], n: sh[1], k: sh[2], alpha: alphas[i%3], beta: betas[(i+1)%4],
			padA: i % 3, padB: (i + 1) % 2, padC: 1 + i%2, pa: placement{off: i % 8}, pb: placement{off: (i + 5) % 8}, pc: placement{off: (3 * i) % 8}})
	}
	return cs
}

func testGemm[T Float](t *testing.T, impl, ref gemmFunc[T]) {
	runCases(t, gemmCases(), func(tb testing.TB, c gemmCase) bool {
		if c.pa.page != 0 {
			var ok bool
			withThreads(1, func() { ok = verifyGemm(tb, impl, ref, c) })
			return ok
		}
		return verifyGemm(tb, impl, ref, c)
	})
}

// TestGemmReference checks the pure-Go GEMM against exact inner products.
func TestGemmReference(t *testing.T) {
	skipReferenceUnderRace(t)
	forTypes(t, func(t *testing.T) { testGemm(t, gemmGeneric[float32], exactGemm[float32]) },
		func(t *testing.T) { testGemm(t, gemmGeneric[float64], exactGemm[float64]) })
}

// TestGemm checks every level's Gemm against the reference.
func TestGemm(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		forTypes(t, func(t *testing.T) { testGemm(t, Gemm[float32], gemmGeneric[float32]) },
			func(t *testing.T) { testGemm(t, Gemm[float64], gemmGeneric[float64]) })
	})
}

// TestGemmShapePanics checks that inconsistent shapes are refused with a
// panic (a programming error, as in BLAS) rather than read out of bounds.
func TestGemmShapePanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"lda<k", func() {
			Gemm(false, false, 2, 2, 3, 1, make([]float64, 6), 2, make([]float64, 6), 2, 0, make([]float64, 4), 2)
		}},
		{"short A", func() {
			Gemm(false, false, 2, 2, 3, 1, make([]float64, 5), 3, make([]float64, 6), 2, 0, make([]float64, 4), 2)
		}},
		{"short C", func() {
			Gemm(true, true, 2, 2, 3, 1, make([]float64, 6), 2, make([]float64, 6), 3, 0, make([]float64, 3), 2)
		}},
		{"negative", func() {
			Gemm(false, false, -1, 2, 3, 1, make([]float64, 6), 3, make([]float64, 6), 2, 0, make([]float64, 4), 2)
		}},
	} {
		if !panics(tc.fn) {
			t.Errorf("Gemm %s: no panic", tc.name)
		}
	}
}

// panics reports whether fn panics.
func panics(fn func()) (p bool) {
	defer func() { p = recover() != nil }()
	fn()
	return false
}
