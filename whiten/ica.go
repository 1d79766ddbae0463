package whiten

import (
	"fmt"
	"math"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// DefaultSignTolerance is the |u[0]|/max|u| ratio below which ForICA's sign
// rule falls back from u[0] to the largest-magnitude entry. A loading that
// small is within reach of a 1e-9 perturbation of a (nearly) constant first
// feature, so its sign is not a property of the data.
const DefaultSignTolerance = 1e-6

// ICAOptions configures ForICA.
type ICAOptions struct {
	// NComponents is the number of whitened components k. 0 keeps
	// min(n_samples, n_features). More than min(n_samples, n_features) is
	// an error; more than the numerical rank is clipped to the rank with
	// WarnRankClipped (zero-variance directions are never whitened).
	NComponents int
	// Solver picks the decomposed matrix (SolverCovariance is scikit-learn's
	// whiten_solver="eigh", SolverGram its "svd"); SolverAuto takes the
	// smaller one.
	Solver      Solver
	Eigensolver Eigensolver
	// SignTolerance overrides DefaultSignTolerance when > 0.
	SignTolerance float64
	// NoWhiteData skips computing White (saves a k·p·n product on the
	// covariance route; the Gram route gets it for free).
	NoWhiteData bool
}

// ICAWhitening is the whitening step of scikit-learn's FastICA (1.2,
// whiten="unit-variance" or "arbitrary-variance", which whiten identically).
// With Xc = X − 1·Meanᵀ = U·diag(σ)·Vᵀ:
//
//	K     = diag(1/σ)·Vᵀ[:k]        (k×p, scikit-learn's whitening_)
//	White = √n · K · Xcᵀ = √n·Uᵀ    (k×n, scikit-learn's X1)
//
// White's rows have zero mean, unit variance (normalised by n, ddof 0) and
// are uncorrelated. To whiten new samples x (rows): √n·K·(x − Mean)ᵀ.
//
// Signs follow scikit-learn's u *= sign(u[0]) on each column vⱼ of V (so K
// and White match scikit-learn up to rounding where that rule is well
// defined), except that when |vⱼ[0]| < SignTolerance·max|vⱼ| the sign of
// vⱼ's largest-magnitude entry (the first such) decides; SignFallback
// records where. scikit-learn instead zeroes the direction (sign 0) or takes
// the sign of rounding noise.
type ICAWhitening[T kernels.Float] struct {
	NSamples, NFeatures, NComponents int
	Mean                             []T              // length NFeatures
	K                                *matrix.Dense[T] // NComponents×NFeatures
	// SingularValues are σ₁ ≥ … ≥ σ_k of Xc (scikit-learn's d), not divided
	// by anything.
	SingularValues []float64
	// White is √n·K·Xcᵀ (NComponents×NSamples), nil with NoWhiteData.
	White *matrix.Dense[T]
	// WhiteGram is White·Whiteᵀ (NComponents², float64), accumulated block
	// by block while White is computed from float64 data on the covariance
	// route (the blocks are still in cache, so the product does not read
	// White again); nil otherwise. FastICA's unit-variance scaling needs it.
	WhiteGram []float64
	// Scale is √NSamples, the factor between K·Xcᵀ and White.
	Scale float64
	// SignFallback[j] is true where component j's sign came from its
	// largest entry instead of its first.
	SignFallback []bool
	Rank         int
	Solver       Solver
	Eigensolver  Eigensolver
	Warnings     []Warning
}

// ForICA computes FastICA's whitening of x (n_samples × n_features, at least
// 2 samples).
func ForICA[T kernels.Float](x *matrix.Dense[T], opt ICAOptions) (*ICAWhitening[T], error) {
	return forICA(x, opt, nil)
}

// ForICAGram is ForICA of g's data starting from its shared X·Xᵀ where the
// Gram solver is used; the result is identical.
func ForICAGram[T kernels.Float](g *Gram[T], opt ICAOptions) (*ICAWhitening[T], error) {
	return forICA(g.x, opt, g.xxt)
}

func forICA[T kernels.Float](x *matrix.Dense[T], opt ICAOptions, xxt []T) (*ICAWhitening[T], error) {
	if err := checkShape("ICA input", x, 2); err != nil {
		return nil, err
	}
	n, p := x.Rows, x.Cols
	lim := min(n, p)
	if opt.NComponents < 0 || opt.NComponents > lim {
		return nil, fmt.Errorf("whiten: %d components requested, data (%d×%d) has at most %d", opt.NComponents, n, p, lim)
	}
	tol := opt.SignTolerance
	if tol <= 0 || math.IsNaN(tol) {
		tol = DefaultSignTolerance
	}
	want := opt.NComponents
	if want == 0 {
		want = lim
	}
	wantU := !opt.NoWhiteData
	solver := opt.Solver
	if solver == SolverAuto {
		solver = SolverCovariance
		if p > n {
			solver = SolverGram
		}
	}
	// The Gram route has U (hence White) for free; the covariance route
	// computes White with one product after the fit.
	f, err := factorize("ICA input", x, solver, opt.Eigensolver, icaChooser(want, n, p), wantU && solver == SolverGram, xxt)
	if err != nil {
		return nil, err
	}
	w := newICAWhitening(f, tol)
	if wantU && f.scores != nil {
		w.White = f.scores.T()
		kernels.Scale(T(w.Scale), w.White.Data)
	} else if wantU {
		var g []T
		if _, is64 := any(x).(*matrix.Dense[float64]); is64 {
			g = make([]T, w.NComponents*w.NComponents)
		}
		w.White = w.apply(x, g)
		if g != nil {
			w.WhiteGram = widen(g)
		}
	}
	return w, nil
}

// icaChooser keeps want components, clipped to the rank with warnings.
func icaChooser(want, n, p int) chooser {
	return func(vals []float64, rank int) (int, []Warning, error) {
		if want > rank {
			return rank, []Warning{
				warnf(WarnRankClipped, "whiten: %d components requested, data (%d×%d) has rank %d: whitened %d", want, n, p, rank, rank),
				warnf(WarnZeroVariance, "whiten: %d directions have zero variance and were not whitened", want-rank),
			}, nil
		}
		return want, nil, nil
	}
}

// newICAWhitening applies the sign rule to f's components (and scores, if
// present) and builds K = diag(1/σ)·Vᵀ.
func newICAWhitening[T kernels.Float](f *factor[T], tol float64) *ICAWhitening[T] {
	n, p, k := f.n, f.p, f.k
	w := &ICAWhitening[T]{NSamples: n, NFeatures: p, NComponents: k, Mean: f.mean, K: f.comps,
		Scale: math.Sqrt(float64(n)), SignFallback: make([]bool, k), Rank: f.rank,
		Solver: f.solver, Eigensolver: f.eig, Warnings: f.warnings}
	var fallbacks int
	for j := 0; j < k; j++ {
		v := f.comps.Row(j)
		big, arg := 0.0, 0
		for i, e := range v {
			if a := math.Abs(float64(e)); a > big {
				big, arg = a, i
			}
		}
		s := v[0]
		if math.Abs(float64(v[0])) < tol*big {
			s = v[arg]
			w.SignFallback[j] = true
			fallbacks++
		}
		if s < 0 {
			kernels.Scale(-1, v)
			if f.scores != nil {
				for i := 0; i < n; i++ {
					f.scores.Data[i*k+j] = -f.scores.Data[i*k+j]
				}
			}
		}
	}
	w.SingularValues = f.sigma()
	if fallbacks > 0 {
		w.Warnings = append(w.Warnings, warnf(WarnSignFallback, "whiten: sign(u[0]) ill-defined for %d of %d components (first feature nearly constant): largest entry used", fallbacks, k))
	}
	scaleRows(w.K, w.SingularValues)
	return w
}

// Apply whitens new samples: √n·K·(x − Mean)ᵀ, NComponents × rows of x,
// for x with NFeatures columns (the layout of White).
func (w *ICAWhitening[T]) Apply(x *matrix.Dense[T]) (*matrix.Dense[T], error) {
	if err := checkData("ICA whitening input", x, 1); err != nil {
		return nil, err
	}
	if x.Cols != w.NFeatures {
		return nil, fmt.Errorf("whiten: whitening fitted on %d features, input has %d", w.NFeatures, x.Cols)
	}
	return w.apply(x, nil), nil
}

// apply whitens x; with g not nil (k×k) it also accumulates White·Whiteᵀ
// into g over the blocks as they are produced.
func (w *ICAWhitening[T]) apply(x *matrix.Dense[T], g []T) *matrix.Dense[T] {
	if bias, ok := w.smallBias(); ok {
		return w.applyUncentered(x, bias, g)
	}
	return w.applyCentered(x, g)
}

// gramBlock adds the Gram of columns [r0, r1) of out (k×n) to g (the first
// block overwrites it).
func gramBlock[T kernels.Float](out *matrix.Dense[T], r0, r1 int, g []T) {
	if g == nil {
		return
	}
	var beta T
	if r0 > 0 {
		beta = 1
	}
	k := out.Rows
	kernels.Gram(kernels.NoTrans, k, r1-r0, 1, out.Data[r0:], out.Stride, beta, g, k)
}

// uncenteredBiasLimit bounds |√n·K·Mean| (per component) for which apply
// skips centring: White's entries are of order 1, so subtracting a bias of
// at most 1 after the product loses at most about one bit against centring
// first, while the centring copy of X costs a quarter of the whitening
// product's time (k = p = 40, n = 1e6).
const uncenteredBiasLimit = 1.0

// smallBias returns √n·K·Mean and whether every entry is within
// uncenteredBiasLimit.
func (w *ICAWhitening[T]) smallBias() ([]float64, bool) {
	k, p := w.NComponents, w.NFeatures
	bias := make([]float64, k)
	ok := true
	for i := 0; i < k; i++ {
		var s float64
		for j, v := range w.K.Row(i)[:p] {
			s += float64(v) * float64(w.Mean[j])
		}
		bias[i] = w.Scale * s
		ok = ok && math.Abs(bias[i]) <= uncenteredBiasLimit
	}
	return bias, ok
}

// applyCentered computes √n·K·(x − Mean)ᵀ over centred row blocks.
func (w *ICAWhitening[T]) applyCentered(x *matrix.Dense[T], g []T) *matrix.Dense[T] {
	n, p, k := x.Rows, x.Cols, w.NComponents
	out := matrix.New[T](k, n)
	buf := make([]T, min(rowBlock, n)*p)
	for r0 := 0; r0 < n; r0 += rowBlock {
		r1 := min(r0+rowBlock, n)
		centerRowsInto(x, w.Mean, r0, r1, buf)
		kernels.Gemm(kernels.NoTrans, kernels.Trans, k, r1-r0, p, T(w.Scale), w.K.Data, w.K.Stride, buf, p, 0, out.Data[r0:], n)
		gramBlock(out, r0, r1, g)
	}
	return out
}

// uncenteredBlock is the column block of applyUncentered: k×4096 float64
// outputs (1.3 MB at k = 40) stay in L2 for the bias subtraction.
const uncenteredBlock = 4096

// applyUncentered computes √n·K·xᵀ − bias·1ᵀ, reading x in place.
func (w *ICAWhitening[T]) applyUncentered(x *matrix.Dense[T], bias []float64, g []T) *matrix.Dense[T] {
	n, p, k := x.Rows, x.Cols, w.NComponents
	out := matrix.New[T](k, n)
	// seg − b as seg + (−b)·1 through the vector kernel: the same rounding
	// (one fused multiply-add by 1), a quarter of the scalar loop's time.
	ones := make([]T, min(uncenteredBlock, n))
	for j := range ones {
		ones[j] = 1
	}
	for r0 := 0; r0 < n; r0 += uncenteredBlock {
		r1 := min(r0+uncenteredBlock, n)
		kernels.Gemm(kernels.NoTrans, kernels.Trans, k, r1-r0, p, T(w.Scale), w.K.Data, w.K.Stride, x.Data[r0*x.Stride:], x.Stride, 0, out.Data[r0:], n)
		for i := 0; i < k; i++ {
			kernels.Axpy(-T(bias[i]), ones[:r1-r0], out.Data[i*n+r0:i*n+r1])
		}
		gramBlock(out, r0, r1, g)
	}
	return out
}
