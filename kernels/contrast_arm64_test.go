//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulpDiff64 is |got − want| in units of the spacing of float64 values at
// want (the subnormal spacing below the normal range). NaN must match NaN,
// infinities must match exactly.
func ulpDiff64(got, want float64) float64 {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		if math.IsNaN(want) && math.IsNaN(got) {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		if got == want {
			return 0
		}
		return math.Inf(1)
	}
	a := math.Abs(want)
	ulp := math.Nextafter(a, math.Inf(1)) - a
	if a == math.MaxFloat64 {
		ulp = a - math.Nextafter(a, 0)
	}
	return math.Abs(got-want) / ulp
}

// ulpDiff32 is the float32 version, for a float32 result against the float64
// value it should approximate rounded to float32.
func ulpDiff32(got float32, want float64) float64 {
	w := float32(want)
	switch {
	case math.IsNaN(want) || got != got:
		if math.IsNaN(want) && got != got {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(float64(w), 0) || math.IsInf(float64(got), 0):
		if got == w {
			return 0
		}
		return math.Inf(1)
	}
	a := float32(math.Abs(float64(w)))
	ulp := float64(math.Nextafter32(a, float32(math.Inf(1))) - a)
	if a == math.MaxFloat32 {
		ulp = float64(a - math.Nextafter32(a, 0))
	}
	return math.Abs(float64(got)-float64(w)) / ulp
}

// mathSweep returns arguments covering the whole float64 range: both signs,
// magnitudes log-uniform from 1e-310 (subnormal) to 1e308, a dense linear
// sweep of the interesting region, and the special values.
func mathSweep(n int, lo, hi float64) []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	var x []float64
	for i := 0; i < n; i++ {
		m := math.Pow(10, -310+r.Float64()*618)
		if i%2 == 1 {
			m = -m
		}
		x = append(x, m)
	}
	for i := 0; i <= n; i++ {
		x = append(x, lo+(hi-lo)*float64(i)/float64(n))
	}
	x = append(x, 0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		5e-324, -5e-324, math.SmallestNonzeroFloat64*1e10, math.MaxFloat64, -math.MaxFloat64,
		0.625, -0.625, math.Nextafter(0.625, 0), -math.Nextafter(0.625, 0),
		19.0615, 20, 22, 44, 709.78, 709.7827128933840, 709.79, -708.39, -745.13, -745.14, -746, -1000,
		1e-8, -1e-8, 0.3465, -0.3466, 0.5*math.Ln2, -0.5*math.Ln2, math.Ln2, -math.Ln2)
	for len(x)%4 != 0 {
		x = append(x, 1)
	}
	return x
}

func checkMath64(t *testing.T, name string, fn int, ref func(float64) float64, maxUlp float64, x []float64) {
	t.Helper()
	y := append([]float64(nil), x...)
	mathNEON64(fn, y)
	worst, at := 0.0, 0.0
	for i, v := range x {
		d := ulpDiff64(y[i], ref(v))
		if d > worst {
			worst, at = d, v
		}
		if d > maxUlp {
			t.Errorf("%s(%v) = %v, want %v (%.2f ulp > %g)", name, v, y[i], ref(v), d, maxUlp)
			return
		}
	}
	t.Logf("%s: worst %.3f ulp at x = %v over %d arguments", name, worst, at, len(x))
}

// TestNEONExpTanhAccuracy checks the vector elementary functions against
// the math package over the whole float64 range. The bounds: the kernels'
// own error is about 1 ulp (Horner on |r| ≤ ln2/2 with FMA, one scaling) and
// math.Exp/Tanh/Expm1 are themselves within 1 ulp, so 3 ulp is "a few".
func TestNEONExpTanhAccuracy(t *testing.T) {
	checkMath64(t, "exp", 0, math.Exp, 3, mathSweep(20000, -750, 715))
	neg := func(v float64) float64 { return math.Expm1(math.Min(v, 0)) }
	x := mathSweep(20000, -40, 1)
	checkMath64(t, "expm1", 1, func(v float64) float64 {
		if math.IsNaN(v) {
			return v
		}
		return neg(v)
	}, 3, x)
	checkMath64(t, "tanh", 2, math.Tanh, 3, mathSweep(20000, -25, 25))
}

