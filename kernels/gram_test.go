package kernels

import (
	"fmt"
	"math"
	"testing"
)

type gramFunc[T Float] func(trans bool, n, k int, alpha T, a []T, lda int, beta T, c []T, ldc int)
type centeredGramFunc[T Float] func(trans bool, n, k int, alpha T, a []T, lda int, c []T, ldc int, mean []T)

// gramCase is one Gram or CenteredGram case. op(A) is n×k; offset shifts
// the rows of op(A) by different constants, so that centering matters.
type gramCase struct {
	trans       bool
	n, k        int
	alpha, beta float64
	padA, padC  int
	pa, pc      placement
	seed        uint64
	special     bool
	nanC        bool
	offset      float64
	raw         []byte
}

func (c gramCase) String() string {
	return fmt.Sprintf("trans=%v n=%d k=%d alpha=%v beta=%v pad=%d,%d place=%v,%v seed=%d special=%v nanC=%v offset=%v",
		c.trans, c.n, c.k, c.alpha, c.beta, c.padA, c.padC, c.pa, c.pc, c.seed, c.special, c.nanC, c.offset)
}

// gramInputs builds A (n×k, or k×n when trans) and C (n×n, symmetric: only
// its lower triangle is read, so a random C is mirrored first).
func gramInputs[T Float](tb testing.TB, c gramCase) (A, C *gmat[T], lda, ldc int) {
	tb.Helper()
	r := newRand(c.seed)
	ar, ac := c.n, c.k
	if c.trans {
		ar, ac = c.k, c.n
	}
	lda, ldc = max(ac, 1)+c.padA, max(c.n, 1)+c.padC
	A = newGmat[T](tb, "A", ar, ac, lda, c.pa).randomize(r)
	if c.offset != 0 {
		A.fill(func(i, j int) T {
			row := i
			if c.trans {
				row = j
			}
			return A.at(i, j) + T(c.offset*float64(row%5-2))
		})
	}
	C = newGmat[T](tb, "C", c.n, c.n, ldc, c.pc).randomize(r)
	if c.special {
		sv := specialValues[T](false)
		A.sprinkle(r, 0.04, sv)
		C.sprinkle(r, 0.04, sv)
	}
	A.overlay(c.raw, 0, 20)
	C.overlay(c.raw, 1, 20)
	if c.nanC {
		C.fill(func(int, int) T { return T(math.NaN()) })
	}
	C.fill(func(i, j int) T { return C.at(max(i, j), min(i, j)) })
	return A, C, lda, ldc
}

// exactGram is the oracle: exact inner products of the rows of op(A),
// lower triangle, mirrored.
func exactGram[T Float](trans bool, n, k int, alpha T, a []T, lda int, beta T, c []T, ldc int) {
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			var s xsum
			for p := 0; p < k && alpha != 0; p++ {
				s.addProd(float64(opAt(a, lda, trans, i, p)), float64(opAt(a, lda, trans, j, p)))
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
	mirrorLower(n, c, ldc)
}

// exactMeans returns the exact means of the rows of op(A) and the means of
// their absolute values.
func exactMeans[T Float](trans bool, n, k int, a []T, lda int) (mean, absMean []float64) {
	mean, absMean = make([]float64, n), make([]float64, n)
	for i := 0; i < n && k > 0; i++ {
		var s xsum
		for p := 0; p < k; p++ {
			s.add(float64(opAt(a, lda, trans, i, p)))
		}
		mean[i], absMean[i] = s.value()/float64(k), s.abs/float64(k)
	}
	return
}

// exactCenteredGram is the oracle for CenteredGram: exact means, then the
// exact inner products of the centered rows.
func exactCenteredGram[T Float](trans bool, n, k int, alpha T, a []T, lda int, c []T, ldc int, mean []T) {
	mu, _ := exactMeans(trans, n, k, a, lda)
	for i := 0; i < n; i++ {
		mean[i] = T(mu[i])
		for j := 0; j <= i; j++ {
			var s xsum
			for p := 0; p < k; p++ {
				s.addProd(float64(opAt(a, lda, trans, i, p))-mu[i], float64(opAt(a, lda, trans, j, p))-mu[j])
			}
			var r xsum
			if alpha != 0 && k > 0 {
				r.addProd(float64(alpha), s.value())
			}
			c[i*ldc+j] = T(r.value())
		}
	}
	mirrorLower(n, c, ldc)
}

// centeredGramRef is the reference CenteredGram: the API's mean pass and
// the pure-Go Gram with packing-time centering.
func centeredGramRef[T Float](trans bool, n, k int, alpha T, a []T, lda int, c []T, ldc int, mean []T) {
	rowMeans(trans, n, k, a, lda, mean)
	gramGeneric(trans, n, k, alpha, a, lda, 0, c, ldc, mean)
}

// checkSymmetric reports elements of the n×n C that are not bit-identical
// to their mirror: Gram computes one triangle and copies it.
func checkSymmetric[T Float](tb testing.TB, what string, n int, c []T, ldc int) bool {
	tb.Helper()
	r := reporter{tb: tb, what: what}
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			a, b := c[i*ldc+j], c[j*ldc+i]
			if bitsOf(a) != bitsOf(b) && !(a != a && b != b) {
				r.errorf("not symmetric: C(%d,%d) = %v, C(%d,%d) = %v", i, j, a, j, i, b)
			}
		}
	}
	return r.done()
}

