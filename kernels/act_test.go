package kernels

import (
	"fmt"
	"math"
	"testing"
)

type actForwardFunc[T Float] func(act Activation, alpha T, x, y []T)
type actBackwardFunc[T Float] func(act Activation, alpha T, x, y, dy, dx []T)
type adamFunc[T Float] func(p, g, m, v []T, lr, beta1, beta2, eps T, t int)

var activations = []Activation{ELU, ReLU, Tanh, Sigmoid}

// actExact is the activation's closed form in float64.
func actExact(act Activation, alpha, x float64) float64 {
	switch act {
	case ELU:
		if x > 0 {
			return x
		}
		return alpha * math.Expm1(x)
	case ReLU:
		if x > 0 || x != x {
			return x
		}
		return 0
	case Tanh:
		return math.Tanh(x)
	default:
		return 1 / (1 + math.Exp(-x))
	}
}

// actDerivExact is the derivative of the closed form.
func actDerivExact(act Activation, alpha, x float64) float64 {
	switch act {
	case ELU:
		if x > 0 {
			return 1
		}
		return alpha * math.Exp(x)
	case ReLU:
		if x > 0 {
			return 1
		}
		return 0
	case Tanh:
		t := math.Tanh(x)
		return 1 - t*t
	default:
		s := 1 / (1 + math.Exp(-x))
		return s * (1 - s)
	}
}

// actUlps is the promised accuracy of the forward pass: 2 ulp of the
// float64 closed form rounded for float32, 4 ulp for float64 (ELU: one
// more, for the product with alpha).
func actUlps[T Float](act Activation) uint64 {
	n := uint64(4)
	if is32[T]() {
		n = 2
	}
	if act == ELU {
		n++
	}
	return n
}

type actCase struct {
	vecCase
	act   Activation
	alias bool
	scale float64
}

func (c actCase) String() string {
	return fmt.Sprintf("%v %v alias=%v scale=%v", c.act, c.vecCase, c.alias, c.scale)
}

// actOperands builds x (scaled random, specials), and three more vectors.
func actOperands[T Float](tb testing.TB, c actCase) []*gmat[T] {
	tb.Helper()
	r := newRand(c.seed)
	var ms []*gmat[T]
	for i := 0; i < 4; i++ {
		m := newVec[T](tb, fmt.Sprintf("v%d", i), c.n, c.p[i%3]).fill(func(int, int) T { return T(c.scale * (2*r.Float64() - 1)) })
		if c.special {
			m.sprinkle(r, 0.1, specialValues[T](i == 0))
		}
		m.overlay(c.raw, i, min(i, 1)*20)
		ms = append(ms, m)
	}
	return ms
}

// verifyActForward checks y = act(x) element by element against the
// closed form (independent of ref) within actUlps, and against ref's
// special-value classes; guards; x unchanged unless y aliases it; NaN in,
// NaN out.
func verifyActForward[T Float](tb testing.TB, impl, ref actForwardFunc[T], c actCase) bool {
	tb.Helper()
	in := actOperands[T](tb, c)
	x, y := in[0], in[1]
	if c.alias {
		y = x
	}
	xs := x.plain()
	want := make([]T, c.n)
	alpha := T(c.alpha)
	what := "ActivationForward " + c.String()
	if !callGuarded(tb, what, func() { impl(c.act, alpha, x.data, y.data) }) {
		return false
	}
	ref(c.act, alpha, xs, want)
	ok := y.checkGuards(tb)
	if !c.alias {
		ok = x.checkUnchanged(tb, xs) && ok
	}
	rep := reporter{tb: tb, what: what}
	for i, v := range xs {
		e := T(actExact(c.act, float64(alpha), float64(v)))
		if got := y.data[i]; !ulpClose(got, e, actUlps[T](c.act)) || !sameClass(float64(got), float64(want[i])) {
			rep.errorf("act(%v) at %d = %v, closed form %v (%d ulp), reference %v", v, i, got, e, ulpDiff(got, e), want[i])
		}
		if v != v && y.data[i] == y.data[i] {
			rep.errorf("act(NaN) at %d = %v (NaN dropped)", i, y.data[i])
		}
	}
	return rep.done() && ok
}

