//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The accuracy sweep of the vectorised tanh and exp calls the assembly
// directly for every instruction set the CPU has (whatever level is
// selected), over a dense grid, log-spaced magnitudes from the smallest
// subnormal to the largest float, random bit patterns and the special
// values, and reports the largest error in ulp. Bounds: float64 within
// maxULP64 of math.Tanh / of x·math.Exp(−x²/2); float32 within 2 ulp of the
// float64 function rounded to float32.

const maxULP64 = 3 // documented in asm/ewkit/math.go

type ewISA struct {
	name string
	ok   func() bool
}

var ewISAs = []ewISA{{"avx2", hasAVX2}, {"avx512", hasAVX512}}

// sweepArgs returns the arguments of the accuracy sweep (float64 values;
// float32 sweeps round them).
func sweepArgs(lim float64, seed uint64) []float64 {
	var xs []float64
	for x := -lim; x <= lim; x += lim / 20000 {
		xs = append(xs, x)
	}
	for e := -1074.0; e <= 1023; e += 0.25 {
		v := math.Exp2(e)
		xs = append(xs, v, -v)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	for range 50000 {
		xs = append(xs, math.Float64frombits(r.Uint64()))
		xs = append(xs, (r.Float64()*2-1)*lim)
		xs = append(xs, (r.Float64()*2-1)*1e-3)
	}
	xs = append(xs, 0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64,
		0x1p-1022, -0x1p-1022, 18.7, 19.1, 20, 9, 9.01, 10, 38.6, 38.7, -38.6,
		0.005172403994947672) // 3 ulp at α = 1.5 before the α·u rounding was compensated (FuzzContrast)
	// Pad to a whole number of 16-lane vectors.
	for len(xs)%16 != 0 {
		xs = append(xs, 0.5)
	}
	return xs
}

func TestTanhAccuracy(t *testing.T) {
	xs := sweepArgs(25, 1)
	for _, is := range ewISAs {
		if !is.ok() {
			t.Logf("%s: not on this CPU, skipped", is.name)
			continue
		}
		t.Run(is.name, func(t *testing.T) {
			u := append([]float64(nil), xs...)
			if is.name == "avx512" {
				contrastTanhF64AVX512(1, u)
			} else {
				contrastTanhF64AVX2(1, u)
			}
			var worst uint64
			var at float64
			for i, x := range xs {
				d := ewULP(u[i], math.Tanh(x))
				if d > worst {
					worst, at = d, x
				}
			}
			t.Logf("tanh f64 %s: max %d ulp (at %g) over %d arguments", is.name, worst, at, len(xs))
			if worst > maxULP64 {
				t.Errorf("tanh f64 %s: %d ulp at %g (tanh %v, got %v)", is.name, worst, at, math.Tanh(at), u[slicesIndex(xs, at)])
			}
			for _, alpha := range []float32{1, 0.75, 1.5, 1.1} {
				u32 := make([]float32, len(xs))
				for i, x := range xs {
					u32[i] = float32(x)
				}
				in := append([]float32(nil), u32...)
				if is.name == "avx512" {
					contrastTanhF32AVX512(alpha, u32)
				} else {
					contrastTanhF32AVX2(alpha, u32)
				}
				var worst uint64
				var at float32
				for i, x := range in {
					d := ewULP(u32[i], float32(math.Tanh(float64(alpha)*float64(x))))
					if d > worst {
						worst, at = d, x
					}
				}
				t.Logf("tanh f32 %s α=%v: max %d ulp (at %g)", is.name, alpha, worst, at)
				if worst > 2 {
					t.Errorf("tanh f32 %s: %d ulp at %g", is.name, worst, at)
				}
			}
		})
	}
}

func slicesIndex(xs []float64, v float64) int {
	for i, x := range xs {
		if x == v || (x != x && v != v) {
			return i
		}
	}
	return 0
}

// TestExpContrastAccuracy checks g(x) = x·exp(−x²/2) of the Exp contrast,
// whose error is that of the vectorised exp plus one rounding.
func TestExpContrastAccuracy(t *testing.T) {
	xs := sweepArgs(40, 2)
	for _, is := range ewISAs {
		if !is.ok() {
			continue
		}
		t.Run(is.name, func(t *testing.T) {
			u := append([]float64(nil), xs...)
			if is.name == "avx512" {
				contrastExpF64AVX512(u)
			} else {
				contrastExpF64AVX2(u)
			}
			var worst uint64
			var at float64
			for i, x := range xs {
				want := x * math.Exp(-x*x/2)
				d := ewULP(u[i], want)
				if e := math.Exp(-x * x / 2); e < 0x1p-1022 && d > 0 {
					// exp(−x²/2) is subnormal: both sides round it to a
					// subnormal (math.Exp and the vectorised exp each within
					// one unit of 2⁻¹⁰⁷⁴), so the error bound of g is
					// absolute: |x|·2·2⁻¹⁰⁷⁴ plus the rounding of the product.
					if math.Abs(u[i]-want) <= math.Abs(x)*2*math.SmallestNonzeroFloat64+ulpOf(want) {
						d = 0
					}
				}
				if d > worst {
					worst, at = d, x
				}
			}
			t.Logf("x·exp(−x²/2) f64 %s: max %d ulp (at %g)", is.name, worst, at)
			if worst > maxULP64+1 {
				t.Errorf("exp contrast f64 %s: %d ulp at %g", is.name, worst, at)
			}
			u32 := make([]float32, len(xs))
			for i, x := range xs {
				u32[i] = float32(x)
			}
			in := append([]float32(nil), u32...)
			if is.name == "avx512" {
				contrastExpF32AVX512(u32)
			} else {
				contrastExpF32AVX2(u32)
			}
			worst = 0
			var at32 float32
			for i, x := range in {
				v := float64(x)
				d := ewULP(u32[i], float32(v*math.Exp(-v*v/2)))
				if d > worst {
					worst, at32 = d, x
				}
			}
			t.Logf("x·exp(−x²/2) f32 %s: max %d ulp (at %g)", is.name, worst, at32)
			if worst > 2 {
				t.Errorf("exp contrast f32 %s: %d ulp at %g", is.name, worst, at32)
			}
		})
	}
}

func ulpOf(v float64) float64 {
	v = math.Abs(v)
	return math.Nextafter(v, math.Inf(1)) - v
}

// TestContrastRowSums compares the row routines (g in place and Σg') with
// the reference over lengths covering several vectors, with NaN and
// infinities sprinkled in: g within the accuracy bounds above (cube exact),
// Σg' within len·eps·Σ|g'| (the reference sums in T too).
func TestContrastRowSums(t *testing.T) {
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
		// The dispatch helpers read Impl(); set it directly, since this
		// build may not list the level in Available() yet.
		current.Store(int32(lvl))
		for _, f := range []Contrast{LogCosh, Exp, Cube} {
			for n := 0; n <= 80; n += 16 {
				for _, special := range []bool{false, true} {
					checkContrastRow[float64](t, is.name, f, 1.25, n, special)
					checkContrastRow[float32](t, is.name, f, 0.75, n, special)
				}
			}
			checkContrastRow[float64](t, is.name, f, 1, 4096, false)
			checkContrastRow[float32](t, is.name, f, 1, 4096, false)
		}
	}
}

