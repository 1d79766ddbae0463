package kernels

import (
	"fmt"
	"math"
	"testing"
)

// contrastFunc is ApplyContrast's signature for one element type.
type contrastFunc[T Float] func(f Contrast, alpha T, rows, cols int, u []T, ld int, gpMean []T)

// contrastExact evaluates g(u) and g'(u) in float64 from the closed forms
// (math.Tanh, math.Exp; the cube through an FMA-split so it is correctly
// rounded), the formulas the documentation states.
func contrastExact(f Contrast, alpha, u float64) (g, gp float64) {
	switch f {
	case LogCosh:
		t := math.Tanh(alpha * u)
		return t, alpha * (1 - t*t)
	case Exp:
		e := math.Exp(-u * u / 2)
		return u * e, (1 - u*u) * e
	default:
		p := u * u
		if math.IsInf(p, 0) || math.IsNaN(p) || p == 0 {
			return p * u, 3 * p
		}
		pe := math.FMA(u, u, -p) // u² = p + pe exactly
		c := p * u
		if math.IsInf(c, 0) || c == 0 {
			return c, 3 * p // overflow or underflow: no correction to add
		}
		ce := math.FMA(p, u, -c) + pe*u
		return c + ce, 3 * p
	}
}

// contrastLipschitz bounds |g'| and |g”| on [|u|−d, |u|+d]: how much an error
// d in the argument moves g and g'.
func contrastLipschitz(f Contrast, alpha, u, d float64) (l1, l2 float64) {
	a := math.Abs(alpha)
	switch f {
	case LogCosh:
		return a, a * a
	case Exp:
		return 1, 1.5 // max|g'| = 1 at 0; max|g''| ≈ 1.38
	default:
		r := math.Abs(u) + d
		return 3 * r * r, 6 * r
	}
}

// contrastEvalErr bounds the error of evaluating g and g' at u, on top of
// the argument's own rounding: a few ulps of g (2 for float32 kernels, 4
// for float64, plus the reference's half ulp); for exp, the rounding of
// −u²/2 amplified by exp's condition number |u²/2|; for g' of logcosh,
// the cancellation in 1 − tanh² (absolute, not relative); and a smallest
// normal for results that kernels may flush to zero.
func contrastEvalErr[T Float](f Contrast, alpha, u float64) (eg, egp float64) {
	eps := epsOf[T]()
	g, gp := contrastExact(f, alpha, u)
	flush := minNormal[T]()
	switch f {
	case LogCosh:
		return 4*eps*math.Abs(g) + flush, 8*eps*math.Abs(alpha) + flush
	case Exp:
		e := math.Exp(-u * u / 2)
		return eps*(4+u*u/2)*math.Abs(g) + flush, eps*(8+u*u)*(1+u*u)*e + flush
	default:
		return 4*eps*math.Abs(g) + flush, 4*eps*math.Abs(gp) + flush
	}
}

// minNormal is the smallest normal T.
func minNormal[T Float]() float64 {
	if is32[T]() {
		return 0x1p-126
	}
	return 0x1p-1022
}

// ulpsAllowed is the accuracy of g promised by the documentation: float32
// within 2 ulp of the float64 closed form rounded, float64 within 4 ulp of
// the closed form (plus, for exp, the condition number of exp at −u²/2,
// which the formula itself carries).
func ulpsAllowed[T Float](f Contrast, u float64) uint64 {
	if is32[T]() {
		return 2
	}
	if f == Exp {
		return 4 + uint64(math.Min(u*u/2, 1e6))
	}
	return 4
}

// ulpClose reports whether got is within n ulps of want, treating results
// below the normal range as equal within the smallest normal (a kernel may
// flush them).
func ulpClose[T Float](got, want T, n uint64) bool {
	if !sameClass(float64(got), float64(want)) {
		return false
	}
	if ulpDiff(got, want) <= n {
		return true
	}
	return math.Abs(float64(want)) < minNormal[T]() && math.Abs(float64(got-want)) <= minNormal[T]()
}

// contrastCase is one ApplyContrast case.
type contrastCase struct {
	f          Contrast
	alpha      float64
	rows, cols int
	pad        int
	pu, pg     placement
	seed       uint64
	special    bool
	scale      float64 // magnitude of the random arguments
	raw        []byte
}

func (c contrastCase) String() string {
	return fmt.Sprintf("%v alpha=%v rows=%d cols=%d pad=%d place=%v,%v seed=%d special=%v scale=%v",
		c.f, c.alpha, c.rows, c.cols, c.pad, c.pu, c.pg, c.seed, c.special, c.scale)
}

