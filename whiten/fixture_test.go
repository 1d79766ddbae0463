package whiten

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"codeberg.org/sbinet/npyio"
	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// Fixtures come from testdata/gen_fixtures.py (scikit-learn 1.2.1).

func loadVec(t testing.TB, c, field string) []float64 {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", c+"__"+field+".npy"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var v []float64
	if err := npyio.Read(f, &v); err != nil {
		t.Fatalf("%s__%s: %v", c, field, err)
	}
	return v
}

func loadMat(t testing.TB, c, field string) *matrix.Dense[float64] {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", c+"__"+field+".npy"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	shape := r.Header.Descr.Shape
	var v []float64
	if err := r.Read(&v); err != nil {
		t.Fatal(err)
	}
	rows, cols := 1, len(v)
	switch len(shape) {
	case 2:
		rows, cols = shape[0], shape[1]
	case 1:
		rows, cols = 1, shape[0]
	}
	m, err := matrix.FromSlice(rows, cols, v)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// maxAbs returns max |x|.
func maxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// compareMat checks |got−want| ≤ tol·max|want| elementwise.
func compareMat[T kernels.Float](t *testing.T, name string, got *matrix.Dense[T], want *matrix.Dense[float64], tol float64) {
	t.Helper()
	if got.Rows != want.Rows || got.Cols != want.Cols {
		t.Fatalf("%s: shape %d×%d, want %d×%d", name, got.Rows, got.Cols, want.Rows, want.Cols)
	}
	scale := maxAbs(want.Data)
	worst, wi, wj := 0.0, 0, 0
	for i := 0; i < want.Rows; i++ {
		for j := 0; j < want.Cols; j++ {
			d := math.Abs(float64(got.At(i, j)) - want.At(i, j))
			if !(d <= worst) {
				worst, wi, wj = d, i, j
			}
		}
	}
	if !(worst <= tol*scale) {
		t.Errorf("%s: max error %.3g at (%d,%d) (got %v want %v), tolerance %.3g·%.3g", name, worst, wi, wj,
			float64(got.At(wi, wj)), want.At(wi, wj), tol, scale)
	}
}

func compareVec(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", name, len(got), len(want))
	}
	scale := maxAbs(want)
	for i := range want {
		if d := math.Abs(got[i] - want[i]); !(d <= tol*scale) {
			t.Errorf("%s[%d] = %v, want %v (tolerance %.3g·%.3g)", name, i, got[i], want[i], tol, scale)
		}
	}
}

// eigTol is the eigenvector tolerance a backward-stable eigensolver on an
// order-N problem with eigenvalues vals (descending) gives for the first k
// vectors: c·N·ε·λ₁/gap, gap the smallest relative separation of the kept
// eigenvalues from their neighbours; eps is the unit roundoff of the data
// type (the second-moment matrix is formed in it), m the reduction length.
func eigTol(vals []float64, k, N, m int, eps float64) float64 {
	gap := math.Inf(1)
	for j := 0; j < k && j+1 < len(vals); j++ {
		gap = math.Min(gap, (vals[j]-vals[j+1])/vals[0])
		if j > 0 {
			gap = math.Min(gap, (vals[j-1]-vals[j])/vals[0])
		}
	}
	return 10 * (float64(N)*0x1p-53 + math.Sqrt(float64(m))*eps) / gap
}

func asT[T kernels.Float](m *matrix.Dense[float64]) *matrix.Dense[T] { return matrix.Convert[T](m) }

func TestPCAFixtures(t *testing.T) {
	for _, c := range []string{"pca_tall", "pca_wide"} {
		t.Run(c+"/f64", func(t *testing.T) { testPCAFixture[float64](t, c, 0x1p-53) })
		t.Run(c+"/f32", func(t *testing.T) { testPCAFixture[float32](t, c, 0x1p-24) })
	}
}

