package whiten

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

func hasWarning(ws []Warning, c WarningCode) bool {
	for _, w := range ws {
		if w.Code == c {
			return true
		}
	}
	return false
}

func allFinite[T kernels.Float](t *testing.T, name string, m *matrix.Dense[T]) {
	t.Helper()
	if err := m.CheckFinite(); err != nil {
		t.Errorf("%s: %v", name, err)
	}
}

// checkWhite verifies that White's rows are centered, unit-variance (1/n)
// and uncorrelated: White·Whiteᵀ/n = I.
func checkWhite(t *testing.T, name string, w *ICAWhitening[float64], tol float64) {
	t.Helper()
	k, n := w.White.Rows, w.White.Cols
	for a := 0; a < k; a++ {
		for b := 0; b <= a; b++ {
			s := kernels.Dot(w.White.Row(a), w.White.Row(b)) / float64(n)
			if a == b {
				s--
			}
			if math.Abs(s) > tol {
				t.Errorf("%s: (White·Whiteᵀ/n − I)[%d,%d] = %.3g", name, a, b, s)
			}
		}
	}
}

// constantFirstColumn returns n×p data whose column 0 is the constant c (plus
// eps·noise if eps ≠ 0) and whose other columns are full rank.
func constantFirstColumn(n, p int, c, eps float64) *matrix.Dense[float64] {
	x := offsetData[float64](11, n, p, 1)
	rng := rand.New(rand.NewPCG(5, 5))
	for i := 0; i < n; i++ {
		x.Set(i, 0, c+eps*rng.NormFloat64())
	}
	return x
}

// scikit-learn's rule u *= sign(u[0]) zeroes or randomises the whitening
// directions when the first feature is constant; ForICA must stay full rank
// and deterministic, and a 1e-9 perturbation of that column must not move it.
func TestForICAConstantFirstColumn(t *testing.T) {
	n, p := 400, 8
	x0 := constantFirstColumn(n, p, 0.25, 0)
	x1 := constantFirstColumn(n, p, 0.25, 1e-9)
	for _, solver := range []Solver{SolverCovariance, SolverGram} {
		w0, err := ForICA(x0, ICAOptions{NComponents: p - 1, Solver: solver})
		if err != nil {
			t.Fatal(err)
		}
		w1, err := ForICA(x1, ICAOptions{NComponents: p - 1, Solver: solver})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []*ICAWhitening[float64]{w0, w1} {
			if w.NComponents != p-1 || w.Rank != p-1 {
				t.Fatalf("%v: %d components, rank %d", solver, w.NComponents, w.Rank)
			}
			allFinite(t, "K", w.K)
			allFinite(t, "White", w.White)
			checkWhite(t, solver.String(), w, 1e-12)
			if !hasWarning(w.Warnings, WarnSignFallback) {
				t.Errorf("%v: no sign-fallback warning", solver)
			}
		}
		// Same directions and signs: the perturbation changes K by about
		// 1e-9 relative at most.
		compareMat(t, solver.String()+" K perturbed", w1.K, w0.K, 1e-7)
		// Asking for all p directions clips to the rank, with warnings.
		wa, err := ForICA(x0, ICAOptions{Solver: solver})
		if err != nil {
			t.Fatal(err)
		}
		if wa.NComponents != p-1 || !hasWarning(wa.Warnings, WarnRankClipped) || !hasWarning(wa.Warnings, WarnZeroVariance) {
			t.Errorf("%v: all components: k=%d warnings %v", solver, wa.NComponents, wa.Warnings)
		}
		checkWhite(t, "clipped", wa, 1e-12)
	}
}

func TestRankDeficientPCA(t *testing.T) {
	n, p := 60, 6
	x := offsetData[float64](13, n, p, 2)
	// Column 3 duplicates column 1, column 5 is constant: rank 4.
	for i := 0; i < n; i++ {
		x.Set(i, 3, x.At(i, 1))
		x.Set(i, 5, 7)
	}
	// Duplicated rows change nothing about the rank.
	for i := 0; i < 10; i++ {
		copy(x.Row(n-1-i), x.Row(i))
	}
	for _, solver := range []Solver{SolverCovariance, SolverGram} {
		for _, whiten := range []bool{false, true} {
			m, err := FitPCA(x, PCAOptions{NComponents: 6, Whiten: whiten, Solver: solver})
			if err != nil {
				t.Fatal(err)
			}
			if m.NComponents != 4 || m.Rank != 4 || !hasWarning(m.Warnings, WarnRankClipped) {
				t.Fatalf("%v: k=%d rank=%d warnings %v", solver, m.NComponents, m.Rank, m.Warnings)
			}
			y, err := m.Transform(x)
			if err != nil {
				t.Fatal(err)
			}
			allFinite(t, "scores", y)
			back, _ := m.InverseTransform(y)
			// Rank 4 kept 4: reconstruction exact to rounding.
			compareMat(t, "reconstruction", back, x, 1e-12)
			mAll, err := FitPCA(x, PCAOptions{Whiten: whiten, Solver: solver})
			if err != nil {
				t.Fatal(err)
			}
			if mAll.NComponents != 4 || !hasWarning(mAll.Warnings, WarnZeroVariance) {
				t.Errorf("default components: k=%d warnings %v", mAll.NComponents, mAll.Warnings)
			}
		}
	}
}