// gramNaNDeps lists the C elements that a NaN must reach: row and column i
// for a NaN in row i of op(A) (alpha ≠ 0), and C(i,j), C(j,i) for a NaN in
// the lower triangle of C (beta ≠ 0).
func gramNaNDeps[T Float](c gramCase, as, cs []T, lda, ldc int, alpha, beta T) []int {
	rowNaN := make([]bool, c.n)
	for i := 0; i < c.n && alpha != 0; i++ {
		for p := 0; p < c.k; p++ {
			if v := opAt(as, lda, c.trans, i, p); v != v {
				rowNaN[i] = true
			}
		}
	}
	var idx []int
	for i := 0; i < c.n; i++ {
		for j := 0; j < c.n; j++ {
			cNaN := false
			if beta != 0 {
				lo := cs[max(i, j)*ldc+min(i, j)]
				cNaN = lo != lo
			}
			if rowNaN[i] || rowNaN[j] || cNaN {
				idx = append(idx, i*ldc+j)
			}
		}
	}
	return idx
}

// verifyGram checks Gram within gemmOps(k)·eps·(|alpha|Σ|a_ip a_jp| + |beta c_ij|),
// exact symmetry, guards, unchanged A, and NaN propagation.
func verifyGram[T Float](tb testing.TB, impl, ref gramFunc[T], c gramCase) bool {
	tb.Helper()
	A, C, lda, ldc := gramInputs[T](tb, c)
	as, cs := A.plain(), C.plain()
	want := append([]T(nil), cs...)
	alpha, beta := T(c.alpha), T(c.beta)
	what := "Gram " + c.String()
	if !callGuarded(tb, what, func() { impl(c.trans, c.n, c.k, alpha, A.data, lda, beta, C.data, ldc) }) {
		return false
	}
	ref(c.trans, c.n, c.k, alpha, as, lda, beta, want, ldc)
	ok := A.checkUnchanged(tb, as) && C.checkGuards(tb)
	ops := gemmOps(c.k)
	ok = compareMat(tb, what, c.n, c.n, C.data, ldc, want, ldc, func(i, j int) float64 {
		var abs float64
		for p := 0; p < c.k && alpha != 0; p++ {
			abs += math.Abs(float64(opAt(as, lda, c.trans, i, p)) * float64(opAt(as, lda, c.trans, j, p)))
		}
		abs *= math.Abs(c.alpha)
		if beta != 0 {
			abs += math.Abs(c.beta * float64(cs[i*ldc+j]))
		}
		return tolerance[T](ops, abs)
	}) && ok
	ok = checkSymmetric(tb, what, c.n, C.data, ldc) && ok
	return checkNaNAt(tb, what, C.data, gramNaNDeps(c, as, cs, lda, ldc, alpha, beta)) && ok
}