// applyContrastRef is the reference ApplyContrast: the API's per-row,
// per-block loop over the pure-Go contrastGeneric.
func applyContrastRef[T Float](f Contrast, alpha T, rows, cols int, u []T, ld int, gpMean []T) {
	if cols == 0 {
		clear(gpMean)
		return
	}
	for i := 0; i < rows; i++ {
		var s float64
		row := u[i*ld : i*ld+cols]
		for j0 := 0; j0 < cols; j0 += contrastBlock {
			var part [1]T
			blk := row[j0:min(cols, j0+contrastBlock)]
			contrastGeneric(f, alpha, 1, len(blk), blk, len(blk), part[:])
			s += float64(part[0])
		}
		gpMean[i] = 0
		if cols > 0 {
			gpMean[i] = T(s / float64(cols))
		}
	}
}

// verifyContrast checks ApplyContrast: every g(u) within ulpsAllowed of the
// closed form (independently of ref), every mean of g' against ref within
// the bound summed from contrastEvalErr and the summation error, guards,
// and NaN propagation to g and to the row's mean.
func verifyContrast[T Float](tb testing.TB, impl, ref contrastFunc[T], c contrastCase) bool {
	tb.Helper()
	r := newRand(c.seed)
	ld := max(c.cols, 1) + c.pad
	U := newGmat[T](tb, "u", c.rows, c.cols, ld, c.pu).fill(func(int, int) T { return T(c.scale * (2*r.Float64() - 1)) })
	if c.special {
		U.sprinkle(r, 0.1, specialValues[T](true))
	}
	U.overlay(c.raw, 0, 0)
	G := newVec[T](tb, "gpMean", c.rows, c.pg)
	us := U.plain()
	want, wantMean := append([]T(nil), us...), make([]T, c.rows)
	alpha := T(c.alpha)
	what := "ApplyContrast " + c.String()
	if !callGuarded(tb, what, func() { impl(c.f, alpha, c.rows, c.cols, U.data, ld, G.data) }) {
		return false
	}
	ref(c.f, alpha, c.rows, c.cols, want, ld, wantMean)
	ok := U.checkGuards(tb) && G.checkGuards(tb)
	rep := reporter{tb: tb, what: what}
	eps := epsOf[T]()
	for i := 0; i < c.rows; i++ {
		var errSum, absSum float64
		rowNaN := false
		for j := 0; j < c.cols; j++ {
			u := float64(us[i*ld+j])
			g, gp := contrastExact(c.f, float64(alpha), u)
			if got := U.data[i*ld+j]; !ulpClose(got, T(g), ulpsAllowed[T](c.f, u)) {
				rep.errorf("g(%v) at (%d,%d) = %v, closed form %v (%d ulp > %d)", u, i, j, got, T(g), ulpDiff(got, T(g)), ulpsAllowed[T](c.f, u))
			}
			_, egp := contrastEvalErr[T](c.f, float64(alpha), u)
			errSum += egp
			absSum += math.Abs(gp)
			rowNaN = rowNaN || u != u
			if u != u && U.data[i*ld+j] == U.data[i*ld+j] {
				rep.errorf("g(NaN) at (%d,%d) = %v (NaN dropped)", i, j, U.data[i*ld+j])
			}
		}
		n := float64(max(c.cols, 1))
		tol := (errSum+float64(gemmOps(c.cols))*eps*absSum)/n + eps*math.Abs(float64(wantMean[i]))
		if got := float64(G.data[i]); !closeTo(got, float64(wantMean[i]), tol) {
			rep.errorf("mean g' of row %d = %v, want %v (tolerance %.3g)", i, got, wantMean[i], tol)
		}
		if rowNaN && G.data[i] == G.data[i] {
			rep.errorf("mean g' of row %d = %v but the row has a NaN (NaN dropped)", i, G.data[i])
		}
	}
	return rep.done() && ok
}

// contrastCases: every contrast, lengths 0..3 blocks of the widest vector
// loop exhaustively on one row, lengths around contrastBlock, several rows
// with odd lds, argument scales from tiny to huge, special values, and
// guard pages.
func contrastCases() []contrastCase {
	var cs []contrastCase
	seq := 0
	add := func(c contrastCase) {
		seq++
		if c.seed == 0 {
			c.seed = uint64(seq)
		}
		cs = append(cs, c)
	}
	for _, f := range []Contrast{LogCosh, Exp, Cube} {
		for n := 0; n <= 3*64+3; n++ {
			add(contrastCase{f: f, alpha: 1, rows: 1, cols: n, pu: placement{off: n % 8}, pg: placement{off: (n + 1) % 8}, scale: 3})
		}
		for _, n := range around(contrastBlock, 2*contrastBlock, 3*contrastBlock) {
			add(contrastCase{f: f, alpha: 1.5, rows: 2, cols: n, pad: 3, pu: placement{off: 5}, scale: 2})
		}
		// Found by FuzzContrast: several rows of no columns (u empty) made
		// ApplyContrast slice out of range.
		add(contrastCase{f: f, alpha: 1, rows: 3, cols: 0, pu: placement{off: 4}, scale: 3})
		add(contrastCase{f: f, alpha: 1, rows: 2, cols: 0, pad: 2, scale: 3})
		for _, s := range []float64{1e-30, 1e-6, 0.5, 4, 12, 40, 1e3, 1e20} {
			add(contrastCase{f: f, alpha: 1, rows: 3, cols: 77, pad: 1, scale: s})
		}
		for _, s := range dataSeeds {
			add(contrastCase{f: f, alpha: 1, rows: 4, cols: 50, pad: 2, seed: s, special: true, scale: 5})
			add(contrastCase{f: f, alpha: 2, rows: 2, cols: 300, seed: s, special: true, scale: 1})
		}
		if guardPagesUsable() {
			for _, n := range []int{1, 3, 8, 15, 16, 17, 31, 33, 64, 100} {
				for _, pg := range []int{1, -1} {
					add(contrastCase{f: f, alpha: 1, rows: 2, cols: n, pu: placement{page: pg}, pg: placement{page: pg}, scale: 3})
				}
			}
		}
	}
	return cs
}

