package kernels

import (
	"fmt"
	"math"
	"testing"
)

// icaStepFunc is ICAStep's signature for one element type.
type icaStepFunc[T Float] func(f Contrast, alpha T, m, k, n int, w []T, ldw int, x []T, ldx int, out []T, ldo int, gpMean []T)

// icaCase is one ICAStep case.
type icaCase struct {
	f                Contrast
	alpha            float64
	m, k, n          int
	padW, padX, padO int
	pw, px, po       placement
	seed             uint64
	special          bool
	noMean           bool // pass gpMean = nil
	raw              []byte
}

func (c icaCase) String() string {
	return fmt.Sprintf("%v alpha=%v m=%d k=%d n=%d pad=%d,%d,%d place=%v,%v,%v seed=%d special=%v noMean=%v",
		c.f, c.alpha, c.m, c.k, c.n, c.padW, c.padX, c.padO, c.pw, c.px, c.po, c.seed, c.special, c.noMean)
}

// icaExact evaluates (1/n)·g(WX)·Xᵀ − diag(mean g'(WX))·W naively in
// float64 (exact inner products, closed-form g), together with the error
// bound of a float-T implementation for each output and each mean:
//
//	δu  = (k+2)·eps·Σ_r|w_ir·x_rt|                      (W·X in T)
//	acc = Σ_t (L1·δu + eval_g)·|x_jt| + ops(n)·eps·Σ_t|g·x_jt|
//	gp  = Σ_t (L2·δu + eval_g')        + ops(n)·eps·Σ_t|g'|
//	tol(out_ij) = (acc + gp·|w_ij|)/n + 3·eps·(|Σg·x|/n + |Σg'·w_ij|/n)
//
// with L1, L2 bounds on |g'|, |g”| (contrastLipschitz) and eval_* the
// evaluation errors (contrastEvalErr).
func icaExact[T Float](f Contrast, alpha float64, m, k, n int, w []T, ldw int, x []T, ldx int) (out, tol, gpm, gpTol []float64) {
	eps := epsOf[T]()
	acc := make([]xsum, m*k)
	accErr := make([]float64, m*k)
	gps := make([]xsum, m)
	gpErr := make([]float64, m)
	for t := 0; t < n; t++ {
		for i := 0; i < m; i++ {
			var u xsum
			for r := 0; r < k; r++ {
				u.addProd(float64(w[i*ldw+r]), float64(x[r*ldx+t]))
			}
			uv := u.value()
			du := float64(k+2) * eps * u.abs
			g, gp := contrastExact(f, alpha, uv)
			l1, l2 := contrastLipschitz(f, alpha, uv, du)
			eg, egp := contrastEvalErr[T](f, alpha, uv)
			gps[i].add(gp)
			gpErr[i] += l2*du + egp
			for j := 0; j < k; j++ {
				xj := float64(x[j*ldx+t])
				acc[i*k+j].addProd(g, xj)
				accErr[i*k+j] += (l1*du + eg) * math.Abs(xj)
			}
		}
	}
	ops := float64(gemmOps(n))
	inv := 1.0
	if n > 0 {
		inv = 1 / float64(n)
	}
	out, tol = make([]float64, m*k), make([]float64, m*k)
	gpm, gpTol = make([]float64, m), make([]float64, m)
	for i := 0; i < m; i++ {
		g := gps[i].value() * inv
		if n == 0 {
			g = 0
		}
		gpm[i] = g
		gErr := gpErr[i] + ops*eps*gps[i].abs
		gpTol[i] = gErr*inv + eps*math.Abs(g)
		for j := 0; j < k; j++ {
			wij := float64(w[i*ldw+j])
			a := acc[i*k+j].value()
			out[i*k+j] = a*inv - g*wij
			aErr := accErr[i*k+j] + ops*eps*acc[i*k+j].abs
			tol[i*k+j] = (aErr+gErr*math.Abs(wij))*inv + 3*eps*(math.Abs(a)*inv+math.Abs(g*wij))
		}
	}
	return
}

