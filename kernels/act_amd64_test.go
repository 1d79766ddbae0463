//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestActAsm compares the amd64 activation and Adam routines, for every
// instruction set the CPU has, with the reference: every length up to a
// few vectors plus a long one, random values spanning the whole range and
// the special values. The backward passes, ReLU and Adam repeat the
// reference's roundings and must agree bit for bit; ELU, tanh and sigmoid
// forward are within actULP ulp (the vectorised functions' accuracy, see
// asm/ewkit/math.go). The largest errors seen are logged.
const actULP = 3

func actInputs[T Float](r *rand.Rand, n int) []T {
	x := make([]T, n)
	sp := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e-310, -1e-310, 1e300, -1e300,
		-709.7, -709.8, -745.2, 20, -20, 9, -40, -41, 3e38, -3e38, 1e-40}
	for i := range x {
		switch r.IntN(4) {
		case 0:
			x[i] = T(sp[r.IntN(len(sp))])
		case 1:
			x[i] = T((r.Float64()*2 - 1) * 800)
		default:
			x[i] = T(r.NormFloat64() * 3)
		}
	}
	return x
}

func TestActAsm(t *testing.T) {
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
		worst := map[string]uint64{}
		var sizes []int
		for n := 0; n <= 70; n++ {
			sizes = append(sizes, n)
		}
		sizes = append(sizes, 1000, 4099)
		for _, n := range sizes {
			checkAct[float64](t, is.name, n, worst)
			checkAct[float32](t, is.name, n, worst)
		}
		for k, v := range worst {
			t.Logf("%s %s: max %d ulp", is.name, k, v)
		}
	}
}

func checkAct[T Float](t *testing.T, isa string, n int, worst map[string]uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(n), 3))
	x := actInputs[T](r, n)
	dt := ewDtype[T]()
	for _, a := range []Activation{ELU, ReLU, Tanh, Sigmoid} {
		alpha := T(1.5)
		want := make([]T, n)
		got := make([]T, n)
		actForwardGeneric(a, alpha, x, want)
		ActivationForward(a, alpha, x, got)
		bound := uint64(actULP)
		if a == ReLU {
			bound = 0
		}
		key := fmt.Sprintf("forward %v %s", a, dt)
		for i := range x {
			d := ewULP(got[i], want[i])
			if a == ReLU && math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) && !(got[i] != got[i] && want[i] != want[i]) {
				d = math.MaxUint64
			}
			if d > bound {
				t.Errorf("%s %s n=%d: %v(%v) = %v, reference %v (%d ulp)", isa, key, n, a, x[i], got[i], want[i], d)
				return
			}
			worst[key] = max(worst[key], d)
		}
		// Backward from the reference's forward output.
		dy := actInputs[T](r, n)
		wdx := make([]T, n)
		gdx := make([]T, n)
		actBackwardGeneric(a, alpha, x, want, dy, wdx)
		ActivationBackward(a, alpha, x, want, dy, gdx)
		if !ewSameBits(t, fmt.Sprintf("%s backward %v %s n=%d", isa, a, dt, n), gdx, wdx) {
			return
		}
	}
	p, g, m, v := actInputs[T](r, n), actInputs[T](r, n), actInputs[T](r, n), actInputs[T](r, n)
	for i := range v {
		v[i] = T(math.Abs(float64(v[i])))
	}
	wp, wm, wv := append([]T(nil), p...), append([]T(nil), m...), append([]T(nil), v...)
	adamGeneric(wp, g, wm, wv, 0.001, 0.9, 0.999, 1e-8, 7)
	AdamStep(p, g, m, v, 0.001, 0.9, 0.999, 1e-8, 7)
	name := fmt.Sprintf("%s Adam %s n=%d", isa, dt, n)
	_ = ewSameBits(t, name+" p", p, wp) && ewSameBits(t, name+" m", m, wm) && ewSameBits(t, name+" v", v, wv)
}

// TestActAccuracy sweeps sigmoid and ELU (which use the vectorised exp and
// expm1) over a dense grid and random arguments in float64 against
// math.Exp/math.Expm1 and reports the largest error.
func TestActAccuracy(t *testing.T) {
	prev := Impl()
	defer current.Store(int32(prev))
	xs := sweepArgs(60, 3)
	for _, is := range ewISAs {
		if !is.ok() {
			continue
		}
		lvl := AVX2
		if is.name == "avx512" {
			lvl = AVX512
		}
		current.Store(int32(lvl))
		for _, a := range []Activation{ELU, Sigmoid, Tanh} {
			got := make([]float64, len(xs))
			want := make([]float64, len(xs))
			ActivationForward(a, 1, xs, got)
			actForwardGeneric(a, 1, xs, want)
			var w uint64
			var at float64
			for i := range xs {
				d := ewULP(got[i], want[i])
				if math.Abs(want[i]) < 0x1p-1022 && math.Abs(got[i]-want[i]) <= 2*math.SmallestNonzeroFloat64 {
					d = 0 // subnormal results: absolute error of one unit
				}
				if d > w {
					w, at = d, xs[i]
				}
			}
			t.Logf("%s %v f64: max %d ulp (at %g) over %d arguments", is.name, a, w, at, len(xs))
			if w > actULP {
				t.Errorf("%s %v f64: %d ulp at %g", is.name, a, w, at)
			}
		}
	}
}
