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
	// KeepScatter fills ICAWhitening.Scatter on the covariance route.
	KeepScatter bool
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
	// Scale is √NSamples, the factor between K·Xcᵀ and White.
	Scale float64
	// SignFallback[j] is true where component j's sign came from its
	// largest entry instead of its first.
	SignFallback []bool
	Rank         int
	Solver       Solver
	Eigensolver  Eigensolver
	Warnings     []Warning
	// Scatter is XcᵀXc (p×p, float64, the centred second moments the
	// covariance route decomposed) when ICAOptions.KeepScatter was set and
	// that route was used; nil otherwise. With it, White·Whiteᵀ =
	// n·K·Scatter·Kᵀ is known without forming White.
	Scatter []float64
}

// ForICA computes FastICA's whitening of x (n_samples × n_features, at least
// 2 samples).
func ForICA[T kernels.Float](x *matrix.Dense[T], opt ICAOptions) (*ICAWhitening[T], error) {
	return forICA(x, opt, nil)
}

// ForICAGram is ForICA of g's data starting from its shared X·Xᵀ where the
// Gram solver is used; the result is identical.
func ForICAGram[T kernels.Float](g *Gram[T], opt ICAOptions) (*ICAWhitening[T], error) {
	return forICA(g.x, opt, g)
}

func forICA[T kernels.Float](x *matrix.Dense[T], opt ICAOptions, g *Gram[T]) (*ICAWhitening[T], error) {
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
	f, err := factorize("ICA input", x, solver, opt.Eigensolver, icaChooser(want, n, p), wantU && solver == SolverGram, g, opt.KeepScatter)
	if err != nil {
		return nil, err
	}
	w := newICAWhitening(f, tol)
	if wantU && f.scores != nil {
		w.White = f.scores.T()
		kernels.Scale(T(w.Scale), w.White.Data)
	} else if wantU {
		w.White = w.apply(x)
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
	w.Scatter = f.scatter
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
	return w.apply(x), nil
}

func (w *ICAWhitening[T]) apply(x *matrix.Dense[T]) *matrix.Dense[T] {
	if bias, ok := w.smallBias(); ok {
		return w.applyUncentered(x, bias)
	}
	return w.applyCentered(x)
}

// forBlocks runs body(worker, r0, r1) for the row blocks [r0, r1) of size
// block covering [0, n), spread by kernels.ParallelFor over
// kernels.Threads() workers (worker indexes per-worker scratch; parallel
// reports whether there are several). The blocks are independent and each is computed the same
// whichever goroutine runs it, so results do not depend on the thread
// count. Whole blocks per goroutine: the kernel calls inside (k = 40 rows
// by a few thousand columns) are too small to gain from being split
// themselves (measured on 40×1e6: the whitening GEMM took 206 ms at two
// kernel threads and 208 ms at one).
func forBlocks(n, block int, body func(worker, r0, r1 int, parallel bool)) {
	nb := (n + block - 1) / block
	t := min(kernels.Threads(), nb)
	if t <= 1 {
		for r0 := 0; r0 < n; r0 += block {
			body(0, r0, min(r0+block, n), false)
		}
		return
	}
	kernels.ParallelFor(nb, func(wk, b int) {
		body(wk, b*block, min((b+1)*block, n), true)
	})
}

// blockOut is where a block's k×(r1−r0) product goes: straight into out's
// columns r0…r1, or, when blocks run concurrently, a compact per-worker
// buffer copied there afterwards (same values; GEMM's race annotations
// cover the whole strided span of its C, so concurrent column blocks of one
// matrix would look like a race to the detector).
type blockOut[T kernels.Float] struct {
	out  *matrix.Dense[T]
	bufs [][]T
}

func newBlockOut[T kernels.Float](out *matrix.Dense[T]) *blockOut[T] {
	return &blockOut[T]{out: out, bufs: make([][]T, kernels.Threads())}
}

// dst returns the destination and its leading dimension.
func (b *blockOut[T]) dst(wk, r0, r1 int, parallel bool) ([]T, int) {
	if !parallel {
		return b.out.Data[r0:], b.out.Stride
	}
	if b.bufs[wk] == nil {
		b.bufs[wk] = make([]T, b.out.Rows*(r1-r0))
	}
	return b.bufs[wk][:b.out.Rows*(r1-r0)], r1 - r0
}

// done copies a parallel block's buffer into out.
func (b *blockOut[T]) done(wk, r0, r1 int, parallel bool) {
	if !parallel {
		return
	}
	w, ld := r1-r0, b.out.Stride
	for i := 0; i < b.out.Rows; i++ {
		copy(b.out.Data[i*ld+r0:i*ld+r1], b.bufs[wk][i*w:(i+1)*w])
	}
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
func (w *ICAWhitening[T]) applyCentered(x *matrix.Dense[T]) *matrix.Dense[T] {
	n, p, k := x.Rows, x.Cols, w.NComponents
	out := matrix.New[T](k, n)
	bo := newBlockOut(out)
	bufs := make([][]T, kernels.Threads())
	forBlocks(n, rowBlock, func(wk, r0, r1 int, par bool) {
		if bufs[wk] == nil {
			bufs[wk] = make([]T, min(rowBlock, n)*p)
		}
		buf := bufs[wk]
		centerRowsInto(x, w.Mean, r0, r1, buf)
		c, ldc := bo.dst(wk, r0, r1, par)
		kernels.Gemm(kernels.NoTrans, kernels.Trans, k, r1-r0, p, T(w.Scale), w.K.Data, w.K.Stride, buf, p, 0, c, ldc)
		bo.done(wk, r0, r1, par)
	})
	return out
}

// uncenteredBlock is the column block of applyUncentered: k×4096 float64
// outputs (1.3 MB at k = 40) stay in L2 for the bias subtraction.
const uncenteredBlock = 4096

// applyUncentered computes √n·K·xᵀ − bias·1ᵀ, reading x in place.
func (w *ICAWhitening[T]) applyUncentered(x *matrix.Dense[T], bias []float64) *matrix.Dense[T] {
	n, p, k := x.Rows, x.Cols, w.NComponents
	out := matrix.New[T](k, n)
	// seg − b as seg + (−b)·1 through the vector kernel: the same rounding
	// (one fused multiply-add by 1), a quarter of the scalar loop's time.
	ones := make([]T, min(uncenteredBlock, n))
	for j := range ones {
		ones[j] = 1
	}
	bo := newBlockOut(out)
	forBlocks(n, uncenteredBlock, func(wk, r0, r1 int, par bool) {
		c, ldc := bo.dst(wk, r0, r1, par)
		kernels.Gemm(kernels.NoTrans, kernels.Trans, k, r1-r0, p, T(w.Scale), w.K.Data, w.K.Stride, x.Data[r0*x.Stride:], x.Stride, 0, c, ldc)
		for i := 0; i < k; i++ {
			kernels.Axpy(-T(bias[i]), ones[:r1-r0], c[i*ldc:i*ldc+r1-r0])
		}
		bo.done(wk, r0, r1, par)
	})
	return out
}
