package fastica

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/metrics"
)

// mixture returns n samples of k independent sources drawn by draw, mixed
// by a random p×k matrix A (x = s·Aᵀ + offset), and A.
func mixture(seed uint64, n, k, p int, draw func(*rand.Rand) float64) (x, s, a *matrix.Dense[float64]) {
	rng := rand.New(rand.NewPCG(seed, 7))
	s = matrix.New[float64](n, k)
	for i := range s.Data {
		s.Data[i] = draw(rng)
	}
	a = matrix.New[float64](p, k)
	for i := range a.Data {
		a.Data[i] = rng.NormFloat64()
	}
	x = matrix.New[float64](n, p)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			v := 2.5 * float64(j) // offset: the fit must center
			for l := 0; l < k; l++ {
				v += s.At(i, l) * a.At(j, l)
			}
			x.Set(i, j, v)
		}
	}
	return x, s, a
}

func laplace(r *rand.Rand) float64 { return r.ExpFloat64() - r.ExpFloat64() }
func uniform(r *rand.Rand) float64 { return 2*r.Float64() - 1 }

func amari(t *testing.T, m *Model, a *matrix.Dense[float64]) float64 {
	t.Helper()
	p, err := metrics.Gain(m.Components, a)
	if err != nil {
		t.Fatal(err)
	}
	d, err := metrics.Amari(p)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestKnownMixtures: Laplace (super-Gaussian) and uniform (sub-Gaussian)
// sources mixed by random matrices are recovered with a normalised Amari
// index below 0.02 by every algorithm and contrast that applies (exp is a
// super-Gaussian contrast: not used on uniform sources).
func TestKnownMixtures(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 8000
	}
	for _, src := range []struct {
		name string
		draw func(*rand.Rand) float64
		funs []kernels.Contrast
	}{
		{"laplace", laplace, []kernels.Contrast{kernels.LogCosh, kernels.Exp, kernels.Cube}},
		{"uniform", uniform, []kernels.Contrast{kernels.LogCosh, kernels.Cube}},
	} {
		x, _, a := mixture(11, n, 5, 5, src.draw)
		for _, alg := range []Algorithm{Parallel, Deflation} {
			for _, f := range src.funs {
				m, _, err := Fit(x, Options{Algorithm: alg, Fun: f, Seed: 3})
				if err != nil {
					t.Fatal(err)
				}
				d := amari(t, m, a)
				t.Logf("%s %v %v: Amari %.4f, %d iterations", src.name, alg, f, d, m.NIter)
				if d >= 0.02 || !m.Converged {
					t.Errorf("%s %v %v: Amari %.4f (converged %v)", src.name, alg, f, d, m.Converged)
				}
			}
		}
	}
}