func TestBadInput(t *testing.T) {
	good := offsetData[float64](1, 20, 5, 0)
	nan := good.Clone()
	nan.Set(3, 2, math.NaN())
	inf := good.Clone()
	inf.Set(0, 0, math.Inf(-1))
	constant := matrix.New[float64](10, 3)
	huge := good.Clone()
	for i := range huge.Data {
		huge.Data[i] = 1e200 * float64(i%7)
	}
	cases := []struct {
		name string
		x    *matrix.Dense[float64]
		opt  PCAOptions
		want string
	}{
		{"nil", nil, PCAOptions{}, "nil"},
		{"empty", matrix.New[float64](0, 0), PCAOptions{}, "need at least 2 samples"},
		{"one sample", matrix.New[float64](1, 4), PCAOptions{}, "need at least 2 samples"},
		{"nan", nan, PCAOptions{}, "NaN"},
		{"inf", inf, PCAOptions{}, "Inf"},
		{"too many", good, PCAOptions{NComponents: 6}, "6 components requested, data (20×5) has at most 5"},
		{"negative", good, PCAOptions{NComponents: -1}, "-1 components"},
		{"fraction", good, PCAOptions{Variance: 1.5}, "not in (0, 1)"},
		{"both", good, PCAOptions{Variance: 0.5, NComponents: 2}, "both"},
		{"constant", constant, PCAOptions{}, "zero variance"},
		{"overflow", huge, PCAOptions{}, "overflows"},
		{"bad storage", &matrix.Dense[float64]{Rows: 3, Cols: 3, Stride: 3, Data: make([]float64, 5)}, PCAOptions{}, "inconsistent storage"},
	}
	for _, c := range cases {
		_, err := FitPCA(c.x, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
		if c.opt.NComponents >= 0 && c.opt.Variance == 0 {
			_, err = ForICA(c.x, ICAOptions{NComponents: c.opt.NComponents})
			if err == nil {
				t.Errorf("%s: ForICA accepted it", c.name)
			}
		}
	}
	wide := matrix.New[float64](3, 30000)
	for i := range wide.Data {
		wide.Data[i] = float64(i % 11)
	}
	if _, err := FitPCA(wide, PCAOptions{Solver: SolverCovariance}); err == nil || !strings.Contains(err.Error(), "30000×30000") {
		t.Errorf("huge covariance: %v", err)
	}
	m, _ := FitPCA(good, PCAOptions{NComponents: 2})
	if _, err := m.Transform(matrix.New[float64](3, 4)); err == nil || !strings.Contains(err.Error(), "4") {
		t.Errorf("Transform with wrong width: %v", err)
	}
	if _, err := m.InverseTransform(matrix.New[float64](3, 3)); err == nil {
		t.Errorf("InverseTransform with wrong width accepted")
	}
	if _, err := m.Transform(nan); err == nil {
		t.Errorf("Transform of NaN accepted")
	}
	if _, err := FitPCAStream(SliceBlocks(nan, 4), PCAOptions{}); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("stream NaN: %v", err)
	}
	if _, err := FitPCAStream(SliceBlocks(matrix.New[float64](1, 3), 4), PCAOptions{}); err == nil {
		t.Errorf("stream of one sample accepted")
	}
}

// Results must not depend on kernels.SetThreads.
func TestThreadDeterminism(t *testing.T) {
	defer kernels.SetThreads(0)
	xt := offsetData[float64](21, 250, 40, 3)  // covariance route
	xw := offsetData[float32](22, 60, 3000, 3) // Gram route, several column blocks
	var ref []any
	for i, threads := range []int{1, 2, 3, 8} {
		kernels.SetThreads(threads)
		a, sa, err := FitTransform(xt, PCAOptions{NComponents: 10, Whiten: true})
		if err != nil {
			t.Fatal(err)
		}
		b, sb, err := FitTransform(xw, PCAOptions{NComponents: 10})
		if err != nil {
			t.Fatal(err)
		}
		w, err := ForICA(xt, ICAOptions{NComponents: 8, Solver: SolverGram})
		if err != nil {
			t.Fatal(err)
		}
		kp, err := FitKernelPCA(xw, KernelPCAOptions{Kernel: NewKernel(KernelRBF), NComponents: 5, FitInverseTransform: true})
		if err != nil {
			t.Fatal(err)
		}
		back, err := kp.InverseTransform(kp.Scores)
		if err != nil {
			t.Fatal(err)
		}
		st, err := FitPCAStream(SliceBlocks(xt, 64), PCAOptions{NComponents: 6})
		if err != nil {
			t.Fatal(err)
		}
		got := []any{a.Components.Data, sa.Data, b.Components.Data, sb.Data, w.K.Data, w.White.Data,
			kp.Scores.Data, back.Data, st.Components.Data}
		if i == 0 {
			ref = got
			continue
		}
		for j := range got {
			if !bitEqual(got[j], ref[j]) {
				t.Errorf("threads=%d: result %d differs from threads=1", threads, j)
			}
		}
	}
}

func bitEqual(a, b any) bool {
	switch x := a.(type) {
	case []float64:
		y := b.([]float64)
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return len(x) == len(y)
	case []float32:
		y := b.([]float32)
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
		return len(x) == len(y)
	}
	return false
}