// verifyCenteredGram checks CenteredGram: the means within (k+1)·eps of
// the mean of |a|; C within gemmOps(k)·eps·|alpha|·Σ_p d̄_ip·d̄_jp, where
// d̄ bounds a packed centered value (|a − μ| plus the rounding of μ), plus
// the second-order term of the mean's error; exact symmetry; guards; NaN.
func verifyCenteredGram[T Float](tb testing.TB, impl, ref centeredGramFunc[T], c gramCase) bool {
	tb.Helper()
	A, C, lda, ldc := gramInputs[T](tb, c)
	M := newVec[T](tb, "mean", c.n, placement{off: int(c.seed % 8)})
	as := A.plain()
	want, wantMean := make([]T, len(C.data)), make([]T, c.n)
	alpha := T(c.alpha)
	what := "CenteredGram " + c.String()
	if !callGuarded(tb, what, func() { impl(c.trans, c.n, c.k, alpha, A.data, lda, C.data, ldc, M.data) }) {
		return false
	}
	ref(c.trans, c.n, c.k, alpha, as, lda, want, ldc, wantMean)
	ok := A.checkUnchanged(tb, as) && C.checkGuards(tb) && M.checkGuards(tb)
	mu, absMean := exactMeans(c.trans, c.n, c.k, as, lda)
	eps := epsOf[T]()
	ok = compareMat(tb, what+" mean", 1, c.n, M.data, c.n, wantMean, c.n, func(_, i int) float64 {
		return tolerance[T](c.k+1, absMean[i])
	}) && ok
	ops := gemmOps(c.k)
	ok = compareMat(tb, what, c.n, c.n, C.data, ldc, want, ldc, func(i, j int) float64 {
		ei, ej := eps*(math.Abs(mu[i])+absMean[i]), eps*(math.Abs(mu[j])+absMean[j])
		var abs float64
		for p := 0; p < c.k; p++ {
			abs += (math.Abs(float64(opAt(as, lda, c.trans, i, p))-mu[i]) + ei) * (math.Abs(float64(opAt(as, lda, c.trans, j, p))-mu[j]) + ej)
		}
		a := math.Abs(c.alpha)
		return tolerance[T](ops, a*abs) + 4*a*float64(c.k)*ei*ej
	}) && ok
	ok = checkSymmetric(tb, what, c.n, C.data, ldc) && ok
	return checkNaNAt(tb, what, C.data, gramNaNDeps(c, as, nil, lda, ldc, alpha, 0)) && ok
}