// TestNEONActivationAccuracy checks the NEON activations, float32 and
// float64, against float64 math: float64 within 3 ulp, float32 within 2 ulp
// of the float64 value rounded.
func TestNEONActivationAccuracy(t *testing.T) {
	if err := SetLevel(NEON); err != nil {
		t.Fatal(err)
	}
	defer SetLevel(Best())
	sigmoid := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	for _, c := range []struct {
		act Activation
		ref func(float64) float64
		lo  float64
		hi  float64
	}{
		{Tanh, math.Tanh, -25, 25},
		{Sigmoid, sigmoid, -750, 750},
		{ELU, func(v float64) float64 {
			if v > 0 || math.IsNaN(v) {
				return v
			}
			return 0.7 * math.Expm1(v)
		}, -40, 2},
	} {
		x := mathSweep(8000, c.lo, c.hi)
		y := make([]float64, len(x))
		ActivationForward(c.act, 0.7, x, y)
		for i, v := range x {
			want := c.ref(v)
			if c.act == ELU && v <= 0 {
				// α·expm1 adds one rounding of the product.
				want = 0.7 * math.Expm1(v)
			}
			if d := ulpDiff64(y[i], want); d > 3 {
				t.Fatalf("f64 %s(%v) = %v, want %v (%.2f ulp)", c.act, v, y[i], want, d)
			}
		}
		x32 := make([]float32, len(x))
		for i, v := range x {
			x32[i] = float32(v)
		}
		y32 := make([]float32, len(x))
		ActivationForward(c.act, 0.7, x32, y32)
		for i, v := range x32 {
			want := c.ref(float64(v))
			if c.act == ELU && v <= 0 {
				want = float64(float32(0.7)) * math.Expm1(float64(v))
			}
			if d := ulpDiff32(y32[i], want); d > 2 {
				t.Fatalf("f32 %s(%v) = %v, want %v (%.2f ulp)", c.act, v, y32[i], float32(want), d)
			}
		}
	}
}

// TestNEONContrastAccuracy checks g of each contrast function against the
// float64 formula element by element (3 ulp f64, 2 ulp f32 of the float64
// value rounded), and the g' sums against a float64 sum of the float64 g'
// with the bound n·ε·Σ|g'| of the summation plus a few ulp per term.
func TestNEONContrastAccuracy(t *testing.T) {
	if err := SetLevel(NEON); err != nil {
		t.Fatal(err)
	}
	defer SetLevel(Best())
	r := rand.New(rand.NewPCG(3, 4))
	const alpha = 1.3
	refs := map[Contrast]func(v float64) (g, gp float64){
		LogCosh: func(v float64) (float64, float64) {
			th := math.Tanh(alpha * v)
			return th, alpha * (1 - th*th)
		},
		Exp: func(v float64) (float64, float64) {
			e := math.Exp(-v * v / 2)
			return v * e, (1 - v*v) * e
		},
		Cube: func(v float64) (float64, float64) { return v * v * v, 3 * v * v },
	}
	for _, f := range []Contrast{LogCosh, Exp, Cube} {
		for _, n := range []int{1, 3, 4, 7, 64, 255, 256, 1001} {
			x := make([]float64, n)
			for i := range x {
				switch r.IntN(4) {
				case 0:
					x[i] = r.NormFloat64()
				case 1:
					x[i] = r.NormFloat64() * 10
				case 2:
					x[i] = r.NormFloat64() * 1e-3
				default:
					x[i] = r.NormFloat64() * 40
				}
			}
			u := append([]float64(nil), x...)
			gp := []float64{0}
			contrast64(f, alpha, 1, n, u, n, gp)
			var want, abs float64
			for i, v := range x {
				g, d := refs[f](v)
				want += d
				abs += math.Abs(d)
				// cube is plain float64 arithmetic: exact match to ~1 ulp.
				if e := ulpDiff64(u[i], g); e > 3 {
					t.Fatalf("f64 %s g(%v) = %v, want %v (%.2f ulp)", f, v, u[i], g, e)
				}
			}
			eps := 0x1p-52
			if tol := float64(n+4) * eps * abs; math.Abs(gp[0]-want) > tol {
				t.Fatalf("f64 %s n=%d: Σg' = %v, want %v ± %g", f, n, gp[0], want, tol)
			}

			u32 := make([]float32, n)
			for i, v := range x {
				u32[i] = float32(v)
			}
			x32 := append([]float32(nil), u32...)
			gp32 := []float32{0}
			contrast32(f, float32(alpha), 1, n, u32, n, gp32)
			want, abs = 0, 0
			for i, v := range x32 {
				if f == Cube {
					// The reference computes cube in float32.
					g := v * v * v
					if u32[i] != g && !(g != g && u32[i] != u32[i]) {
						t.Fatalf("f32 cube g(%v) = %v, want %v", v, u32[i], g)
					}
					d := float64(3 * v * v)
					want += d
					abs += math.Abs(d)
					continue
				}
				g, d := refs[f](float64(v))
				if f == LogCosh {
					th := math.Tanh(float64(float32(alpha)) * float64(v))
					g, d = th, float64(float32(alpha))*(1-th*th)
				}
				want += d
				abs += math.Abs(d)
				if e := ulpDiff32(u32[i], g); e > 2 {
					t.Fatalf("f32 %s g(%v) = %v, want %v (%.2f ulp)", f, v, u32[i], float32(g), e)
				}
			}
			// Σg' is summed in float64 and rounded once to float32.
			if tol := float64(n+4)*eps*abs + 0x1p-24*math.Abs(want); math.Abs(float64(gp32[0])-want) > tol {
				t.Fatalf("f32 %s n=%d: Σg' = %v, want %v ± %g", f, n, gp32[0], want, tol)
			}
		}
	}
}
