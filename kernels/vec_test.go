package kernels

import (
	"math"
	"testing"
)

// vecCase is one vector-kernel case: length, placement of up to three
// operands, data seed, and whether IEEE special values are sprinkled in.
type vecCase struct {
	n       int
	p       [3]placement
	seed    uint64
	special bool
	alpha   float64
	raw     []byte // fuzzer-chosen bit patterns laid over the data
}

func (c vecCase) String() string {
	return caseName("n", c.n, "x", c.p[0], "y", c.p[1], "z", c.p[2], "seed", c.seed, "special", c.special, "alpha", c.alpha)
}

// vecMaxExhaustive covers three blocks of the widest plausible vector loop:
// AVX-512 float32 (16 lanes) unrolled 8 times is 128 elements.
const vecMaxExhaustive = 3*128 + 9

// vecCases enumerates lengths 0..vecMaxExhaustive exhaustively (offsets
// varying with n), every start offset 0–7 on short vectors, special values,
// a few large lengths and, where usable, guard-page placements.
func vecCases() []vecCase {
	var cs []vecCase
	alphas := []float64{1, -0.75, 2.5, 0}
	for n := 0; n <= vecMaxExhaustive; n++ {
		if raceEnabled && n > 70 && n%5 != 0 {
			continue // the race detector is after the parallel kernels; vector lengths are covered natively
		}
		cs = append(cs, vecCase{n: n, seed: uint64(n),
			p:     [3]placement{{off: n % 8}, {off: (n/8 + 3) % 8}, {off: (n/3 + 5) % 8}},
			alpha: alphas[n%len(alphas)]})
	}
	for n := 0; n <= 40; n++ {
		for o := 0; o < 8; o++ {
			cs = append(cs, vecCase{n: n, seed: uint64(100 + o), p: [3]placement{{off: o}, {off: 7 - o}, {off: (o + 2) % 8}}, alpha: -1.5})
		}
	}
	for n := 0; n <= 80; n++ {
		for _, s := range dataSeeds {
			cs = append(cs, vecCase{n: n, seed: s, special: true, p: [3]placement{{off: int(s) % 8}, {off: n % 8}, {}}, alpha: alphas[n%len(alphas)]})
		}
	}
	larges := []int{1000, 4099}
	if bigCases() {
		larges = append(larges, 100003)
	}
	for _, n := range larges {
		for _, s := range dataSeeds {
			cs = append(cs, vecCase{n: n, seed: s, p: [3]placement{{off: 1}, {off: 6}, {off: 3}}, alpha: 0.5},
				vecCase{n: n, seed: s, special: true, p: [3]placement{{}, {off: 5}, {off: 2}}, alpha: -2})
		}
	}
	if guardPagesUsable() {
		for _, n := range append(sizesUpTo(70), 1000, 1031) {
			for _, pg := range []int{1, -1} {
				cs = append(cs, vecCase{n: n, seed: uint64(n), p: [3]placement{{page: pg}, {page: pg}, {page: pg}}, alpha: 1.25})
			}
		}
	}
	return cs
}

// runCases runs check on every case (every fourth under -race), stopping after a handful of failing
// cases so that one bug does not print thousands of lines.
func runCases[C any](t testing.TB, cases []C, check func(tb testing.TB, c C) bool) {
	t.Helper()
	bad := 0
	for i, c := range cases {
		if raceEnabled && i%4 != 0 {
			// Under the race detector a sample suffices: it is after data
			// races in the parallel paths (determinism_test.go runs those
			// on multi-tile shapes), not after arithmetic.
			continue
		}
		if !check(t, c) {
			bad++
			if bad >= 5 {
				t.Fatalf("stopping after %d failing cases", bad)
			}
		}
	}
}

// forTypes runs fn as subtests dtype=f32 and dtype=f64.
func forTypes(t *testing.T, f32 func(t *testing.T), f64 func(t *testing.T)) {
	t.Run("dtype=f32", f32)
	t.Run("dtype=f64", f64)
}

// vecInputs builds the guarded operands of a case.
func vecInputs[T Float](tb testing.TB, c vecCase, k int) []*gmat[T] {
	tb.Helper()
	r := newRand(c.seed)
	var ms []*gmat[T]
	for i := 0; i < k; i++ {
		m := newVec[T](tb, string(rune('x'+i)), c.n, c.p[i]).randomize(r)
		if c.special {
			m.sprinkle(r, 0.15, specialValues[T](false))
		}
		m.overlay(c.raw, i, 20)
		ms = append(ms, m)
	}
	return ms
}

// ---- naive oracles (exact sums rounded once) ----

func exactDot[T Float](x, y []T) T {
	var s xsum
	for i := range x {
		s.addProd(float64(x[i]), float64(y[i]))
	}
	return T(s.value())
}

func exactSum[T Float](x []T) T {
	var s xsum
	for _, v := range x {
		s.add(float64(v))
	}
	return T(s.value())
}

func exactAxpy[T Float](alpha T, x, y []T) {
	for i := range x {
		var s xsum
		s.add(float64(y[i]))
		s.addProd(float64(alpha), float64(x[i]))
		y[i] = T(s.value())
	}
}