// verifyICAStep compares impl with ref within icaExact's bound (and, when
// ref is nil, with icaExact's value), checks guards, W and X unchanged, and
// NaN propagation: a NaN in column t of X reaches every output (through
// every g(W·x_t)), a NaN in row i of W reaches row i and gpMean[i].
func verifyICAStep[T Float](tb testing.TB, impl, ref icaStepFunc[T], c icaCase) bool {
	tb.Helper()
	r := newRand(c.seed)
	ldw, ldx, ldo := max(c.k, 1)+c.padW, max(c.n, 1)+c.padX, max(c.k, 1)+c.padO
	// Scale W's rows to unit norm-ish, as for whitened data and a
	// decorrelated W, so W·X stays in the contrasts' interesting range.
	W := newGmat[T](tb, "W", c.m, c.k, ldw, c.pw).fill(func(int, int) T {
		return T((2*r.Float64() - 1) / math.Sqrt(float64(max(c.k, 1))/3))
	})
	X := newGmat[T](tb, "X", c.k, c.n, ldx, c.px).fill(func(int, int) T { return T(r.NormFloat64()) })
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
	alpha := T(c.alpha)
	what := "ICAStep " + c.String()
	if !callGuarded(tb, what, func() { impl(c.f, alpha, c.m, c.k, c.n, W.data, ldw, X.data, ldx, O.data, ldo, gp) }) {
		return false
	}
	ok := W.checkUnchanged(tb, ws) && X.checkUnchanged(tb, xs) && O.checkGuards(tb) && G.checkGuards(tb)
	exact, tol, exactGp, gpTol := icaExact(c.f, float64(alpha), c.m, c.k, c.n, ws, ldw, xs, ldx)
	want, wantGp := make([]T, c.m*c.k), make([]T, c.m)
	if ref != nil {
		ref(c.f, alpha, c.m, c.k, c.n, ws, ldw, xs, ldx, want, c.k, wantGp)
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
	// NaN dependencies.
	colNaN, rowNaN := false, make([]bool, c.m)
	for r := 0; r < c.k; r++ {
		for t := 0; t < c.n; t++ {
			if v := xs[r*ldx+t]; v != v {
				colNaN = true
			}
		}
	}
	for i := 0; i < c.m; i++ {
		for r := 0; r < c.k; r++ {
			if v := ws[i*ldw+r]; v != v {
				rowNaN[i] = true
			}
		}
	}
	return checkICANaNs(tb, what, c, colNaN, rowNaN, O, G) && ok
}

// checkICANaNs checks that a NaN in any sample (colNaN) reached every
// output and every mean of g', and a NaN in row i of W (rowNaN[i]) row i
// of the output and gpMean[i].
func checkICANaNs[T Float](tb testing.TB, what string, c icaCase, colNaN bool, rowNaN []bool, O, G *gmat[T]) bool {
	tb.Helper()
	var nanOut, nanGp []int
	for i := 0; i < c.m; i++ {
		if (colNaN && c.k > 0) || (rowNaN[i] && c.n > 0) {
			nanGp = append(nanGp, i)
		}
		for j := 0; j < c.k; j++ {
			if colNaN || rowNaN[i] {
				nanOut = append(nanOut, i*O.ld+j)
			}
		}
	}
	ok := checkNaNAt(tb, what, O.data, nanOut)
	if !c.noMean {
		ok = checkNaNAt(tb, what+" gpMean", G.data, nanGp) && ok
	}
	return ok
}

// icaCases: m = k (parallel FastICA) and m = 1 (deflation) and a general
// m, k over small sizes and the engine's 40; n across 0..3 contrast blocks
// and around the ICA chunk; all contrasts; odd lds; NaN/Inf; guard pages.
func icaCases() []icaCase {
	var cs []icaCase
	seq := 0
	add := func(c icaCase) {
		seq++
		if c.seed == 0 {
			c.seed = uint64(seq)
		}
		cs = append(cs, c)
	}
	fs := []Contrast{LogCosh, Exp, Cube}
	ns := []int{0, 1, 2, 3, 7, 8, 15, 16, 17, 33, 64, contrastBlock - 1, contrastBlock, contrastBlock + 1, 2*contrastBlock + 3, 3 * contrastBlock}
	for i, k := range []int{0, 1, 2, 3, 4, 5, 8, 16, 17} {
		for j, n := range ns {
			f := fs[(i+j)%3]
			for _, m := range []int{k, 1} {
				add(icaCase{f: f, alpha: 1 + float64(j%2)/2, m: m, k: k, n: n, padW: j % 2, padX: (i + j) % 3, padO: i % 2,
					pw: placement{off: j % 8}, px: placement{off: (i + 3) % 8}, po: placement{off: (i + j) % 8}, noMean: (i+j)%5 == 4})
			}
		}
	}
	for _, f := range fs {
		add(icaCase{f: f, alpha: 1, m: 3, k: 7, n: 300, padX: 5})
		for _, s := range dataSeeds {
			add(icaCase{f: f, alpha: 1, m: 6, k: 6, n: 100, seed: s, special: true})
			add(icaCase{f: f, alpha: 1, m: 1, k: 9, n: 70, seed: s, special: true, padW: 2})
		}
		for _, n := range around(icaChunk) {
			add(icaCase{f: f, alpha: 1, m: 4, k: 4, n: n, padX: 1})
		}
		add(icaCase{f: f, alpha: 1, m: 1, k: 5, n: 2*icaChunk + 300})
		if guardPagesUsable() {
			for _, sh := range [][3]int{{1, 1, 1}, {2, 2, 9}, {5, 5, 33}, {1, 8, 17}} {
				for _, pg := range []int{1, -1} {
					p := placement{page: pg}
					add(icaCase{f: f, alpha: 1, m: sh[0], k: sh[1], n: sh[2], pw: p, px: p, po: p})
				}
			}
		}
	}
	if bigCases() {
		add(icaCase{f: LogCosh, alpha: 1, m: 40, k: 40, n: 1000, padX: 1})
		add(icaCase{f: Exp, alpha: 1, m: 12, k: 12, n: 3*icaChunk + 17})
	} else {
		add(icaCase{f: LogCosh, alpha: 1, m: 40, k: 40, n: 300})
	}
	return cs
}

func testICAStep[T Float](t *testing.T, impl, ref icaStepFunc[T]) {
	runCases(t, icaCases(), func(tb testing.TB, c icaCase) bool {
		if c.pw.page != 0 {
			var ok bool
			withThreads(1, func() { ok = verifyICAStep(tb, impl, ref, c) })
			return ok
		}
		return verifyICAStep(tb, impl, ref, c)
	})
}

// TestICAStepReference checks the pure-Go fused step against a naive
// float64 evaluation of (1/n)·g(WX)Xᵀ − diag(mean g'(WX))·W.
func TestICAStepReference(t *testing.T) {
	skipReferenceUnderRace(t)
	forTypes(t, func(t *testing.T) { testICAStep(t, icaStepGeneric[float32], nil) },
		func(t *testing.T) { testICAStep(t, icaStepGeneric[float64], nil) })
}

// TestICAStep checks every level's ICAStep against the reference.
func TestICAStep(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		forTypes(t, func(t *testing.T) { testICAStep(t, ICAStep[float32], icaStepGeneric[float32]) },
			func(t *testing.T) { testICAStep(t, ICAStep[float64], icaStepGeneric[float64]) })
	})
}