// gramCases: n 0..13 with short reductions over both orientations, k
// 0..40, the reference's tile edges (the diagonal tiles of Gram are where
// the triangle logic lives), odd lds, offsets, NaN/Inf and guard pages.
func gramCases() []gramCase {
	var cs []gramCase
	seq := 0
	add := func(c gramCase) {
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
	alphas := []float64{1, -0.5, 1.0 / 3, 2}
	betas := []float64{0, 1, 0.5, -2}
	for _, tr := range []bool{false, true} {
		for n := 0; n <= 13; n += step {
			for _, k := range []int{0, 1, 2, 5, 17} {
				add(gramCase{trans: tr, n: n, k: k, alpha: alphas[(n+k)%4], beta: betas[n%4], padA: n % 3, padC: (n + k) % 2,
					pa: placement{off: (n + k) % 8}, pc: placement{off: n % 8}, offset: float64(n % 2)})
			}
		}
		for k := 0; k <= 40; k += step {
			add(gramCase{trans: tr, n: 6, k: k, alpha: 0.75, beta: 1, padA: 1, padC: 3, pa: placement{off: k % 8}, pc: placement{off: 7 - k%8}, offset: 3})
		}
		for _, s := range dataSeeds {
			add(gramCase{trans: tr, n: 11, k: 23, alpha: 1, beta: 0.5, special: true, seed: s, padA: 1})
			add(gramCase{trans: tr, n: 9, k: 7, alpha: -1, beta: 0, nanC: true, seed: s, padC: 2})
			add(gramCase{trans: tr, n: 70, k: 9, alpha: 1, beta: 1, special: true, seed: s})
			add(gramCase{trans: tr, n: 12, k: 300, alpha: 1.0 / 299, beta: 0, seed: s, offset: 1000})
		}
		shapes := [][2]int{{mcBlock - 1, 20}, {mcBlock, kcBlock + 1}, {mcBlock + 1, kcBlock - 1}, {2*mcBlock + 5, 33}, {ncBlock + 3, 7}, {5, 2*kcBlock + 3}}
		if bigCases() {
			shapes = append(shapes, [2]int{3*mcBlock + 1, kcBlock + 9})
		}
		for i, sh := range shapes {
			add(gramCase{trans: tr, n: sh[0], k: sh[1], alpha: alphas[i%4], beta: betas[(i+1)%4], padA: 1 + i%2, padC: i % 3,
				pa: placement{off: i % 8}, pc: placement{off: (i + 3) % 8}, offset: float64(i % 3)})
		}
		if guardPagesUsable() {
			for _, sh := range [][2]int{{1, 1}, {5, 3}, {13, 17}, {33, 40}} {
				for _, pg := range []int{1, -1} {
					add(gramCase{trans: tr, n: sh[0], k: sh[1], alpha: 1, beta: 1, pa: placement{page: pg}, pc: placement{page: pg}})
				}
			}
		}
	}
	return cs
}

func testGram[T Float](t *testing.T, gram, gramRef gramFunc[T], cg, cgRef centeredGramFunc[T]) {
	cs := gramCases()
	single := func(c gramCase, fn func() bool) bool {
		if c.pa.page != 0 {
			var ok bool
			withThreads(1, func() { ok = fn() })
			return ok
		}
		return fn()
	}
	t.Run("Gram", func(t *testing.T) {
		runCases(t, cs, func(tb testing.TB, c gramCase) bool {
			return single(c, func() bool { return verifyGram(tb, gram, gramRef, c) })
		})
	})
	t.Run("CenteredGram", func(t *testing.T) {
		runCases(t, cs, func(tb testing.TB, c gramCase) bool {
			return single(c, func() bool { return verifyCenteredGram(tb, cg, cgRef, c) })
		})
	})
}

// TestGramReference checks the pure-Go Gram and CenteredGram against exact
// inner products (and exact means).
func TestGramReference(t *testing.T) {
	skipReferenceUnderRace(t)
	forTypes(t, func(t *testing.T) {
		testGram(t, func(tr bool, n, k int, al float32, a []float32, lda int, be float32, c []float32, ldc int) {
			gramGeneric(tr, n, k, al, a, lda, be, c, ldc, nil)
		}, exactGram[float32], centeredGramRef[float32], exactCenteredGram[float32])
	}, func(t *testing.T) {
		testGram(t, func(tr bool, n, k int, al float64, a []float64, lda int, be float64, c []float64, ldc int) {
			gramGeneric(tr, n, k, al, a, lda, be, c, ldc, nil)
		}, exactGram[float64], centeredGramRef[float64], exactCenteredGram[float64])
	})
}

// TestGram checks every level's Gram and CenteredGram against the reference.
func TestGram(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		forTypes(t, func(t *testing.T) {
			testGram(t, Gram[float32], func(tr bool, n, k int, al float32, a []float32, lda int, be float32, c []float32, ldc int) {
				gramGeneric(tr, n, k, al, a, lda, be, c, ldc, nil)
			}, CenteredGram[float32], centeredGramRef[float32])
		}, func(t *testing.T) {
			testGram(t, Gram[float64], func(tr bool, n, k int, al float64, a []float64, lda int, be float64, c []float64, ldc int) {
				gramGeneric(tr, n, k, al, a, lda, be, c, ldc, nil)
			}, CenteredGram[float64], centeredGramRef[float64])
		})
	})
}

