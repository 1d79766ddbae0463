package kernels

import (
	"math"
	"testing"
)

// icaStepRowsFunc is ICAStepRows' signature for one element type.
type icaStepRowsFunc[T Float] func(f Contrast, alpha T, m, k, n int, w []T, ldw int, x []T, ldx int, mu []T, out []T, ldo int, gpMean []T)

// muScales are the sizes of the means tried, cycled over the cases: none
// (mu = nil), a mean of the order of the data, and one far larger than its
// spread, where centring after the products would cancel most digits.
var muScales = []float64{0, 3, 1e4}

// verifyICAStepRows checks ICAStepRows like verifyICAStep checks ICAStep.
// The samples are Xc + mu stored one per row (rows ldx apart, guarded);
// the centred data the kernel works on is fl(row − mu), one subtraction in
// T, which the test forms the same way and evaluates with icaExact, so the
// arithmetic bound of ICAStep applies unchanged however large mu is.
func verifyICAStepRows[T Float](tb testing.TB, impl, ref icaStepRowsFunc[T], c icaCase) bool {
	tb.Helper()
	r := newRand(c.seed)
	ldw, ldx, ldo := max(c.k, 1)+c.padW, max(c.k, 1)+c.padX, max(c.k, 1)+c.padO
	W := newGmat[T](tb, "W", c.m, c.k, ldw, c.pw).fill(func(int, int) T {
		return T((2*r.Float64() - 1) / math.Sqrt(float64(max(c.k, 1))/3))
	})
	scale := muScales[c.seed%uint64(len(muScales))]
	var mu []T
	if scale != 0 {
		mu = make([]T, c.k)
		for l := range mu {
			mu[l] = T(scale * (2*r.Float64() - 1))
		}
	}
	X := newGmat[T](tb, "X", c.n, c.k, ldx, c.px).fill(func(_, l int) T {
		v := T(r.NormFloat64())
		if mu != nil {
			v += mu[l]
		}
		return v
	})
	if c.special {
		sv := specialValues[T](false)
		W.sprinkle(r, 0.02, sv)
		X.sprinkle(r, 0.002, sv)
	}
	W.overlay(c.raw, 0, 3)
	X.overlay(c.raw, 1, 3)
	O := newGmat[T](tb, "out", c.m, c.k, ldo, c.po).randomize(r)
	G := newVec[T](tb, "gpMean", c.m, placement{off: int(c.seed % 8)})
	gp := G.data
	if c.noMean {
		gp = nil
	}
	ws, xs := W.plain(), X.plain()
	var mus []T
	if mu != nil {
		mus = append([]T(nil), mu...)
	}
	alpha := T(c.alpha)
	what := "ICAStepRows " + c.String()
	if !callGuarded(tb, what, func() { impl(c.f, alpha, c.m, c.k, c.n, W.data, ldw, X.data, ldx, mu, O.data, ldo, gp) }) {
		return false
	}
	ok := W.checkUnchanged(tb, ws) && X.checkUnchanged(tb, xs) && O.checkGuards(tb) && G.checkGuards(tb)
	for l := range mu {
		if bitsOf(mu[l]) != bitsOf(mus[l]) {
			tb.Errorf("%s: mu modified at %d", what, l)
			ok = false
		}
	}
	// The centred data, feature-major (k×n), as ICAStep takes it.
	ldc := max(c.n, 1)
	xc := make([]T, max(c.k, 1)*ldc)
	for j := 0; j < c.n; j++ {
		for l := 0; l < c.k; l++ {
			v := xs[j*ldx+l]
			if mu != nil {
				v -= mu[l]
			}
			xc[l*ldc+j] = v
		}
	}
	exact, tol, exactGp, gpTol := icaExact(c.f, float64(alpha), c.m, c.k, c.n, ws, ldw, xc, ldc)
	want, wantGp := make([]T, c.m*c.k), make([]T, c.m)
	if ref != nil {
		ref(c.f, alpha, c.m, c.k, c.n, ws, ldw, xs, ldx, mus, want, c.k, wantGp)
	} else {
		for i, v := range exact {
			want[i] = T(v)
		}
		for i, v := range exactGp {
			wantGp[i] = T(v)
		}
	}
	ok = compareMat(tb, what, c.m, c.k, O.data, ldo, want, c.k, func(i, j int) float64 { return tol[i*c.k+j] }) && ok
	if !c.noMean {
		ok = compareMat(tb, what+" gpMean", 1, c.m, G.data, c.m, wantGp, c.m, func(_, i int) float64 { return gpTol[i] }) && ok
	}
	// A NaN in sample j reaches every output, a NaN in row i of W row i.
	colNaN, rowNaN := false, make([]bool, c.m)
	for _, v := range xc {
		if v != v {
			colNaN = true
		}
	}
	for i := 0; i < c.m; i++ {
		for l := 0; l < c.k; l++ {
			if v := ws[i*ldw+l]; v != v {
				rowNaN[i] = true
			}
		}
	}
	return checkICANaNs(tb, what, c, colNaN, rowNaN, O, G) && ok
}

// icaRowsCases are icaCases plus shapes around the rows kernels' blocks
// (B = 24…64 samples) and feature counts that leave every tail of the
// pack (vector, half vector, scalar).
func icaRowsCases() []icaCase {
	cs := icaCases()
	seq := uint64(len(cs))
	for _, k := range []int{1, 3, 4, 7, 8, 9, 12, 15, 16, 19, 24, 31, 33, 40, 41} {
		for _, n := range []int{23, 24, 25, 47, 48, 49, 63, 64, 65, 129, 200} {
			seq++
			m := k
			if seq%3 == 0 {
				m = 1 + int(seq%5)
			}
			cs = append(cs, icaCase{f: Contrast(seq % 3), alpha: 1 + float64(seq%3)/4, m: m, k: k, n: n,
				padW: int(seq % 2), padX: int(seq % 4), padO: int(seq % 3), px: placement{off: int(seq % 8)}, seed: seq})
		}
	}
	return cs
}

func testICAStepRows[T Float](t *testing.T, impl, ref icaStepRowsFunc[T]) {
	runCases(t, icaRowsCases(), func(tb testing.TB, c icaCase) bool {
		if c.pw.page != 0 {
			var ok bool
			withThreads(1, func() { ok = verifyICAStepRows(tb, impl, ref, c) })
			return ok
		}
		return verifyICAStepRows(tb, impl, ref, c)
	})
}

// TestICAStepRowsReference checks the pure-Go ICAStepRows against the
// naive float64 step on the centred samples.
func TestICAStepRowsReference(t *testing.T) {
	skipReferenceUnderRace(t)
	forTypes(t, func(t *testing.T) { testICAStepRows(t, icaStepRowsGeneric[float32], nil) },
		func(t *testing.T) { testICAStepRows(t, icaStepRowsGeneric[float64], nil) })
}

// TestICAStepRows checks every level's ICAStepRows against the reference.
func TestICAStepRows(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		forTypes(t, func(t *testing.T) { testICAStepRows(t, ICAStepRows[float32], icaStepRowsGeneric[float32]) },
			func(t *testing.T) { testICAStepRows(t, ICAStepRows[float64], icaStepRowsGeneric[float64]) })
	})
}