func testContrast[T Float](t *testing.T, impl, ref contrastFunc[T]) {
	runCases(t, contrastCases(), func(tb testing.TB, c contrastCase) bool { return verifyContrast(tb, impl, ref, c) })
}

// TestContrastReference checks the pure-Go contrast against the closed
// forms and exact sums (the reference plays the part of impl and is also
// its own ref for the mean, so the mean is compared with an exact one).
func TestContrastReference(t *testing.T) {
	skipReferenceUnderRace(t)
	exactMean := func(f Contrast, alpha float64, rows, cols, ld int, u []float64) []float64 {
		m := make([]float64, rows)
		for i := range m {
			var s xsum
			for j := 0; j < cols; j++ {
				_, gp := contrastExact(f, alpha, u[i*ld+j])
				s.add(gp)
			}
			if cols > 0 {
				m[i] = s.value() / float64(cols)
			}
		}
		return m
	}
	forTypes(t, func(t *testing.T) {
		testContrast(t, applyContrastRef[float32], func(f Contrast, alpha float32, rows, cols int, u []float32, ld int, gp []float32) {
			u64 := make([]float64, len(u))
			for i, v := range u {
				u64[i] = float64(v)
			}
			m := exactMean(f, float64(alpha), rows, cols, ld, u64)
			for i := range gp {
				gp[i] = float32(m[i])
			}
		})
	}, func(t *testing.T) {
		testContrast(t, applyContrastRef[float64], func(f Contrast, alpha float64, rows, cols int, u []float64, ld int, gp []float64) {
			copy(gp, exactMean(f, alpha, rows, cols, ld, u))
		})
	})
}

// TestContrast checks every level's ApplyContrast.
func TestContrast(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		forTypes(t, func(t *testing.T) { testContrast(t, ApplyContrast[float32], applyContrastRef[float32]) },
			func(t *testing.T) { testContrast(t, ApplyContrast[float64], applyContrastRef[float64]) })
	})
}

// TestContrastSweep runs g over a dense logarithmic sweep of arguments,
// both signs, from the subnormals to beyond overflow, in one long row, so
// that every range of a vectorised tanh/exp approximation is visited.
func TestContrastSweep(t *testing.T) {
	sweep := func(t *testing.T, f32 bool) {
		var xs []float64
		for e := -45.0; e <= 40; e += 0.01 {
			v := math.Pow(10, e)
			xs = append(xs, v, -v)
		}
		for _, f := range []Contrast{LogCosh, Exp, Cube} {
			if f32 {
				u := make([]float32, len(xs))
				for i, v := range xs {
					u[i] = float32(v)
				}
				sweepOne(t, f, u)
			} else {
				sweepOne(t, f, xs)
			}
		}
	}
	forEachLevel(t, func(t *testing.T, _ Level) {
		forTypes(t, func(t *testing.T) { sweep(t, true) }, func(t *testing.T) { sweep(t, false) })
	})
}

func sweepOne[T Float](t *testing.T, f Contrast, xs []T) {
	u := append([]T(nil), xs...)
	var gp [1]T
	ApplyContrast(f, 1, 1, len(u), u, len(u), gp[:])
	rep := reporter{tb: t, what: fmt.Sprintf("sweep %v %s", f, dtypeName[T]())}
	for i, x := range xs {
		g, _ := contrastExact(f, 1, float64(x))
		if !ulpClose(u[i], T(g), ulpsAllowed[T](f, float64(x))) {
			rep.errorf("g(%v) = %v, closed form %v (%d ulp)", x, u[i], T(g), ulpDiff(u[i], T(g)))
		}
	}
	rep.done()
}

func TestParseContrast(t *testing.T) {
	for _, f := range []Contrast{LogCosh, Exp, Cube} {
		if g, err := ParseContrast(f.String()); err != nil || g != f {
			t.Errorf("ParseContrast(%q) = %v, %v", f, g, err)
		}
	}
	if _, err := ParseContrast("tanh"); err == nil {
		t.Error("ParseContrast(tanh): no error")
	}
	if !panics(func() { ApplyContrast(Contrast(7), 1, 1, 1, []float64{1}, 1, []float64{0}) }) {
		t.Error("ApplyContrast with an unknown contrast did not panic")
	}
}
