package whiten

import (
	"math"
	"strings"
	"testing"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

func TestKernelPCAFixtures(t *testing.T) {
	cases := []struct {
		name   string
		kernel Kernel
	}{
		{"kpca_linear", NewKernel(KernelLinear)},
		{"kpca_poly", Kernel{Kind: KernelPoly, Degree: 3, Gamma: 0.3, Coef0: 1}},
		{"kpca_rbf_default", NewKernel(KernelRBF)},
		{"kpca_rbf", Kernel{Kind: KernelRBF, Gamma: 0.5}},
		{"kpca_sigmoid", Kernel{Kind: KernelSigmoid, Gamma: 0.05, Coef0: 0.2}},
		{"kpca_cosine", NewKernel(KernelCosine)},
		{"kpca_precomputed", NewKernel(KernelPrecomputed)},
	}
	for _, c := range cases {
		for _, method := range []Eigensolver{EigenFull, EigenTopK} {
			t.Run(c.name+"/"+method.String()+"/f64", func(t *testing.T) { testKPCAFixture[float64](t, c.name, c.kernel, method, 0x1p-53) })
		}
		t.Run(c.name+"/f32", func(t *testing.T) { testKPCAFixture[float32](t, c.name, c.kernel, EigenAuto, 0x1p-24) })
	}
}

func testKPCAFixture[T kernels.Float](t *testing.T, name string, kern Kernel, method Eigensolver, eps float64) {
	pre := kern.Kind == KernelPrecomputed
	xf, xnf := "X", "Xnew"
	if pre {
		xf, xnf = "Ktrain", "Knew"
	}
	x := asT[T](loadMat(t, name, xf))
	xnew := asT[T](loadMat(t, name, xnf))
	vals := loadVec(t, name, "eigenvalues")
	k := len(vals)
	m, err := FitKernelPCA(x, KernelPCAOptions{Kernel: kern, NComponents: k, FitInverseTransform: !pre, Alpha: 0.1, Eigensolver: method})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Warnings) != 0 {
		t.Errorf("warnings %v", m.Warnings)
	}
	// The fixtures hold k eigenvalues; take the gap below the last as its
	// distance to zero (conservative only if the next one is smaller).
	n := x.Rows
	tol := eigTol(append(append([]float64(nil), vals...), 0), k, n, 5, eps)
	compareVec(t, "eigenvalues", m.Eigenvalues, vals, tol)
	compareMat(t, "eigenvectors", m.Eigenvectors, loadMat(t, name, "eigenvectors"), tol)
	compareMat(t, "fit_transform", m.Scores, loadMat(t, name, "fit_transform"), tol)
	y, err := m.Transform(xnew)
	if err != nil {
		t.Fatal(err)
	}
	compareMat(t, "transform", y, loadMat(t, name, "transform"), tol)
	if !pre {
		back, err := m.InverseTransform(y)
		if err != nil {
			t.Fatal(err)
		}
		// The ridge solve (alpha 0.1) amplifies the scores' errors by at
		// most ‖(K+αI)⁻¹‖·‖K‖ ≤ (λmax(K)+α)/α.
		compareMat(t, "inverse", back, loadMat(t, name, "inverse"), tol*(float64(n)+0.1)/0.1)
	}
}

