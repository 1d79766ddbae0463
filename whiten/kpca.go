package whiten

import (
	"fmt"
	"math"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"gonum.org/v1/gonum/mat"
)

// KernelPCAOptions configures FitKernelPCA.
type KernelPCAOptions struct {
	Kernel Kernel
	// NComponents is the number of components; 0 keeps every eigenvalue
	// above the rank tolerance (scikit-learn's n_components=None, which
	// drops zero eigenvalues). More than n_samples is an error; more than
	// the number of positive eigenvalues is clipped with WarnRankClipped
	// (scikit-learn would return zero columns).
	NComponents int
	// FitInverseTransform learns the pre-image map by kernel ridge
	// regression (scikit-learn's fit_inverse_transform), with ridge Alpha.
	FitInverseTransform bool
	// Alpha is the ridge of the inverse transform; 0 means scikit-learn's
	// default 1.0.
	Alpha float64
	// Eigensolver for the dense solver (EigenAuto: top-k when k ≤ n/4).
	Eigensolver Eigensolver
	// Landmarks > 0 selects the Nyström solver with that many landmark
	// samples (see FitKernelPCA); 0 is the dense solver.
	Landmarks int
	// Seed chooses the Nyström landmarks (deterministically).
	Seed uint64
	// ShareX keeps a reference to the training data for Transform instead
	// of a copy (scikit-learn's copy_X=False): x must then not change while
	// the model is in use. The default copies, as copy_X=True does; for
	// the 500×27648 study matrix that copy (110 MB, freshly allocated, so
	// every page faults in) costs about as much as the rest of the fit.
	ShareX bool
}

// KernelPCA is a fitted kernel PCA with scikit-learn's attributes
// (KernelPCA with eigen_solver="dense").
type KernelPCA[T kernels.Float] struct {
	// Kernel is the kernel used, with Gamma resolved (1/NFeatures if 0).
	Kernel              Kernel
	NSamples, NFeatures int
	NComponents         int
	// Eigenvalues of the centered training kernel matrix, descending
	// (scikit-learn's eigenvalues_).
	Eigenvalues []float64
	// Eigenvectors is NSamples×NComponents, unit columns, the largest-
	// magnitude entry of each column positive (scikit-learn's
	// eigenvectors_ with its svd_flip convention).
	Eigenvectors *matrix.Dense[T]
	// Scores is the transform of the training data, Eigenvectors·diag(√λ).
	Scores *matrix.Dense[T]
	// Solver is "dense" or "nystrom"; Eigensolver the eigensolver used.
	Solver      string
	Eigensolver Eigensolver
	Warnings    []Warning
	// Landmarks are the Nyström landmark rows (nil for dense).
	Landmarks []int

	xfit      *matrix.Dense[T] // training data (nil when precomputed)
	colMeans  []float64        // column means of the training kernel
	allMean   float64
	alphas    *matrix.Dense[T] // n×k, eigenvectors/√λ: Transform's projection
	dual      *matrix.Dense[T] // n×p kernel ridge coefficients
	invKernel Kernel           // kernel of the inverse map, gamma resolved
	ny        *nystromMap[T]
	// gammaDefault records Gamma = 0 at fit time (Kernel holds it resolved).
	gammaDefault bool
}

// FitKernelPCA fits a kernel PCA to x (n_samples × n_features; for
// KernelPrecomputed, the n×n kernel matrix). The centered kernel matrix is
// formed in T and decomposed in float64.
//
// With Landmarks = m > 0 the Nyström solver is used instead: memory O(n·m),
// time O(n·m·p + n·m²). m landmark rows L are drawn without replacement
// (seeded), the kernel is approximated by K ≈ C·W⁺·Cᵀ with C = k(X, L),
// W = k(L, L), i.e. by the explicit features Φ = C·W^(−1/2), and a linear
// PCA of the centered Φ gives the eigenpairs. Transform of new data maps
// them through the same features. The inverse transform is not available
// there (its kernel ridge system is n×n). Accuracy: see nystrom.go.
func FitKernelPCA[T kernels.Float](x *matrix.Dense[T], opt KernelPCAOptions) (*KernelPCA[T], error) {
	return fitKernelPCA(x, opt, nil)
}

// FitKernelPCAGram is FitKernelPCA of g's data with the dense solver
// starting from its shared X·Xᵀ (every kernel but precomputed is a function
// of it); the result is identical.
func FitKernelPCAGram[T kernels.Float](g *Gram[T], opt KernelPCAOptions) (*KernelPCA[T], error) {
	return fitKernelPCA(g.x, opt, g.xxt)
}