// verifyActBackward checks dx = dy·act'(x) (given y = act(x) from the
// reference forward pass) against ref within the roundings of the formula
// in terms of y: tanh dy(1−y²), sigmoid dy·y(1−y), ELU dy(y+α), ReLU exact.
func verifyActBackward[T Float](tb testing.TB, impl, ref actBackwardFunc[T], c actCase) bool {
	tb.Helper()
	in := actOperands[T](tb, c)
	x, y, dy, dx := in[0], in[1], in[2], in[3]
	alpha := T(c.alpha)
	xs := x.plain()
	ys := make([]T, c.n)
	actForwardGeneric(c.act, alpha, xs, ys)
	copy(y.data, ys)
	if c.alias {
		dx = dy
	}
	dys := dy.plain()
	want := make([]T, c.n)
	what := "ActivationBackward " + c.String()
	if !callGuarded(tb, what, func() { impl(c.act, alpha, x.data, y.data, dy.data, dx.data) }) {
		return false
	}
	ref(c.act, alpha, xs, ys, dys, want)
	ok := x.checkUnchanged(tb, xs) && y.checkUnchanged(tb, ys) && dx.checkGuards(tb)
	if !c.alias {
		ok = dy.checkUnchanged(tb, dys) && ok
	}
	ok = compareMat(tb, what, 1, c.n, dx.data, c.n, want, c.n, func(_, i int) float64 {
		d, yy := math.Abs(float64(dys[i])), math.Abs(float64(ys[i]))
		switch c.act {
		case Tanh:
			return tolerance[T](3, d*(1+yy*yy))
		case Sigmoid:
			return tolerance[T](3, d*yy*(1+yy))
		case ELU:
			return tolerance[T](2, d*(yy+math.Abs(c.alpha)))
		}
		return 0
	}) && ok
	// ReLU passes no gradient at all where x ≤ 0 (dx = 0 exactly, as the
	// reference and PyTorch's threshold_backward do), so there a NaN dy
	// does not reach dx; everywhere else it must.
	var nan []int
	for i := range xs {
		dead := c.act == ReLU && xs[i] <= 0
		if xs[i] != xs[i] || (dys[i] != dys[i] && !dead) {
			nan = append(nan, i)
		}
	}
	return checkNaNAt(tb, what, dx.data, nan) && ok
}

func actCases() []actCase {
	var cs []actCase
	for i, vc := range vecCases() {
		if vc.n > 5000 || (i%2 == 1 && !vc.special && vc.p[0].page == 0) {
			continue // elementwise paths: half the lengths, up to 4099, keep the suite fast
		}
		for j, act := range activations {
			if (i+j)%2 == 1 && !vc.special {
				continue // every case for two of the four activations, alternating
			}
			scale := []float64{4, 0.01, 30, 100}[(i/2+j)%4]
			cs = append(cs, actCase{vecCase: vc, act: act, alias: (i+j)%3 == 0, scale: scale})
			cs[len(cs)-1].alpha = []float64{1, 0.5}[(i+j)%2]
		}
	}
	return cs
}

func testAct[T Float](t *testing.T, fwd, fwdRef actForwardFunc[T], bwd, bwdRef actBackwardFunc[T]) {
	cs := actCases()
	t.Run("Forward", func(t *testing.T) {
		runCases(t, cs, func(tb testing.TB, c actCase) bool { return verifyActForward(tb, fwd, fwdRef, c) })
	})
	t.Run("Backward", func(t *testing.T) {
		runCases(t, cs, func(tb testing.TB, c actCase) bool { return verifyActBackward(tb, bwd, bwdRef, c) })
	})
}