func exactScale[T Float](alpha T, x []T) {
	for i := range x {
		var s xsum
		s.addProd(float64(alpha), float64(x[i]))
		x[i] = T(s.value())
	}
}

func exactMul[T Float](dst, x, y []T) {
	for i := range x {
		var s xsum
		s.addProd(float64(x[i]), float64(y[i]))
		dst[i] = T(s.value())
	}
}

// ---- check functions (implementation as a function value) ----

// anyNaN reports whether a NaN is among the values.
func anyNaN[T Float](vs ...[]T) bool {
	for _, v := range vs {
		for _, e := range v {
			if e != e {
				return true
			}
		}
	}
	return false
}

// verifyDot compares impl(x, y) with ref(x, y) within n·eps·Σ|xᵢyᵢ| and checks
// guards, inputs, and that a NaN input yields NaN.
func verifyDot[T Float](tb testing.TB, impl, ref func(x, y []T) T, c vecCase) bool {
	tb.Helper()
	in := vecInputs[T](tb, c, 2)
	x, y := in[0], in[1]
	xs, ys := x.plain(), y.plain()
	var got T
	if !callGuarded(tb, "Dot "+c.String(), func() { got = impl(x.data, y.data) }) {
		return false
	}
	want := ref(xs, ys)
	var s xsum
	for i := range xs {
		s.addProd(float64(xs[i]), float64(ys[i]))
	}
	ok := x.checkUnchanged(tb, xs) && y.checkUnchanged(tb, ys)
	if !closeTo(float64(got), float64(want), tolerance[T](c.n+1, s.abs)) {
		tb.Errorf("Dot %s: got %v, want %v (tolerance %.3g)", c, got, want, tolerance[T](c.n+1, s.abs))
		ok = false
	}
	if anyNaN(xs, ys) && got == got {
		tb.Errorf("Dot %s: an input is NaN but the result is %v (NaN dropped)", c, got)
		ok = false
	}
	return ok
}

// verifySum is verifyDot for Sum.
func verifySum[T Float](tb testing.TB, impl, ref func(x []T) T, c vecCase) bool {
	tb.Helper()
	x := vecInputs[T](tb, c, 1)[0]
	xs := x.plain()
	var got T
	if !callGuarded(tb, "Sum "+c.String(), func() { got = impl(x.data) }) {
		return false
	}
	want := ref(xs)
	var s xsum
	for _, v := range xs {
		s.add(float64(v))
	}
	ok := x.checkUnchanged(tb, xs)
	if !closeTo(float64(got), float64(want), tolerance[T](c.n+1, s.abs)) {
		tb.Errorf("Sum %s: got %v, want %v (tolerance %.3g)", c, got, want, tolerance[T](c.n+1, s.abs))
		ok = false
	}
	if anyNaN(xs) && got == got {
		tb.Errorf("Sum %s: an input is NaN but the result is %v (NaN dropped)", c, got)
		ok = false
	}
	return ok
}

// verifyAxpy checks y += alpha·x elementwise within 2 roundings.
func verifyAxpy[T Float](tb testing.TB, impl, ref func(alpha T, x, y []T), c vecCase) bool {
	tb.Helper()
	in := vecInputs[T](tb, c, 2)
	x, y := in[0], in[1]
	xs, ys := x.plain(), y.plain()
	want := append([]T(nil), ys...)
	alpha := T(c.alpha)
	if !callGuarded(tb, "Axpy "+c.String(), func() { impl(alpha, x.data, y.data) }) {
		return false
	}
	ref(alpha, xs, want)
	ok := x.checkUnchanged(tb, xs) && y.checkGuards(tb)
	ok = compareMat(tb, "Axpy "+c.String(), 1, c.n, y.data, c.n, want, c.n, func(_, j int) float64 {
		return tolerance[T](2, math.Abs(float64(ys[j]))+math.Abs(c.alpha*float64(xs[j])))
	}) && ok
	var nan []int
	for j := range xs {
		if xs[j] != xs[j] || ys[j] != ys[j] {
			nan = append(nan, j)
		}
	}
	return checkNaNAt(tb, "Axpy "+c.String(), y.data, nan) && ok
}

// verifyScale checks x *= alpha within one rounding.
func verifyScale[T Float](tb testing.TB, impl, ref func(alpha T, x []T), c vecCase) bool {
	tb.Helper()
	x := vecInputs[T](tb, c, 1)[0]
	xs := x.plain()
	want := append([]T(nil), xs...)
	alpha := T(c.alpha)
	if !callGuarded(tb, "Scale "+c.String(), func() { impl(alpha, x.data) }) {
		return false
	}
	ref(alpha, want)
	ok := x.checkGuards(tb)
	ok = compareMat(tb, "Scale "+c.String(), 1, c.n, x.data, c.n, want, c.n, func(_, j int) float64 {
		return tolerance[T](1, math.Abs(c.alpha*float64(xs[j])))
	}) && ok
	var nan []int
	for j := range xs {
		if xs[j] != xs[j] {
			nan = append(nan, j)
		}
	}
	return checkNaNAt(tb, "Scale "+c.String(), x.data, nan) && ok
}