func fitKernelPCA[T kernels.Float](x *matrix.Dense[T], opt KernelPCAOptions, xxt []float64) (*KernelPCA[T], error) {
	// Values are checked with the kernel matrix (kernelMatrixOf), except
	// where X is the kernel matrix or the Nyström solver's.
	if err := checkShape("kernel PCA input", x, 2); err != nil {
		return nil, err
	}
	if opt.Kernel.Kind == KernelPrecomputed || opt.Landmarks > 0 {
		if err := checkData("kernel PCA input", x, 2); err != nil {
			return nil, err
		}
	}
	if err := opt.Kernel.check(); err != nil {
		return nil, err
	}
	n := x.Rows
	if opt.NComponents < 0 || opt.NComponents > n {
		return nil, fmt.Errorf("whiten: %d components requested, kernel PCA of %d samples has at most %d", opt.NComponents, n, n)
	}
	if opt.Alpha < 0 || !finite(opt.Alpha) {
		return nil, fmt.Errorf("whiten: inverse-transform ridge alpha %g must be ≥ 0", opt.Alpha)
	}
	if opt.Alpha == 0 {
		opt.Alpha = 1
	}
	pre := opt.Kernel.Kind == KernelPrecomputed
	if pre && x.Cols != n {
		return nil, fmt.Errorf("whiten: precomputed kernel is %d×%d, not square", n, x.Cols)
	}
	if pre && opt.FitInverseTransform {
		return nil, fmt.Errorf("whiten: no inverse transform with a precomputed kernel")
	}
	if opt.Landmarks > 0 {
		return fitNystrom(x, opt)
	}
	if err := checkOrder("kernel matrix", n, "use the Nyström solver (Landmarks)"); err != nil {
		return nil, err
	}
	m := &KernelPCA[T]{NSamples: n, NFeatures: x.Cols, Kernel: opt.Kernel, Solver: "dense", gammaDefault: opt.Kernel.Gamma == 0}
	var kmat *matrix.Dense[T]
	if pre {
		kmat = x
		m.NFeatures = 0
	} else {
		m.Kernel.Gamma = opt.Kernel.gammaFor(x.Cols)
		var err error
		if kmat, err = kernelMatrixOf(m.Kernel, x, nil, "kernel PCA input", xxt); err != nil {
			return nil, err
		}
		m.xfit = x
		if !opt.ShareX {
			m.xfit = x.Clone()
		}
	}
	// Centering (scikit-learn's KernelCenterer), in float64.
	a := make([]float64, n*n)
	m.colMeans = make([]float64, n)
	for i := 0; i < n; i++ {
		for j, v := range kmat.Row(i) {
			a[i*n+j] = float64(v)
			m.colMeans[j] += float64(v)
		}
	}
	for j := range m.colMeans {
		m.colMeans[j] /= float64(n)
		m.allMean += m.colMeans[j]
	}
	m.allMean /= float64(n)
	// K is symmetric, so the row means are the column means.
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			a[i*n+j] += m.allMean - m.colMeans[i] - m.colMeans[j]
		}
	}
	// Exact symmetry for the eigensolver (a precomputed K may be off).
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			s := (a[i*n+j] + a[j*n+i]) / 2
			a[i*n+j], a[j*n+i] = s, s
		}
	}
	reduction := max(x.Cols, 1)
	vals, vecs, k, used, err := symEig(a, n, opt.Eigensolver, m.chooser(opt.NComponents, reduction))
	if err != nil {
		return nil, err
	}
	m.Eigensolver, m.NComponents = used, k
	m.Eigenvalues = append([]float64(nil), vals[:k]...)
	m.Eigenvectors = matrix.New[T](n, k)
	for i, v := range vecs {
		m.Eigenvectors.Data[i] = T(v)
	}
	flipLargestPositive(m.Eigenvectors)
	m.finish()
	if opt.FitInverseTransform {
		if err := m.fitInverse(x, opt.Alpha); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// chooser keeps want eigenpairs (0: all above the tolerance), clipped to the
// number of eigenvalues above the rank tolerance.
func (m *KernelPCA[T]) chooser(want, reduction int) func(vals []float64) (int, error) {
	return func(vals []float64) (int, error) {
		if len(vals) == 0 || vals[0] <= 0 {
			return 0, fmt.Errorf("whiten: centered %v kernel matrix has no positive eigenvalue", m.Kernel.Kind)
		}
		tol := rankTolerance[T](vals[0], reduction, len(vals))
		r := 0
		for r < len(vals) && vals[r] > tol {
			r++
		}
		if want == 0 {
			if r < len(vals) {
				m.Warnings = append(m.Warnings, warnf(WarnZeroVariance, "whiten: %d of %d kernel eigenvalues are zero or negative and were dropped", len(vals)-r, len(vals)))
			}
			return r, nil
		}
		if want > r {
			m.Warnings = append(m.Warnings, warnf(WarnRankClipped, "whiten: %d components requested, centered kernel has %d positive eigenvalues: kept %d", want, r, r))
			return r, nil
		}
		return want, nil
	}
}

// flipLargestPositive makes the largest-magnitude entry (the first such) of
// each column positive: scikit-learn's svd_flip on eigenvectors_.
func flipLargestPositive[T kernels.Float](v *matrix.Dense[T]) {
	for j := 0; j < v.Cols; j++ {
		best, arg := -1.0, 0
		for i := 0; i < v.Rows; i++ {
			if a := math.Abs(float64(v.At(i, j))); a > best {
				best, arg = a, i
			}
		}
		if v.At(arg, j) < 0 {
			for i := 0; i < v.Rows; i++ {
				v.Set(i, j, -v.At(i, j))
			}
		}
	}
}

// finish derives Scores and the projection from eigenpairs.
func (m *KernelPCA[T]) finish() {
	n, k := m.NSamples, m.NComponents
	m.Scores = matrix.New[T](n, k)
	m.alphas = matrix.New[T](n, k)
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			v := float64(m.Eigenvectors.At(i, j))
			m.Scores.Set(i, j, T(v*math.Sqrt(m.Eigenvalues[j])))
			m.alphas.Set(i, j, T(v/math.Sqrt(m.Eigenvalues[j])))
		}
	}
}