// TestActivationReference: the reference forward pass against the closed
// forms (verifyActForward's own check), the backward pass against the
// derivative in terms of y evaluated in float64.
func TestActivationReference(t *testing.T) {
	skipReferenceUnderRace(t)
	exactBwd := func(act Activation, alpha float64, x, y, dy float64) float64 {
		switch act {
		case ELU:
			if x > 0 {
				return dy
			}
			return dy * (y + alpha)
		case ReLU:
			if x > 0 {
				return dy
			}
			if x != x {
				return x
			}
			return 0
		case Tanh:
			return dy * (1 - y*y)
		default:
			return dy * y * (1 - y)
		}
	}
	forTypes(t, func(t *testing.T) {
		testAct(t, actForwardGeneric[float32], actForwardGeneric[float32], actBackwardGeneric[float32],
			func(act Activation, alpha float32, x, y, dy, dx []float32) {
				for i := range x {
					dx[i] = float32(exactBwd(act, float64(alpha), float64(x[i]), float64(y[i]), float64(dy[i])))
				}
			})
	}, func(t *testing.T) {
		testAct(t, actForwardGeneric[float64], actForwardGeneric[float64], actBackwardGeneric[float64],
			func(act Activation, alpha float64, x, y, dy, dx []float64) {
				for i := range x {
					dx[i] = exactBwd(act, alpha, x[i], y[i], dy[i])
				}
			})
	})
}

// TestActivation checks every level's activations against the reference.
func TestActivation(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		forTypes(t, func(t *testing.T) {
			testAct(t, ActivationForward[float32], actForwardGeneric[float32], ActivationBackward[float32], actBackwardGeneric[float32])
		}, func(t *testing.T) {
			testAct(t, ActivationForward[float64], actForwardGeneric[float64], ActivationBackward[float64], actBackwardGeneric[float64])
		})
	})
}

// TestActivationFiniteDifferences checks that the backward pass is the
// derivative of the forward pass: dx (with dy = 1) against the central
// difference (f(x+h) − f(x−h))/2h of the float64 closed form, whose error
// is at most h²/6·max|f”'| + 2·eps·max|f|/h (|f”'| ≤ 2 + α here, |f| ≤ 3 + α
// on [−3, 3]). Points within 1e-3 of ELU's and ReLU's kink are skipped.
func TestActivationFiniteDifferences(t *testing.T) {
	const h = 1e-5
	forEachLevel(t, func(t *testing.T, _ Level) {
		r := newRand(9)
		for _, act := range activations {
			for _, alpha := range []float64{1, 0.7} {
				n := 200
				x, y, dy, dx := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
				for i := range x {
					x[i] = 6*r.Float64() - 3
					if math.Abs(x[i]) < 1e-3 {
						x[i] = 0.5
					}
					dy[i] = 1
				}
				ActivationForward(act, alpha, x, y)
				ActivationBackward(act, alpha, x, y, dy, dx)
				tol := h*h/6*(2+alpha) + 2*0x1p-52*(3+alpha)/h
				for i := range x {
					fd := (actExact(act, alpha, x[i]+h) - actExact(act, alpha, x[i]-h)) / (2 * h)
					if math.Abs(dx[i]-fd) > tol {
						t.Errorf("%v alpha=%v: d/dx at %v = %v, finite difference %v (tolerance %.3g)", act, alpha, x[i], dx[i], fd, tol)
					}
					if d := actDerivExact(act, alpha, x[i]); math.Abs(dx[i]-d) > 8*0x1p-52*(1+math.Abs(d)) {
						t.Errorf("%v alpha=%v: d/dx at %v = %v, analytic %v", act, alpha, x[i], dx[i], d)
					}
				}
			}
		}
	})
}

func TestParseActivation(t *testing.T) {
	for _, a := range activations {
		if b, err := ParseActivation(a.String()); err != nil || b != a {
			t.Errorf("ParseActivation(%q) = %v, %v", a, b, err)
		}
	}
	if _, err := ParseActivation("gelu"); err == nil {
		t.Error("ParseActivation(gelu): no error")
	}
	if !panics(func() { ActivationForward(Activation(9), 1, []float32{1}, []float32{1}) }) {
		t.Error("unknown activation did not panic")
	}
	if !panics(func() { AdamStep([]float32{1}, []float32{1}, []float32{1}, []float32{1}, 1, 0.9, 0.999, 1e-8, 0) }) {
		t.Error("AdamStep with t = 0 did not panic")
	}
}