// verifyMul checks dst = x·y elementwise, with dst separate, aliasing x, or
// aliasing y (chosen by the case's seed).
func verifyMul[T Float](tb testing.TB, impl, ref func(dst, x, y []T), c vecCase) bool {
	tb.Helper()
	in := vecInputs[T](tb, c, 3)
	x, y, d := in[0], in[1], in[2]
	xs, ys := x.plain(), y.plain()
	want := make([]T, c.n)
	ref(want, xs, ys)
	alias := c.seed % 3
	dst := d
	switch alias {
	case 1:
		dst = x
	case 2:
		dst = y
	}
	if !callGuarded(tb, "Mul "+c.String(), func() { impl(dst.data, x.data, y.data) }) {
		return false
	}
	ok := dst.checkGuards(tb)
	if alias != 1 {
		ok = x.checkUnchanged(tb, xs) && ok
	}
	if alias != 2 {
		ok = y.checkUnchanged(tb, ys) && ok
	}
	what := "Mul " + c.String() + caseName(" alias", alias)
	ok = compareMat(tb, what, 1, c.n, dst.data, c.n, want, c.n, func(_, j int) float64 {
		return tolerance[T](1, math.Abs(float64(xs[j])*float64(ys[j])))
	}) && ok
	var nan []int
	for j := range xs {
		if xs[j] != xs[j] || ys[j] != ys[j] {
			nan = append(nan, j)
		}
	}
	return checkNaNAt(tb, what, dst.data, nan) && ok
}

// ---- tests ----

func testVec[T Float](t *testing.T, dot func(x, y []T) T, sum func(x []T) T, axpy func(T, []T, []T), scale func(T, []T), mul func(d, x, y []T),
	rdot func(x, y []T) T, rsum func(x []T) T, raxpy func(T, []T, []T), rscale func(T, []T), rmul func(d, x, y []T)) {
	cs := vecCases()
	t.Run("Dot", func(t *testing.T) {
		runCases(t, cs, func(tb testing.TB, c vecCase) bool { return verifyDot(tb, dot, rdot, c) })
	})
	t.Run("Sum", func(t *testing.T) {
		runCases(t, cs, func(tb testing.TB, c vecCase) bool { return verifySum(tb, sum, rsum, c) })
	})
	t.Run("Axpy", func(t *testing.T) {
		runCases(t, cs, func(tb testing.TB, c vecCase) bool { return verifyAxpy(tb, axpy, raxpy, c) })
	})
	t.Run("Scale", func(t *testing.T) {
		runCases(t, cs, func(tb testing.TB, c vecCase) bool { return verifyScale(tb, scale, rscale, c) })
	})
	t.Run("Mul", func(t *testing.T) {
		runCases(t, cs, func(tb testing.TB, c vecCase) bool { return verifyMul(tb, mul, rmul, c) })
	})
}

// TestVecReference checks the pure-Go references against exact sums.
func TestVecReference(t *testing.T) {
	skipReferenceUnderRace(t)
	forTypes(t, func(t *testing.T) {
		testVec(t, dotGeneric[float32], sumGeneric[float32], axpyGeneric[float32], scaleGeneric[float32], mulGeneric[float32],
			exactDot[float32], exactSum[float32], exactAxpy[float32], exactScale[float32], exactMul[float32])
	}, func(t *testing.T) {
		testVec(t, dotGeneric[float64], sumGeneric[float64], axpyGeneric[float64], scaleGeneric[float64], mulGeneric[float64],
			exactDot[float64], exactSum[float64], exactAxpy[float64], exactScale[float64], exactMul[float64])
	})
}

// TestVec checks every level's exported vector kernels against the
// references.
func TestVec(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		forTypes(t, func(t *testing.T) {
			testVec(t, Dot[float32], Sum[float32], Axpy[float32], Scale[float32], Mul[float32],
				dotGeneric[float32], sumGeneric[float32], axpyGeneric[float32], scaleGeneric[float32], mulGeneric[float32])
		}, func(t *testing.T) {
			testVec(t, Dot[float64], Sum[float64], Axpy[float64], Scale[float64], Mul[float64],
				dotGeneric[float64], sumGeneric[float64], axpyGeneric[float64], scaleGeneric[float64], mulGeneric[float64])
		})
	})
}

// TestScaleSpecialAlpha feeds IEEE special values as the scale factor.
func TestScaleSpecialAlpha(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		for _, a := range specialValues[float64](true) {
			for _, n := range []int{0, 1, 7, 17, 33, 100} {
				c := vecCase{n: n, seed: uint64(n), alpha: a, special: n%2 == 1, p: [3]placement{{off: n % 8}, {off: 1}}}
				verifyScale(t, Scale[float64], scaleGeneric[float64], c)
				verifyScale(t, Scale[float32], scaleGeneric[float32], c)
				verifyAxpy(t, Axpy[float64], axpyGeneric[float64], c)
				verifyAxpy(t, Axpy[float32], axpyGeneric[float32], c)
			}
		}
	})
}