// With every sample a landmark the Nyström approximation is exact, so it
// must reproduce the dense solver.
func TestNystromAllLandmarksIsExact(t *testing.T) {
	x := loadMat(t, "kpca_rbf", "X")
	xnew := loadMat(t, "kpca_rbf", "Xnew")
	kern := Kernel{Kind: KernelRBF, Gamma: 0.5}
	dense, err := FitKernelPCA(x, KernelPCAOptions{Kernel: kern, NComponents: 4})
	if err != nil {
		t.Fatal(err)
	}
	ny, err := FitKernelPCA(x, KernelPCAOptions{Kernel: kern, NComponents: 4, Landmarks: x.Rows, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if ny.Solver != "nystrom" || len(ny.Landmarks) != x.Rows {
		t.Fatalf("solver %q, %d landmarks", ny.Solver, len(ny.Landmarks))
	}
	// W⁻¹ᐟ² of the (well-conditioned, rbf) 40×40 kernel: errors of order
	// cond(W)·ε; the smallest eigenvalue of this W is ~1e-6 of the largest.
	tol := 1e-6
	compareVec(t, "eigenvalues", ny.Eigenvalues, dense.Eigenvalues, tol)
	compareMat(t, "eigenvectors", ny.Eigenvectors, matrix.Convert[float64](dense.Eigenvectors), tol)
	y1, _ := dense.Transform(xnew)
	y2, err := ny.Transform(xnew)
	if err != nil {
		t.Fatal(err)
	}
	compareMat(t, "transform", y2, y1, tol)
}

// NystromAccuracy measures the Nyström solver against the dense one on a
// clustered rbf problem (the numbers documented in nystrom.go).
func nystromAccuracy(t testing.TB, n, landmarks int) (eigErr, minCorr float64) {
	x := offsetData[float64](31, n, 8, 0)
	kern := NewKernel(KernelRBF)
	dense, err := FitKernelPCA(x, KernelPCAOptions{Kernel: kern, NComponents: 5})
	if err != nil {
		t.Fatal(err)
	}
	ny, err := FitKernelPCA(x, KernelPCAOptions{Kernel: kern, NComponents: 5, Landmarks: landmarks, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	minCorr = 1
	for j := 0; j < 5; j++ {
		eigErr = math.Max(eigErr, math.Abs(ny.Eigenvalues[j]-dense.Eigenvalues[j])/dense.Eigenvalues[0])
		var s float64
		for i := 0; i < n; i++ {
			s += dense.Eigenvectors.At(i, j) * ny.Eigenvectors.At(i, j)
		}
		minCorr = math.Min(minCorr, math.Abs(s))
	}
	return eigErr, minCorr
}

func TestNystromAccuracy(t *testing.T) {
	n, ls := 600, []int{60, 150, 300}
	if testing.Short() {
		n, ls = 200, []int{20, 50, 100}
	}
	prevErr := math.Inf(1)
	for _, l := range ls {
		e, c := nystromAccuracy(t, n, l)
		t.Logf("n=%d landmarks=%d: max |Δλ|/λ₁ = %.2g, min |cos(v_dense, v_nystrom)| = %.6f", n, l, e, c)
		// Nyström converges to the dense answer as landmarks are added.
		if e > prevErr*1.01 {
			t.Errorf("landmarks=%d: eigenvalue error %.3g grew from %.3g", l, e, prevErr)
		}
		prevErr = e
	}
}

func TestKernelPCABadInput(t *testing.T) {
	x := loadMat(t, "kpca_rbf", "X")
	for _, c := range []struct {
		opt  KernelPCAOptions
		want string
	}{
		{KernelPCAOptions{Kernel: NewKernel(KernelRBF), NComponents: 41}, "41 components"},
		{KernelPCAOptions{Kernel: Kernel{Kind: KernelRBF, Gamma: -1}}, "gamma"},
		{KernelPCAOptions{Kernel: Kernel{Kind: KernelKind(9)}}, "unknown kernel"},
		{KernelPCAOptions{Kernel: NewKernel(KernelPrecomputed)}, "not square"},
		{KernelPCAOptions{Kernel: NewKernel(KernelRBF), Alpha: -1}, "alpha"},
		{KernelPCAOptions{Kernel: NewKernel(KernelRBF), Landmarks: 50}, "50 Nyström landmarks"},
		{KernelPCAOptions{Kernel: NewKernel(KernelRBF), Landmarks: 10, FitInverseTransform: true}, "inverse"},
		{KernelPCAOptions{Kernel: Kernel{Kind: KernelPoly, Degree: 3, Gamma: 1e120, Coef0: 1}}, "overflows"},
	} {
		_, err := FitKernelPCA(x, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.opt, err, c.want)
		}
	}
	m, _ := FitKernelPCA(x, KernelPCAOptions{Kernel: NewKernel(KernelRBF), NComponents: 3})
	if _, err := m.Transform(matrix.New[float64](2, 4)); err == nil {
		t.Error("Transform with wrong width accepted")
	}
	if _, err := m.InverseTransform(matrix.New[float64](2, 3)); err == nil {
		t.Error("InverseTransform without FitInverseTransform accepted")
	}
	if _, err := ParseKernel("laplacian"); err == nil {
		t.Error("unknown kernel name accepted")
	}
}

// ShareX only changes whether the model keeps x or a copy of it: the fit and
// the transform are the same bits either way, and the default (a copy, as
// scikit-learn's copy_X=True) is unaffected by later changes to x.
func TestKernelPCAShareX(t *testing.T) {
	x := loadMat(t, "kpca_rbf", "X")
	xnew := loadMat(t, "kpca_rbf", "Xnew")
	opt := KernelPCAOptions{Kernel: Kernel{Kind: KernelRBF, Gamma: 0.5}, NComponents: 3}
	copied, err := FitKernelPCA(x, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.ShareX = true
	shared, err := FitKernelPCA(x, opt)
	if err != nil {
		t.Fatal(err)
	}
	if shared.xfit != x || copied.xfit == x {
		t.Fatalf("ShareX: model keeps x %v, default keeps x %v; want true, false", shared.xfit == x, copied.xfit == x)
	}
	y0, err := copied.Transform(xnew)
	if err != nil {
		t.Fatal(err)
	}
	y1, err := shared.Transform(xnew)
	if err != nil {
		t.Fatal(err)
	}
	for i := range y0.Data {
		if y0.Data[i] != y1.Data[i] || shared.Scores.Data[i%len(shared.Scores.Data)] != copied.Scores.Data[i%len(copied.Scores.Data)] {
			t.Fatalf("ShareX changed the result at %d: %v vs %v", i, y1.Data[i], y0.Data[i])
		}
	}
	for i := range x.Data {
		x.Data[i] += 1
	}
	y2, err := copied.Transform(xnew)
	if err != nil {
		t.Fatal(err)
	}
	for i := range y0.Data {
		if y2.Data[i] != y0.Data[i] {
			t.Fatalf("the default model changed with its training data at %d", i)
		}
	}
}