// ---- Adam ----

type adamCase struct {
	vecCase
	t int
}

// exactAdam evaluates the update in float64 from the T-rounded inputs and
// hyperparameters.
func exactAdam[T Float](p, g, m, v []T, lr, b1, b2, eps T, t int) {
	B1, B2 := float64(b1), float64(b2)
	c1 := 1 / (1 - math.Pow(B1, float64(t)))
	c2 := 1 / (1 - math.Pow(B2, float64(t)))
	for i := range p {
		gi := float64(g[i])
		mi := B1*float64(m[i]) + (1-B1)*gi
		vi := B2*float64(v[i]) + (1-B2)*gi*gi
		m[i], v[i] = T(mi), T(vi)
		p[i] = T(float64(p[i]) - float64(lr)*(mi*c1)/(math.Sqrt(vi*c2)+float64(eps)))
	}
}

// verifyAdam checks p, m, v against ref: m within 2 roundings of
// β₁|m|+(1−β₁)|g| (the sum may cancel), v within 3 of β₂v+(1−β₂)g², p within
// one rounding of |p|, ten of the update, and the update's sensitivity to
// m's error; guards; g unchanged; a NaN gradient reaches p, m and v.
func verifyAdam[T Float](tb testing.TB, impl, ref adamFunc[T], c adamCase) bool {
	tb.Helper()
	r := newRand(c.seed)
	mk := func(name string, pl placement, f func() float64) *gmat[T] {
		return newVec[T](tb, name, c.n, pl).fill(func(int, int) T { return T(f()) })
	}
	P := mk("p", c.p[0], func() float64 { return 2*r.Float64() - 1 })
	G := mk("g", c.p[1], func() float64 { return (2*r.Float64() - 1) * math.Ldexp(1, r.IntN(10)-5) })
	M := mk("m", c.p[2], func() float64 { return 0.1 * (2*r.Float64() - 1) })
	V := mk("v", c.p[0], func() float64 { return 0.01 * r.Float64() })
	if c.special {
		G.sprinkle(r, 0.1, specialValues[T](false))
	}
	ps, gs, ms, vs := P.plain(), G.plain(), M.plain(), V.plain()
	wp, wm, wv := append([]T(nil), ps...), append([]T(nil), ms...), append([]T(nil), vs...)
	lr, b1, b2, eps := T(1e-3), T(0.9), T(0.999), T(1e-8)
	what := fmt.Sprintf("AdamStep %v t=%d", c.vecCase, c.t)
	if !callGuarded(tb, what, func() { impl(P.data, G.data, M.data, V.data, lr, b1, b2, eps, c.t) }) {
		return false
	}
	ref(wp, gs, wm, wv, lr, b1, b2, eps, c.t)
	ok := G.checkUnchanged(tb, gs) && P.checkGuards(tb) && M.checkGuards(tb) && V.checkGuards(tb)
	B1, B2 := float64(b1), float64(b2)
	c1 := 1 / (1 - math.Pow(B1, float64(c.t)))
	c2 := 1 / (1 - math.Pow(B2, float64(c.t)))
	mAbs := func(i int) float64 { return B1*math.Abs(float64(ms[i])) + (1-B1)*math.Abs(float64(gs[i])) }
	ok = compareMat(tb, what+" m", 1, c.n, M.data, c.n, wm, c.n, func(_, i int) float64 { return tolerance[T](2, mAbs(i)) }) && ok
	ok = compareMat(tb, what+" v", 1, c.n, V.data, c.n, wv, c.n, func(_, i int) float64 {
		g := float64(gs[i])
		return tolerance[T](3, B2*float64(vs[i])+(1-B2)*g*g)
	}) && ok
	ok = compareMat(tb, what+" p", 1, c.n, P.data, c.n, wp, c.n, func(_, i int) float64 {
		den := math.Sqrt(float64(wv[i])*c2) + float64(eps)
		upd := float64(lr) * math.Abs(float64(wm[i])) * c1 / den
		// The bias corrections are 1/(1 − fl_T(β^t)): rounding β^t to T
		// costs a relative u·β^t/(1−β^t) in each (large for small t in
		// float32; computing them in float64 would remove it).
		bias := (math.Pow(B1, float64(c.t))*c1 + math.Pow(B2, float64(c.t))*c2) * 2
		return tolerance[T](1, math.Abs(float64(ps[i]))) + tolerance[T](10, upd) + tolerance[T](2, float64(lr)*c1*mAbs(i)/den) + tolerance[T](1, bias*upd)
	}) && ok
	var nan []int
	for i, g := range gs {
		if g != g {
			nan = append(nan, i)
		}
	}
	ok = checkNaNAt(tb, what+" p", P.data, nan) && ok
	ok = checkNaNAt(tb, what+" m", M.data, nan) && ok
	return checkNaNAt(tb, what+" v", V.data, nan) && ok
}

