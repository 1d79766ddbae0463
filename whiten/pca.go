package whiten

import (
	"fmt"
	"math"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// PCAOptions configures FitPCA. The zero value keeps every component with
// nonzero variance, unwhitened, with the solvers chosen automatically.
type PCAOptions struct {
	// NComponents is the number of components to keep (scikit-learn's
	// integer n_components). 0 with Variance 0 keeps all components of
	// nonzero variance. More than min(n_samples, n_features) is an error;
	// more than the numerical rank is clipped to it with a WarnRankClipped
	// warning.
	NComponents int
	// Variance, when in (0, 1), keeps the smallest number of components
	// whose explained-variance ratios sum to more than Variance
	// (scikit-learn's float n_components, same rule). Exclusive with
	// NComponents.
	Variance float64
	// Whiten scales the scores to unit variance (scikit-learn's whiten=True).
	Whiten bool
	// Solver picks the decomposed matrix; SolverAuto takes the smaller one.
	Solver Solver
	// Eigensolver picks the eigensolver; EigenAuto uses the top-k path when
	// few components are kept.
	Eigensolver Eigensolver
}

// PCA is a fitted principal component analysis with scikit-learn's
// attributes and conventions (PCA with svd_solver="full", svd_flip signs).
type PCA[T kernels.Float] struct {
	NSamples, NFeatures int
	NComponents         int // k, the number of rows of Components
	// Components is k×NFeatures, row-major; row j is the j-th principal
	// axis (unit norm), sorted by decreasing explained variance.
	Components *matrix.Dense[T]
	// ExplainedVariance[j] = σⱼ²/(n−1), the variance along component j.
	ExplainedVariance []float64
	// ExplainedVarianceRatio[j] = σⱼ²/‖Xc‖_F², the fraction of total variance.
	ExplainedVarianceRatio []float64
	// SingularValues[j] = σⱼ, the singular values of the centered data.
	SingularValues []float64
	// Mean is the per-feature mean (length NFeatures) subtracted by Transform.
	Mean []T
	// NoiseVariance is the mean variance of the discarded directions among
	// the min(n, p) of the data (scikit-learn's noise_variance_); 0 if none.
	NoiseVariance float64
	// TotalVariance is ‖Xc‖_F²/(n−1), the sum of all feature variances.
	TotalVariance float64
	// Rank is the numerical rank of the centered data.
	Rank   int
	Whiten bool
	// Solver and Eigensolver say what the fit used.
	Solver      Solver
	Eigensolver Eigensolver
	// Warnings lists what the fit handled silently in other libraries.
	Warnings []Warning

	// scores is the transform of the training data, kept from the fit.
	scores *matrix.Dense[T]
}

// FitPCA fits a PCA to x (n_samples × n_features, n_samples ≥ 2).
func FitPCA[T kernels.Float](x *matrix.Dense[T], opt PCAOptions) (*PCA[T], error) {
	return fitPCA(x, opt, nil)
}

// FitPCAGram is FitPCA of g's data starting from its shared X·Xᵀ where the
// Gram solver is used (more features than samples, or SolverGram); the
// result is identical.
func FitPCAGram[T kernels.Float](g *Gram[T], opt PCAOptions) (*PCA[T], error) {
	return fitPCA(g.x, opt, g)
}

func fitPCA[T kernels.Float](x *matrix.Dense[T], opt PCAOptions, g *Gram[T]) (*PCA[T], error) {
	if err := checkShape("PCA input", x, 2); err != nil {
		return nil, err
	}
	if err := opt.check(x.Rows, x.Cols); err != nil {
		return nil, err
	}
	f, err := factorize("PCA input", x, opt.Solver, opt.Eigensolver, opt.chooser(x.Rows, x.Cols), true, g, false)
	if err != nil {
		return nil, err
	}
	svdFlip(f.scores, f.comps)
	return newPCA(f, opt.Whiten), nil
}

func (opt PCAOptions) check(n, p int) error {
	lim := min(n, p)
	switch {
	case opt.NComponents < 0:
		return fmt.Errorf("whiten: %d components requested", opt.NComponents)
	case opt.NComponents > lim:
		return fmt.Errorf("whiten: %d components requested, data (%d×%d) has at most %d", opt.NComponents, n, p, lim)
	case opt.Variance != 0 && opt.NComponents != 0:
		return fmt.Errorf("whiten: both NComponents (%d) and Variance (%g) set", opt.NComponents, opt.Variance)
	case math.IsNaN(opt.Variance) || opt.Variance < 0 || opt.Variance >= 1:
		return fmt.Errorf("whiten: variance fraction %g is not in (0, 1)", opt.Variance)
	}
	return nil
}

// chooser implements NComponents / Variance selection with rank clipping.
func (opt PCAOptions) chooser(n, p int) chooser {
	return func(vals []float64, rank int) (int, []Warning, error) {
		var warns []Warning
		switch {
		case opt.Variance > 0:
			var total, cum float64
			for _, v := range vals {
				total += math.Max(v, 0)
			}
			k := 0
			for k < len(vals) {
				cum += math.Max(vals[k], 0)
				k++
				if cum/total > opt.Variance {
					break
				}
			}
			if k > rank {
				warns = append(warns, warnf(WarnRankClipped, "whiten: variance %g needs %d components, data has rank %d: kept %d", opt.Variance, k, rank, rank))
				k = rank
			}
			return k, warns, nil
		case opt.NComponents > 0:
			if opt.NComponents > rank {
				warns = append(warns, warnf(WarnRankClipped, "whiten: %d components requested, data (%d×%d) has rank %d: kept %d", opt.NComponents, n, p, rank, rank))
				return rank, warns, nil
			}
			return opt.NComponents, nil, nil
		}
		if rank < min(n, p) {
			warns = append(warns, warnf(WarnZeroVariance, "whiten: %d of %d directions have zero variance and were dropped", min(n, p)-rank, min(n, p)))
		}
		return rank, warns, nil
	}
}

func newPCA[T kernels.Float](f *factor[T], whiten bool) *PCA[T] {
	n, p, k := f.n, f.p, f.k
	m := &PCA[T]{NSamples: n, NFeatures: p, NComponents: k, Components: f.comps, Mean: f.mean,
		Rank: f.rank, Whiten: whiten, Solver: f.solver, Eigensolver: f.eig, Warnings: f.warnings,
		TotalVariance: f.trace / float64(n-1)}
	var kept float64
	for j := 0; j < k; j++ {
		v := f.vals[j]
		kept += v
		m.ExplainedVariance = append(m.ExplainedVariance, v/float64(n-1))
		m.ExplainedVarianceRatio = append(m.ExplainedVarianceRatio, v/f.trace)
		m.SingularValues = append(m.SingularValues, math.Sqrt(v))
	}
	if rest := min(n, p) - k; rest > 0 {
		m.NoiseVariance = math.Max(f.trace-kept, 0) / float64(n-1) / float64(rest)
	}
	if f.scores != nil {
		// scores hold U; the transform of the training data is U·diag(σ),
		// or U·√(n−1) when whitened.
		s := make([]float64, k)
		for j := range s {
			if whiten {
				s[j] = 1 / math.Sqrt(float64(n-1))
			} else {
				s[j] = 1 / m.SingularValues[j]
			}
		}
		scaleCols(f.scores, s)
		m.scores = f.scores
	}
	return m
}

// FitTransform is FitPCA followed by Transform of x, with the scores taken
// from the decomposition (U·diag(σ)) rather than recomputed.
func FitTransform[T kernels.Float](x *matrix.Dense[T], opt PCAOptions) (*PCA[T], *matrix.Dense[T], error) {
	m, err := FitPCA(x, opt)
	return takeScores(m, err)
}

// FitTransformGram is FitTransform of g's data starting from its shared
// X·Xᵀ; the result is identical.
func FitTransformGram[T kernels.Float](g *Gram[T], opt PCAOptions) (*PCA[T], *matrix.Dense[T], error) {
	m, err := FitPCAGram(g, opt)
	return takeScores(m, err)
}

func takeScores[T kernels.Float](m *PCA[T], err error) (*PCA[T], *matrix.Dense[T], error) {
	if err != nil {
		return nil, nil, err
	}
	s := m.scores
	m.scores = nil
	return m, s, nil
}

// Transform projects x (rows = samples, NFeatures columns) on the
// components: (x − Mean)·Componentsᵀ, divided by √ExplainedVariance when
// whitening. The result is n×NComponents.
func (m *PCA[T]) Transform(x *matrix.Dense[T]) (*matrix.Dense[T], error) {
	if err := checkData("PCA Transform input", x, 1); err != nil {
		return nil, err
	}
	if x.Cols != m.NFeatures {
		return nil, fmt.Errorf("whiten: PCA fitted on %d features, Transform input has %d", m.NFeatures, x.Cols)
	}
	out := project(x, m.Mean, m.Components)
	if m.Whiten {
		s := make([]float64, m.NComponents)
		for j := range s {
			s[j] = math.Sqrt(m.ExplainedVariance[j])
		}
		scaleCols(out, s)
	}
	return out, nil
}

// InverseTransform maps scores y (n×NComponents) back to feature space:
// y·Components + Mean (y scaled by √ExplainedVariance first when
// whitening). The result is n×NFeatures.
func (m *PCA[T]) InverseTransform(y *matrix.Dense[T]) (*matrix.Dense[T], error) {
	if err := checkData("PCA InverseTransform input", y, 1); err != nil {
		return nil, err
	}
	if y.Cols != m.NComponents {
		return nil, fmt.Errorf("whiten: PCA has %d components, InverseTransform input has %d columns", m.NComponents, y.Cols)
	}
	n, k, p := y.Rows, m.NComponents, m.NFeatures
	ys := y.Clone()
	if m.Whiten {
		s := make([]T, k)
		for j := range s {
			s[j] = T(math.Sqrt(m.ExplainedVariance[j]))
		}
		for i := 0; i < n; i++ {
			kernels.Mul(ys.Row(i), ys.Row(i), s)
		}
	}
	out := matrix.New[T](n, p)
	kernels.Gemm(kernels.NoTrans, kernels.NoTrans, n, p, k, 1, ys.Data, k, m.Components.Data, m.Components.Stride, 0, out.Data, p)
	for i := 0; i < n; i++ {
		kernels.Axpy(1, m.Mean, out.Row(i))
	}
	return out, nil
}