// TestFloat32 runs the step in float32: the unmixing found must be the
// float64 one to within what float32 data allows, and both separate.
func TestFloat32(t *testing.T) {
	x, _, a := mixture(12, 10000, 4, 4, laplace)
	m64, s64, err := Fit(x, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	m32, s32, err := Fit(matrix.Convert[float32](x), Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := amari(t, m32, a); d >= 0.02 {
		t.Errorf("float32: Amari %.4f", d)
	}
	if m32.NIter != m64.NIter {
		t.Logf("iterations: float32 %d, float64 %d", m32.NIter, m64.NIter)
	}
	// Both start from the same W and stop at tol 1e-4. If float32 rounding
	// made them stop at different iterations, the unmixings would differ by
	// about one update, O(tol); otherwise only by rounding (observed ~1e-7).
	e := relErr(matrix.Convert[float64](s32), s64)
	t.Logf("float32 vs float64 sources: relative difference %.2g", e)
	if e > 1e-4 {
		t.Errorf("float32 sources differ from float64 by %.3g", e)
	}
}

// TestFloat32Wide: with more features than samples (the Gram route) float32
// input is whitened in float64 too.
func TestFloat32Wide(t *testing.T) {
	x, _, _ := mixture(22, 60, 4, 90, laplace)
	_, s64, err := Fit(x, Options{Components: 4, Seed: 1, Tol: 1e-8})
	if err != nil {
		t.Fatal(err)
	}
	m32, s32, err := Fit(matrix.Convert[float32](x), Options{Components: 4, Seed: 1, Tol: 1e-8})
	if err != nil {
		t.Fatal(err)
	}
	if m32.WhitenSolver != "gram" {
		t.Errorf("solver %q, want gram", m32.WhitenSolver)
	}
	e := relErr(matrix.Convert[float64](s32), s64)
	t.Logf("wide float32 vs float64 sources: relative difference %.2g", e)
	if e > 1e-4 { // as in TestFloat32
		t.Errorf("float32 sources differ from float64 by %.3g", e)
	}
}

// TestBitIdentical: repeated fits and different kernel thread counts give
// bit-identical results at a given kernel level, for both element types.
func TestBitIdentical(t *testing.T) {
	x, _, _ := mixture(13, 30000, 5, 6, laplace)
	defer kernels.SetThreads(0)
	bitIdentical(t, x)
	bitIdentical(t, matrix.Convert[float32](x))
}

func bitIdentical[T kernels.Float](t *testing.T, x *matrix.Dense[T]) {
	t.Helper()
	for _, alg := range []Algorithm{Parallel, Deflation} {
		var ref *matrix.Dense[T]
		var refM *Model
		for _, th := range []int{1, 2, 3, 8, 1} {
			kernels.SetThreads(th)
			m, s, err := Fit(x, Options{Algorithm: alg, Seed: 5, Components: 4})
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref, refM = s, m
				continue
			}
			for i := range s.Data {
				if s.Data[i] != ref.Data[i] {
					t.Fatalf("%T %v threads=%d: source element %d differs: %v vs %v", s.Data[0], alg, th, i, s.Data[i], ref.Data[i])
				}
			}
			for i := range m.Mixing.Data {
				if m.Mixing.Data[i] != refM.Mixing.Data[i] {
					t.Fatalf("%T %v threads=%d: mixing differs", s.Data[0], alg, th)
				}
			}
			if m.NIter != refM.NIter {
				t.Fatalf("%T %v threads=%d: %d iterations vs %d", s.Data[0], alg, th, m.NIter, refM.NIter)
			}
		}
	}
}

// TestIterationAllocations: an iteration of fastica's loop allocates
// nothing beyond what its step kernel itself allocates (measured here on
// the same shapes and reported), on whitened data X1 (kernels.ICAStep) and
// on the samples in place (kernels.ICAStepRows).
func TestIterationAllocations(t *testing.T) {
	x, _, _ := mixture(14, 4096, 4, 4, laplace)
	for _, mode := range []string{"x1", "rows"} {
		for _, th := range []int{1, 2} {
			kernels.SetThreads(th)
			ro, _ := Options{}.resolve()
			k, n := 4, x.Rows
			var it *iterator[float64]
			var step float64
			if mode == "x1" {
				xt := x.T()
				it = newIterator(ro, k, n, xt.Data, nil)
				step = testing.AllocsPerRun(20, func() {
					kernels.ICAStep(kernels.LogCosh, 1, k, k, n, it.wt, k, it.x, n, it.out, k, nil)
				})
			} else {
				kw := make([]float64, k*k)
				for i := 0; i < k; i++ {
					kw[i*k+i] = 1
				}
				rd := &rowsData[float64]{x: x.Data, ldx: x.Stride, p: k, mu: make([]float64, k), kw: kw}
				it = newIterator(ro, k, n, nil, rd)
				step = testing.AllocsPerRun(20, func() {
					kernels.ICAStepRows(kernels.LogCosh, 1, k, k, n, it.mt, k, rd.x, rd.ldx, rd.mu, it.outp, k, it.gp)
				})
			}
			w := make([]float64, k*k)
			for i := 0; i < k; i++ {
				w[i*k+i] = 1
			}
			copy(it.w, w)
			par := testing.AllocsPerRun(20, func() { copy(it.w, w); it.parallelIteration() })
			cur := make([]float64, k)
			def := testing.AllocsPerRun(20, func() { copy(cur, w[:k]); it.deflationIteration(2, cur) })
			t.Logf("%s threads=%d: allocations per call: step kernel %v, parallel iteration %v, deflation iteration %v", mode, th, step, par, def)
			if par > step || def > step {
				t.Errorf("%s threads=%d: iteration allocates beyond the step kernel: parallel %v, deflation %v, kernel %v", mode, th, par, def, step)
			}
		}
	}
	kernels.SetThreads(0)
}

// TestNotConverged: hitting max_iter is reported as data.
func TestNotConverged(t *testing.T) {
	x, _, _ := mixture(15, 2000, 3, 3, laplace)
	for _, alg := range []Algorithm{Parallel, Deflation} {
		m, s, err := Fit(x, Options{Algorithm: alg, MaxIter: 2, Tol: 1e-12, Seed: 2})
		if err != nil || s == nil {
			t.Fatal(err)
		}
		if m.Converged || m.NIter != 2 || len(m.Warnings) == 0 || !strings.Contains(m.Warnings[len(m.Warnings)-1], "did not converge") {
			t.Errorf("%v: converged %v, n_iter %d, warnings %v", alg, m.Converged, m.NIter, m.Warnings)
		}
		if alg == Parallel && len(m.Trace) != 2 {
			t.Errorf("trace %v", m.Trace)
		}
		if alg == Deflation {
			for j, tr := range m.ComponentTraces {
				if len(tr) != 2 || m.ComponentIters[j] != 2 {
					t.Errorf("component %d trace %v", j, tr)
				}
			}
		}
	}
	// A converged parallel run's trace ends below tol and stays above before.
	m, _, _ := Fit(x, Options{Seed: 2})
	tr := m.Trace
	if !m.Converged || len(tr) != m.NIter || tr[len(tr)-1] >= DefaultTol {
		t.Errorf("trace %v (n_iter %d)", tr, m.NIter)
	}
	for _, v := range tr[:len(tr)-1] {
		if v < DefaultTol {
			t.Errorf("trace %v: stopped late", tr)
		}
	}
}

func TestBadInput(t *testing.T) {
	good, _, _ := mixture(16, 100, 3, 3, laplace)
	nan := good.Clone()
	nan.Set(5, 1, math.NaN())
	inf := good.Clone()
	inf.Set(7, 0, math.Inf(-1))
	cases := []struct {
		name string
		x    *matrix.Dense[float64]
		opt  Options
		want string
	}{
		{"nil", nil, Options{}, "nil"},
		{"one sample", matrix.New[float64](1, 3), Options{}, "at least 2"},
		{"no features", matrix.New[float64](5, 0), Options{}, "no features"},
		{"NaN", nan, Options{}, "NaN"},
		{"Inf", inf, Options{}, "Inf"},
		{"too many components", good, Options{Components: 4}, "4 components"},
		{"rank", rankDeficient(), Options{Components: 3}, "rank 2"},
		{"alpha", good, Options{Alpha: 3}, "alpha"},
		{"tol", good, Options{Tol: -1}, "tol"},
		{"max_iter", good, Options{MaxIter: -3}, "max_iter"},
		{"algorithm", good, Options{Algorithm: 7}, "algorithm"},
		{"contrast", good, Options{Fun: 9}, "contrast"},
		{"w_init shape", good, Options{WInit: matrix.New[float64](2, 2)}, "w_init"},
		{"components without whitening", good, Options{Whiten: NoWhitening, Components: 2}, "without whitening"},
		{"constant data", matrix.New[float64](10, 3), Options{}, "zero variance"},
	}
	for _, c := range cases {
		_, _, err := Fit(c.x, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	m, _, _ := Fit(good, Options{Seed: 1})
	if _, err := Transform(m, matrix.New[float64](4, 2)); err == nil {
		t.Error("Transform with wrong width: no error")
	}
	if _, err := InverseTransform(m, matrix.New[float64](4, 5)); err == nil {
		t.Error("InverseTransform with wrong width: no error")
	}
}

// rankDeficient is 3 features of which the third is the sum of the others.
func rankDeficient() *matrix.Dense[float64] {
	x, _, _ := mixture(17, 200, 2, 2, laplace)
	y := matrix.New[float64](200, 3)
	for i := 0; i < 200; i++ {
		y.Set(i, 0, x.At(i, 0))
		y.Set(i, 1, x.At(i, 1))
		y.Set(i, 2, x.At(i, 0)+x.At(i, 1))
	}
	return y
}

// TestInverseTransform: with k = p, inverse_transform(transform(X)) = X.
func TestInverseTransform(t *testing.T) {
	x, _, _ := mixture(18, 3000, 4, 4, uniform)
	for _, wh := range []Whitening{UnitVariance, ArbitraryVariance} {
		m, s, err := Fit(x, Options{Whiten: wh, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		back, err := InverseTransform(m, s)
		if err != nil {
			t.Fatal(err)
		}
		if e := relErr(back, x); e > 1e-12 {
			t.Errorf("%v: round trip error %.3g", wh, e)
		}
	}
}

// TestCanonical: fits from different random starts find the components in
// different orders and signs; with canonical ordering and signs they agree.
func TestCanonical(t *testing.T) {
	x, _, _ := mixture(19, 20000, 4, 4, laplace)
	for _, order := range []Order{OrderKurtosis, OrderVariance} {
		var ref *matrix.Dense[float64]
		for seed := uint64(1); seed <= 4; seed++ {
			m, s, err := Fit(x, Options{Seed: seed, Order: order, FixSign: true, Tol: 1e-8})
			if err != nil {
				t.Fatal(err)
			}
			for j := 0; j < m.NComponents; j++ {
				big, v := 0.0, 0.0
				for i := 0; i < m.Mixing.Rows; i++ {
					if a := math.Abs(m.Mixing.At(i, j)); a > big {
						big, v = a, m.Mixing.At(i, j)
					}
				}
				if v < 0 {
					t.Errorf("%v seed %d: component %d's largest loading is negative", order, seed, j)
				}
			}
			// The identities survive reordering.
			s2, _ := Transform(m, x)
			if e := relErr(s2, s); e > 1e-10 {
				t.Errorf("%v: Transform disagrees with sources after reordering (%.3g)", order, e)
			}
			if ref == nil {
				ref = s
				continue
			}
			if e := relErr(s, ref); e > 1e-4 {
				t.Errorf("%v seed %d: canonical sources differ from seed 1's by %.3g", order, seed, e)
			}
		}
	}
}

// TestCustomContrast: a user function computing logcosh's g and g' gives
// the built-in logcosh result to rounding.
func TestCustomContrast(t *testing.T) {
	x, _, _ := mixture(20, 5000, 3, 3, laplace)
	for _, alg := range []Algorithm{Parallel, Deflation} {
		want, ws, err := Fit(x, Options{Algorithm: alg, Seed: 6, Tol: 1e-8})
		if err != nil {
			t.Fatal(err)
		}
		got, gs, err := Fit(x, Options{Algorithm: alg, Seed: 6, Tol: 1e-8, Custom: func(u float64) (float64, float64) {
			th := math.Tanh(u)
			return th, 1 - th*th
		}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Contrast != "custom" || got.NIter != want.NIter {
			t.Errorf("%v: contrast %q, %d iterations vs %d", alg, got.Contrast, got.NIter, want.NIter)
		}
		if e := relErr(gs, ws); e > 1e-9 {
			t.Errorf("%v: custom logcosh differs from built-in by %.3g", alg, e)
		}
	}
}

// TestConstantFirstFeature: scikit-learn's whitening sign rule breaks when
// the first feature is constant (a 1e-9 perturbation of it scrambles its
// components); deepica's results must not move.
func TestConstantFirstFeature(t *testing.T) {
	x0, _, a := mixture(21, 5000, 4, 4, laplace)
	x := matrix.New[float64](x0.Rows, 5)
	for i := 0; i < x.Rows; i++ {
		x.Set(i, 0, 3)
		copy(x.Row(i)[1:], x0.Row(i))
	}
	xp := x.Clone()
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < xp.Rows; i++ {
		xp.Set(i, 0, 3+1e-9*rng.NormFloat64())
	}
	w0 := matrix.New[float64](4, 4)
	for i := range w0.Data {
		w0.Data[i] = rng.NormFloat64()
	}
	m, s, err := Fit(x, Options{Components: 4, WInit: w0})
	if err != nil {
		t.Fatal(err)
	}
	mp, sp, err := Fit(xp, Options{Components: 4, WInit: w0})
	if err != nil {
		t.Fatal(err)
	}
	match, err := metrics.MatchCorrelation(sp, s)
	if err != nil {
		t.Fatal(err)
	}
	for j, c := range match.AbsCorr {
		if c < 0.9999 || match.Est[j] != j {
			t.Errorf("component %d: |corr| with the unperturbed fit %.6f (matched to %d)", j, c, match.Est[j])
		}
	}
	// and the separation itself is right (first feature carries nothing)
	a5 := matrix.New[float64](5, 4)
	for i := 0; i < 4; i++ {
		copy(a5.Row(i+1), a.Row(i))
	}
	if d := amari(t, m, a5); d >= 0.02 {
		t.Errorf("Amari %.4f", d)
	}
	for _, mm := range []*Model{m, mp} {
		if !strings.Contains(strings.Join(mm.Warnings, "; "), "sign") {
			t.Errorf("no sign-fallback warning: %v", mm.Warnings)
		}
	}
}