func adamCases() []adamCase {
	var cs []adamCase
	ts := []int{1, 2, 3, 10, 1000}
	for i, vc := range vecCases() {
		if vc.n > 5000 {
			continue
		}
		cs = append(cs, adamCase{vecCase: vc, t: ts[i%len(ts)]})
	}
	return cs
}

func TestAdamReference(t *testing.T) {
	skipReferenceUnderRace(t)
	forTypes(t, func(t *testing.T) {
		runCases(t, adamCases(), func(tb testing.TB, c adamCase) bool {
			return verifyAdam(tb, adamGeneric[float32], exactAdam[float32], c)
		})
	}, func(t *testing.T) {
		runCases(t, adamCases(), func(tb testing.TB, c adamCase) bool {
			return verifyAdam(tb, adamGeneric[float64], exactAdam[float64], c)
		})
	})
}

func TestAdam(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		forTypes(t, func(t *testing.T) {
			runCases(t, adamCases(), func(tb testing.TB, c adamCase) bool {
				return verifyAdam(tb, AdamStep[float32], adamGeneric[float32], c)
			})
		}, func(t *testing.T) {
			runCases(t, adamCases(), func(tb testing.TB, c adamCase) bool {
				return verifyAdam(tb, AdamStep[float64], adamGeneric[float64], c)
			})
		})
	})
}

// TestAdamClosedForm: from m = v = 0 with a constant gradient g, the bias
// corrections make m̂ = g and v̂ = g² exactly, so every step moves p by
// lr·g/(|g|+ε): after t steps p = p₀ − t·lr·g/(|g|+ε). The recursions for m
// and v carry about 2 roundings per step without cancellation, so step s
// is off by at most (4s+10)·eps relative; summed, lr·eps·(2t²+12t), plus t
// roundings of p.
func TestAdamClosedForm(t *testing.T) {
	forEachLevel(t, func(t *testing.T, _ Level) {
		forTypes(t, adamClosed[float32], adamClosed[float64])
	})
}

func adamClosed[T Float](t *testing.T) {
	g := []T{1, -0.5, 3e-3, -250, 1e-6, 0}
	n := len(g)
	for _, lr := range []float64{1e-3, 0.1} {
		p, m, v := make([]T, n), make([]T, n), make([]T, n)
		for i := range p {
			p[i] = T(i) - 2
		}
		p0 := append([]T(nil), p...)
		eps := T(1e-8)
		for step := 1; step <= 20; step++ {
			AdamStep(p, g, m, v, T(lr), 0.9, 0.999, eps, step)
			e := epsOf[T]()
			s := float64(step)
			for i := range p {
				gi := float64(g[i])
				want := float64(p0[i]) - s*lr*gi/(math.Abs(gi)+float64(eps))
				tol := lr*e*(2*s*s+12*s) + s*e*(math.Abs(float64(p0[i]))+s*lr)
				if d := math.Abs(float64(p[i]) - want); d > tol {
					t.Errorf("lr=%v g=%v step %d: p = %v, closed form %v (|diff| %.3g > %.3g)", lr, gi, step, p[i], want, d, tol)
				}
			}
		}
	}
}