// verifyGramWide checks GramWide against the exact Gram of the widened
// float32 op(A), within the float64 Gram's bound (the products are exact,
// so only the float64 sums round), with exact symmetry, guards, unchanged
// A and NaN propagation.
func verifyGramWide(tb testing.TB, c gramCase) bool {
	tb.Helper()
	A, _, lda, ldc := gramInputs[float32](tb, c)
	_, C, _, _ := gramInputs[float64](tb, c)
	as, cs := A.plain(), C.plain()
	wide := make([]float64, len(as))
	for i, v := range as {
		wide[i] = float64(v)
	}
	want := append([]float64(nil), cs...)
	what := "GramWide " + c.String()
	if !callGuarded(tb, what, func() { GramWide(c.trans, c.n, c.k, c.alpha, A.data, lda, c.beta, C.data, ldc) }) {
		return false
	}
	exactGram(c.trans, c.n, c.k, c.alpha, wide, lda, c.beta, want, ldc)
	ok := A.checkUnchanged(tb, as) && C.checkGuards(tb)
	ops := gemmOps(c.k)
	ok = compareMat(tb, what, c.n, c.n, C.data, ldc, want, ldc, func(i, j int) float64 {
		var abs float64
		for p := 0; p < c.k && c.alpha != 0; p++ {
			abs += math.Abs(float64(opAt(as, lda, c.trans, i, p)) * float64(opAt(as, lda, c.trans, j, p)))
		}
		abs *= math.Abs(c.alpha)
		if c.beta != 0 {
			abs += math.Abs(c.beta * cs[i*ldc+j])
		}
		return tolerance[float64](ops, abs)
	}) && ok
	ok = checkSymmetric(tb, what, c.n, C.data, ldc) && ok
	return checkNaNAt(tb, what, C.data, gramNaNDeps(c, wide, cs, lda, ldc, c.alpha, c.beta)) && ok
}

// TestGramWide checks every level's GramWide against exact inner products
// of the widened data, on Gram's cases (guard pages single-threaded).
func TestGramWide(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		runCases(t, gramCases(), func(tb testing.TB, c gramCase) bool {
			var ok bool
			if c.pa.page != 0 {
				withThreads(1, func() { ok = verifyGramWide(tb, c) })
				return ok
			}
			return verifyGramWide(tb, c)
		})
	})
}

// TestRowMeansChunks checks the column means of a tall A (trans), summed in
// chunks of meanChunkRows rows, four rows at a time: against the exact
// mean within the rounding of k float64 additions, and bit for bit across
// thread counts.
func TestRowMeansChunks(t *testing.T) {
	for _, k := range []int{1, 3, 5, meanChunkRows - 1, meanChunkRows, 2*meanChunkRows + 7} {
		const n = 9
		r := newRand(uint64(k))
		a := make([]float32, k*(n+2))
		for i := range a {
			a[i] = float32(100 + r.NormFloat64())
		}
		var one, two [n]float32
		withThreads(1, func() { rowMeans(true, n, k, a, n+2, one[:]) })
		withThreads(2, func() { rowMeans(true, n, k, a, n+2, two[:]) })
		compareExact(t, "rowMeans, 2 threads against 1", two[:], one[:])
		for j := 0; j < n; j++ {
			var s xsum
			for p := 0; p < k; p++ {
				s.add(float64(a[p*(n+2)+j]))
			}
			want := s.value() / float64(k)
			// k float64 roundings of the sum, then the division and the
			// rounding to float32
			tol := float64(k)*0x1p-52*s.abs/float64(k) + math.Abs(want)*0x1p-23
			if d := math.Abs(float64(one[j]) - want); d > tol {
				t.Errorf("k=%d: mean[%d] = %v, want %v (|diff| %.3g > %.3g)", k, j, one[j], want, d, tol)
			}
		}
	}
}