func testPCAFixture[T kernels.Float](t *testing.T, c string, eps float64) {
	x := asT[T](loadMat(t, c, "X"))
	xnew := asT[T](loadMat(t, c, "Xnew"))
	k := int(loadVec(t, c, "n_components")[0])
	ev := loadVec(t, c, "explained_variance")
	n, p := x.Dims()
	wantSolver := SolverCovariance
	if p > n {
		wantSolver = SolverGram
	}
	// The fixtures keep only k eigenvalues; the gap after the k-th uses the
	// noise variance as its neighbour.
	vals := append(append([]float64(nil), ev...), loadVec(t, c, "noise_variance")[0])
	tol := eigTol(vals, k, min(n, p), max(n, p), eps)
	for _, method := range []Eigensolver{EigenFull, EigenTopK, EigenAuto} {
		for _, whiten := range []bool{false, true} {
			m, err := FitPCA(x, PCAOptions{NComponents: k, Whiten: whiten, Eigensolver: method})
			if err != nil {
				t.Fatal(err)
			}
			if m.Solver != wantSolver {
				t.Errorf("solver %v, want %v", m.Solver, wantSolver)
			}
			if len(m.Warnings) != 0 {
				t.Errorf("unexpected warnings %v", m.Warnings)
			}
			tag := "nw"
			if whiten {
				tag = "w"
			}
			compareMat(t, "components", m.Components, loadMat(t, c, "components"), tol)
			compareVec(t, "explained_variance", m.ExplainedVariance, ev, tol)
			compareVec(t, "explained_variance_ratio", m.ExplainedVarianceRatio, loadVec(t, c, "explained_variance_ratio"), tol)
			compareVec(t, "singular_values", m.SingularValues, loadVec(t, c, "singular_values"), tol)
			compareVec(t, "noise_variance", []float64{m.NoiseVariance}, loadVec(t, c, "noise_variance"), tol)
			mean := make([]float64, p)
			for j, v := range m.Mean {
				mean[j] = float64(v)
			}
			compareVec(t, "mean", mean, loadVec(t, c, "mean"), 10*eps*float64(n))
			y, err := m.Transform(xnew)
			if err != nil {
				t.Fatal(err)
			}
			compareMat(t, "transform_"+tag, y, loadMat(t, c, "transform_"+tag), tol)
			back, err := m.InverseTransform(y)
			if err != nil {
				t.Fatal(err)
			}
			compareMat(t, "inverse_"+tag, back, loadMat(t, c, "inverse_"+tag), tol)
			_, s, err := FitTransform(x, PCAOptions{NComponents: k, Whiten: whiten, Eigensolver: method})
			if err != nil {
				t.Fatal(err)
			}
			compareMat(t, "fit_transform_"+tag, s, loadMat(t, c, "fit_transform_"+tag), tol)
		}
	}
}

func TestPCAVarianceFraction(t *testing.T) {
	x := loadMat(t, "pca_frac", "X")
	m, err := FitPCA(x, PCAOptions{Variance: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	if want := int(loadVec(t, "pca_frac", "n_components")[0]); m.NComponents != want {
		t.Fatalf("kept %d components for 90%% variance, scikit-learn keeps %d", m.NComponents, want)
	}
	ev := loadVec(t, "pca_frac", "all_explained_variance")
	compareMat(t, "components", m.Components, loadMat(t, "pca_frac", "components"), eigTol(ev, m.NComponents, x.Cols, x.Rows, 0x1p-53))
}

func TestICAWhiteningFixtures(t *testing.T) {
	for _, c := range []struct {
		name   string
		solver Solver
		k      int
	}{{"ica_tall_eigh", SolverCovariance, 4}, {"ica_tall_svd", SolverGram, 4}, {"ica_wide_svd", SolverGram, 5}, {"ica_wide_svd", SolverAuto, 5}} {
		for _, method := range []Eigensolver{EigenFull, EigenTopK} {
			x := loadMat(t, c.name, "X")
			w, err := ForICA(x, ICAOptions{NComponents: c.k, Solver: c.solver, Eigensolver: method})
			if err != nil {
				t.Fatal(err)
			}
			if len(w.Warnings) != 0 {
				t.Errorf("%s: unexpected warnings %v", c.name, w.Warnings)
			}
			sv := loadVec(t, c.name, "singular_values")
			vals := make([]float64, len(sv))
			for i, s := range sv {
				vals[i] = s * s
			}
			n, p := x.Dims()
			// K = diag(1/σ)·Vᵀ: the eigenvector error plus the relative
			// error of σ_k, amplified by σ₁/σ_k in K's scale.
			tol := eigTol(vals, c.k, min(n, p), max(n, p), 0x1p-53) * sv[0] / sv[c.k-1]
			compareMat(t, c.name+"/K", w.K, loadMat(t, c.name, "whitening"), tol)
			compareMat(t, c.name+"/white", w.White, loadMat(t, c.name, "white"), tol)
			applied, err := w.Apply(x)
			if err != nil {
				t.Fatal(err)
			}
			compareMat(t, c.name+"/Apply", applied, loadMat(t, c.name, "white"), tol)
			mean := make([]float64, len(w.Mean))
			copy(mean, w.Mean)
			compareVec(t, c.name+"/mean", mean, loadVec(t, c.name, "mean"), 1e-13)
		}
	}
}