// fitInverse solves (k(Z, Z) + alpha·I)·dual = X for the training scores Z,
// by Cholesky in float64.
func (m *KernelPCA[T]) fitInverse(x *matrix.Dense[T], alpha float64) error {
	// scikit-learn evaluates the inverse map's kernel with the same
	// parameters; gamma=None then means 1/n_components there.
	m.invKernel = m.Kernel
	if m.gammaDefault {
		m.invKernel.Gamma = 1 / float64(m.NComponents)
	}
	kz, err := kernelMatrix(m.invKernel, m.Scores, nil)
	if err != nil {
		return err
	}
	n, p := m.NSamples, x.Cols
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			v := float64(kz.At(i, j))
			if i == j {
				v += alpha
			}
			a.SetSym(i, j, v)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(a) {
		return fmt.Errorf("whiten: inverse-transform kernel ridge system is not positive definite (alpha %g too small for the %v kernel)", alpha, m.Kernel.Kind)
	}
	b := mat.NewDense(n, p, nil)
	for i := 0; i < n; i++ {
		for j, v := range x.Row(i) {
			b.Set(i, j, float64(v))
		}
	}
	var sol mat.Dense
	if err := ch.SolveTo(&sol, b); err != nil {
		return fmt.Errorf("whiten: inverse-transform kernel ridge: %w", err)
	}
	m.dual = matrix.New[T](n, p)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			m.dual.Set(i, j, T(sol.At(i, j)))
		}
	}
	return nil
}

// Transform projects new samples (rows; NFeatures columns, or for a
// precomputed kernel the m×NSamples kernel values against the training
// samples) on the components: centered k(x, X_fit)·Eigenvectors/√λ. The
// result is rows×NComponents.
func (m *KernelPCA[T]) Transform(x *matrix.Dense[T]) (*matrix.Dense[T], error) {
	if err := checkData("kernel PCA Transform input", x, 1); err != nil {
		return nil, err
	}
	if m.ny != nil {
		return m.ny.transform(x)
	}
	var kn *matrix.Dense[T]
	if m.xfit == nil {
		if x.Cols != m.NSamples {
			return nil, fmt.Errorf("whiten: precomputed kernel Transform input has %d columns, want %d (training samples)", x.Cols, m.NSamples)
		}
		kn = x.Clone()
	} else {
		if x.Cols != m.NFeatures {
			return nil, fmt.Errorf("whiten: kernel PCA fitted on %d features, Transform input has %d", m.NFeatures, x.Cols)
		}
		var err error
		if kn, err = kernelMatrix(m.Kernel, x, m.xfit); err != nil {
			return nil, err
		}
	}
	r, n := kn.Rows, m.NSamples
	for i := 0; i < r; i++ {
		row := kn.Row(i)
		var s float64
		for _, v := range row {
			s += float64(v)
		}
		rm := s / float64(n)
		for j := range row {
			row[j] = T(float64(row[j]) - m.colMeans[j] - rm + m.allMean)
		}
	}
	out := matrix.New[T](r, m.NComponents)
	kernels.Gemm(kernels.NoTrans, kernels.NoTrans, r, m.NComponents, n, 1, kn.Data, kn.Stride, m.alphas.Data, m.alphas.Stride, 0, out.Data, out.Stride)
	return out, nil
}

// InverseTransform maps scores (rows×NComponents) back to feature space by
// the kernel ridge pre-image map learned at fit time: k(y, Scores)·dual.
// Like scikit-learn's, it does not restore the mean the centered kernel
// discarded. It needs FitInverseTransform.
func (m *KernelPCA[T]) InverseTransform(y *matrix.Dense[T]) (*matrix.Dense[T], error) {
	if m.dual == nil {
		return nil, fmt.Errorf("whiten: kernel PCA was fitted without FitInverseTransform")
	}
	if err := checkData("kernel PCA InverseTransform input", y, 1); err != nil {
		return nil, err
	}
	if y.Cols != m.NComponents {
		return nil, fmt.Errorf("whiten: kernel PCA has %d components, InverseTransform input has %d columns", m.NComponents, y.Cols)
	}
	ky, err := kernelMatrix(m.invKernel, y, m.Scores)
	if err != nil {
		return nil, err
	}
	out := matrix.New[T](y.Rows, m.dual.Cols)
	kernels.Gemm(kernels.NoTrans, kernels.NoTrans, y.Rows, m.dual.Cols, m.NSamples, 1, ky.Data, ky.Stride, m.dual.Data, m.dual.Stride, 0, out.Data, out.Stride)
	return out, nil
}