func checkContrastRow[T Float](t *testing.T, isa string, f Contrast, alpha T, n int, special bool) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(n), uint64(f)))
	u := make([]T, n)
	for i := range u {
		u[i] = T(r.NormFloat64() * 2)
		if special && r.IntN(8) == 0 {
			u[i] = []T{T(math.NaN()), T(math.Inf(1)), T(math.Inf(-1)), 0, T(math.Copysign(0, -1)), 1e30}[r.IntN(6)]
		}
	}
	want := append([]T(nil), u...)
	got := append([]T(nil), u...)
	var ws, gs [1]T
	contrastGeneric(f, alpha, 1, n, want, n, ws[:])
	var s T
	if is32[T]() {
		s = T(contrastRow32(f, float32(alpha), f32(got)))
	} else {
		s = T(contrastRow64(f, float64(alpha), f64(got)))
	}
	gs[0] = s
	bound := uint64(maxULP64)
	if is32[T]() {
		bound = 2
	}
	if f == Cube {
		bound = 0
	}
	var abs float64
	for i, x := range u {
		if d := ewULP(got[i], want[i]); d > bound {
			t.Errorf("%s %v %s n=%d: g(%v) = %v, reference %v (%d ulp)", isa, f, ewDtype[T](), n, x, got[i], want[i], d)
			return
		}
		v := float64(x)
		switch f {
		case LogCosh:
			th := math.Tanh(float64(alpha) * v)
			abs += math.Abs(float64(alpha) * (1 - th*th))
		case Exp:
			abs += math.Abs((1 - v*v) * math.Exp(-v*v/2))
		case Cube:
			abs += 3 * v * v
		}
	}
	if !ewClose(float64(gs[0]), float64(ws[0]), ewTol[T](n+2, abs)) {
		t.Errorf("%s %v %s n=%d: Σg' = %v, reference %v", isa, f, ewDtype[T](), n, gs[0], ws[0])
	}
}
