package whiten

import (
	"fmt"
	"math"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// factor is the truncated SVD of the centered data Xc = U·diag(σ)·Vᵀ that PCA
// and ICA whitening share, computed from the eigendecomposition of XcᵀXc or
// XcXcᵀ.
type factor[T kernels.Float] struct {
	n, p     int
	mean     []T
	vals     []float64        // all eigenvalues of the decomposed matrix (σ²), descending
	trace    float64          // ‖Xc‖_F² = Σ σ²
	rank     int              // eigenvalues above the rank tolerance
	k        int              // leading pairs kept
	comps    *matrix.Dense[T] // k×p, rows are right singular vectors vⱼ
	scores   *matrix.Dense[T] // n×k, columns are left singular vectors uⱼ (if wanted)
	solver   Solver
	eig      Eigensolver
	warnings []Warning
	// inPlace: the Gram route used correctedGram (the mean does not
	// dominate), so products with X may skip centring too.
	inPlace bool
	// scatter is XcᵀXc (p×p, float64) on the covariance route when the
	// caller asked to keep it (the eigensolver destroys its own copy).
	scatter []float64
}

// chooser decides how many leading pairs to keep from all eigenvalues
// (descending) and the numerical rank; it may add warnings.
type chooser func(vals []float64, rank int) (k int, warns []Warning, err error)

// rankTolerance is the eigenvalue below which a direction has no variance
// to working precision: the second-moment matrix of order N is a sum of m
// products rounded in T (error of order eps_T·√m·λ₁ for the blocked sums) and
// its float64 eigendecomposition adds about eps64·N·λ₁.
func rankTolerance[T kernels.Float](lambda1 float64, m, N int) float64 {
	return lambda1 * (epsOf[T]()*math.Sqrt(float64(m)) + 0x1p-53*float64(N))
}

// factorize computes the mean, second-moment matrix and the leading singular
// triplets of x, keeping as many as choose says. wantScores also returns U.
// x must have passed checkShape; its values are checked for NaN and Inf
// through the moments (checkMoments), what naming it in errors.
//
// g, when not nil, is a shared Gram of x: the Gram route starts from its
// X·Xᵀ and reuses its stored decomposition when that is the one this call
// would compute (same eigensolver, same number of pairs kept).
//
// keepScatter keeps XcᵀXc in scatter on the covariance route.
func factorize[T kernels.Float](what string, x *matrix.Dense[T], solver Solver, method Eigensolver, choose chooser, wantScores bool, g *Gram[T], keepScatter bool) (*factor[T], error) {
	n, p := x.Rows, x.Cols
	f := &factor[T]{n: n, p: p}
	if solver == SolverAuto {
		solver = SolverCovariance
		if p > n {
			solver = SolverGram
		}
	}
	f.solver = solver
	var N, m int // matrix order, reduction length
	var a []float64
	switch solver {
	case SolverCovariance:
		if err := checkOrder("covariance matrix", p, "use the Gram solver or fewer features"); err != nil {
			return nil, err
		}
		N, m = p, n
		c := make([]T, p*p)
		f.mean = make([]T, p)
		kernels.CenteredGram(kernels.Trans, p, n, 1, x.Data, x.Stride, c, p, f.mean)
		a = widen(c)
	case SolverGram:
		if err := checkOrder("Gram matrix", n, "use the covariance solver (streaming for large data)"); err != nil {
			return nil, err
		}
		N, m = n, p
		mean := g.columnMeans(x)
		f.mean = toFloat[T](mean)
		var xxt []float64
		if g != nil {
			xxt = g.xxt
		}
		if a, f.inPlace = correctedGram(x, xxt); !f.inPlace {
			a = centeredGram(x, mean)
		}
	default:
		return nil, fmt.Errorf("whiten: unknown solver %v", solver)
	}
	if err := checkMoments(what, x, f.mean, a, N); err != nil {
		return nil, err
	}
	if keepScatter && solver == SolverCovariance {
		f.scatter = append([]float64(nil), a...)
	}
	var shared *gramDecomp[T]
	if solver == SolverGram {
		shared = g.cached(method, f.inPlace)
	}
	var vecs []float64
	var err error
	hit := false
	if shared != nil {
		vecs, hit, err = f.decomposeFrom(shared, a, N, m, choose)
	} else {
		vecs, err = f.decompose(a, N, m, method, choose)
	}
	if err != nil {
		return nil, err
	}
	k := f.k
	switch solver {
	case SolverCovariance:
		f.setComponents(vecs)
		if wantScores {
			f.scores = project(x, f.mean, f.comps)
			scaleCols(f.scores, f.sigma())
		}
	case SolverGram:
		u := matrix.New[T](n, k)
		for i, v := range vecs {
			u.Data[i] = T(v)
		}
		if hit {
			f.comps = shared.comps.Clone()
		} else {
			if f.inPlace {
				f.comps = gramComponentsInPlace(x, f.mean, u)
			} else {
				f.comps = gramComponents(x, f.mean, u)
			}
			scaleRows(f.comps, f.sigma())
			if g != nil && k > 0 {
				g.store(&gramDecomp[T]{method: method, inPlace: f.inPlace, vals: append([]float64(nil), f.vals...),
					vecs: append([]float64(nil), vecs...), k: k, used: f.eig, comps: f.comps.Clone()})
			}
		}
		if wantScores {
			f.scores = u
		}
	}
	return f, nil
}

// decomposeFrom is decompose with the eigenpairs of a stored decomposition
// of the same matrix: the rank and choose run on its eigenvalues as
// decompose runs them on symEig's, and when choose keeps the stored number
// of pairs its vectors are returned (hit). Otherwise it decomposes a.
//
// pick only reads the first min(n, p) eigenvalues, so the stored, already
// cut list gives it what symEig's full one would.
func (f *factor[T]) decomposeFrom(d *gramDecomp[T], a []float64, N, m int, choose chooser) ([]float64, bool, error) {
	probe := *f // pick sets rank and adds warnings: only kept on a hit
	probe.warnings = append([]Warning(nil), f.warnings...)
	if k, err := probe.pick(d.vals, m, N, choose); err != nil || k != d.k {
		vecs, err := f.decompose(a, N, m, d.method, choose)
		return vecs, false, err
	}
	*f = probe
	for i := 0; i < N; i++ {
		f.trace += a[i*N+i]
	}
	f.eig, f.k = d.used, d.k
	f.vals = append([]float64(nil), d.vals...)
	return append([]float64(nil), d.vecs...), true, nil
}

// decompose finds the eigenpairs of the N×N second-moment matrix a (a sum
// of m products), applies the rank tolerance and choose, and fills vals,
// trace, rank, k, eig and warnings. It returns the N×k eigenvectors.
func (f *factor[T]) decompose(a []float64, N, m int, method Eigensolver, choose chooser) ([]float64, error) {
	for i := 0; i < N; i++ {
		f.trace += a[i*N+i]
	}
	var chooseErr error
	pick := func(vals []float64) (int, error) {
		k, err := f.pick(vals, m, N, choose)
		chooseErr = err
		return k, err
	}
	vals, vecs, k, used, err := symEig(a, N, method, pick)
	if err != nil {
		if chooseErr != nil {
			return nil, chooseErr
		}
		return nil, err
	}
	f.eig, f.vals, f.k = used, vals, k
	if len(f.vals) > min(f.n, f.p) {
		f.vals = f.vals[:min(f.n, f.p)]
	}
	return vecs, nil
}

// pick applies the rank tolerance to all eigenvalues (descending) of the
// second-moment matrix, sets rank and lets choose keep pairs (its warnings
// are added).
func (f *factor[T]) pick(vals []float64, m, N int, choose chooser) (int, error) {
	n, p := f.n, f.p
	lim := min(n, p)
	if len(vals) > lim {
		vals = vals[:lim] // covariance of n < p samples: at most n−1 nonzero
	}
	tol := rankTolerance[T](math.Max(vals[0], 0), m, N)
	r := 0
	for r < len(vals) && vals[r] > tol {
		r++
	}
	f.rank = r
	if r == 0 {
		return 0, fmt.Errorf("whiten: data (%d×%d) has zero variance in every direction", n, p)
	}
	k, warns, err := choose(vals, r)
	f.warnings = append(f.warnings, warns...)
	return k, err
}

// sigma returns the kept singular values √λⱼ.
func (f *factor[T]) sigma() []float64 {
	s := make([]float64, f.k)
	for j := range s {
		s[j] = math.Sqrt(f.vals[j])
	}
	return s
}

// setComponents stores the p×k eigenvectors of the covariance as the k×p
// components.
func (f *factor[T]) setComponents(vecs []float64) {
	k, p := f.k, f.p
	f.comps = matrix.New[T](k, p)
	for i := 0; i < p; i++ {
		for j := 0; j < k; j++ {
			f.comps.Data[j*p+i] = T(vecs[i*k+j])
		}
	}
}

// widen converts to float64 (copying, also for float64 input, since the
// eigensolver destroys its argument).
func widen[T kernels.Float](c []T) []float64 {
	out := make([]float64, len(c))
	for i, v := range c {
		out[i] = float64(v)
	}
	return out
}

// centeredGram returns XcXcᵀ (n×n, float64), accumulated over column
// blocks centred by the float64 means in float64 (float32 data widened as
// they are centred), so that the centred matrix is never stored whole and
// float32 data get float64 sums, as rawGram gives them.
func centeredGram[T kernels.Float](x *matrix.Dense[T], mean []float64) []float64 {
	n, p := x.Rows, x.Cols
	g := make([]float64, n*n)
	buf := make([]float64, n*min(colBlock, p))
	for c0 := 0; c0 < p; c0 += colBlock {
		c1 := min(c0+colBlock, p)
		w := c1 - c0
		m := mean[c0:c1]
		for i := 0; i < n; i++ {
			dst := buf[i*w : (i+1)*w]
			for j, v := range x.Data[i*x.Stride+c0 : i*x.Stride+c1] {
				dst[j] = float64(v) - m[j]
			}
		}
		var beta float64
		if c0 > 0 {
			beta = 1
		}
		kernels.Gram(kernels.NoTrans, n, w, 1, buf[:n*w], w, beta, g, n)
	}
	return g
}

// maxOffsetRatio bounds ‖X‖_F²/‖Xc‖_F² for correctedGram: the entries of
// the uncentred Gram are at most that much larger than the centred ones, so
// subtracting the mean's part afterwards loses at most log2 of it (4 bits)
// against centring first, well inside the rank tolerance's margin.
const maxOffsetRatio = 16

// correctedGram returns XcXcᵀ (n×n, float64) as XXᵀ − r·1ᵀ − 1·rᵀ + c with
// r = X·m and c = ‖m‖², m the column means: one Gram call that reads x in
// place (no centred copy of each column block). Since m = Xᵀ·1/n, r is the
// Gram's row sums over n and c their mean, so the result is the double
// centring J·XXᵀ·J (J = I − 1·1ᵀ/n) of the Gram as computed, and neither
// needs another pass over x (110 MB for the study's image matrix). It
// reports false, and the caller centres first, when the mean dominates the
// data (‖X‖² > maxOffsetRatio·‖Xc‖²), where the subtraction would cancel
// digits, or when the moments are not finite.
//
// g, when not nil, is X·Xᵀ already computed (a shared Gram); it is read only.
func correctedGram[T kernels.Float](x *matrix.Dense[T], g []float64) ([]float64, bool) {
	n := x.Rows
	if g == nil {
		g = rawGram(x)
	}
	r := make([]float64, n)
	var c float64
	for i := 0; i < n; i++ {
		var s float64
		for _, v := range g[i*n : i*n+n] {
			s += v
		}
		r[i] = s / float64(n)
		c += r[i]
	}
	c /= float64(n)
	var tr, trc float64
	for i := 0; i < n; i++ {
		d := g[i*n+i]
		tr += d
		trc += d - 2*r[i] + c
	}
	if !(tr <= maxOffsetRatio*trc) || !finite(tr) {
		return nil, false
	}
	a := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			a[i*n+j] = g[i*n+j] - r[i] - r[j] + c
			a[j*n+i] = a[i*n+j] // exactly symmetric, as the Gram
		}
	}
	return a, true
}

// gramComponentsInPlace returns Uᵀ·Xc = Uᵀ·X − (Uᵀ·1)·meanᵀ (k×p) with one
// GEMM reading x in place; for data that passed correctedGram's test the
// uncentred product loses at most 2 bits against centring first. (Uᵀ·1 is
// zero up to rounding for eigenvectors of a centred Gram matrix, but is
// applied anyway.)
func gramComponentsInPlace[T kernels.Float](x *matrix.Dense[T], mean []T, u *matrix.Dense[T]) *matrix.Dense[T] {
	n, p, k := x.Rows, x.Cols, u.Cols
	out := matrix.New[T](k, p)
	if k == 0 {
		return out
	}
	ut := u.T()
	kernels.Gemm(kernels.NoTrans, kernels.NoTrans, k, p, n, 1, ut.Data, n, x.Data, x.Stride, 0, out.Data, p)
	for j := 0; j < k; j++ {
		var s float64
		for _, v := range ut.Row(j) {
			s += float64(v)
		}
		kernels.Axpy(T(-s), mean, out.Row(j))
	}
	return out
}

// gramComponents returns Uᵀ·Xc (k×p) for U n×k, over centered column blocks.
func gramComponents[T kernels.Float](x *matrix.Dense[T], mean []T, u *matrix.Dense[T]) *matrix.Dense[T] {
	n, p, k := x.Rows, x.Cols, u.Cols
	out := matrix.New[T](k, p)
	buf := make([]T, n*min(colBlock, p))
	ut := u.T() // k×n: both operands untransposed, the kernel's fastest case
	for c0 := 0; c0 < p; c0 += colBlock {
		c1 := min(c0+colBlock, p)
		w := c1 - c0
		centerColsInto(x, mean, c0, c1, buf)
		kernels.Gemm(kernels.NoTrans, kernels.NoTrans, k, w, n, 1, ut.Data, n, buf, w, 0, out.Data[c0:], p)
	}
	return out
}

// project returns (x − 1·meanᵀ)·compsᵀ (n×k), centering row blocks so that
// a large mean does not cancel digits in the product.
func project[T kernels.Float](x *matrix.Dense[T], mean []T, comps *matrix.Dense[T]) *matrix.Dense[T] {
	n, p, k := x.Rows, x.Cols, comps.Rows
	out := matrix.New[T](n, k)
	if k == 0 {
		return out
	}
	buf := make([]T, min(rowBlock, n)*p)
	for r0 := 0; r0 < n; r0 += rowBlock {
		r1 := min(r0+rowBlock, n)
		centerRowsInto(x, mean, r0, r1, buf)
		kernels.Gemm(kernels.NoTrans, kernels.Trans, r1-r0, k, p, 1, buf, p, comps.Data, comps.Stride, 0, out.Data[r0*k:], k)
	}
	return out
}

// scaleCols divides column j of m by s[j].
func scaleCols[T kernels.Float](m *matrix.Dense[T], s []float64) {
	inv := make([]T, len(s))
	for j, v := range s {
		inv[j] = T(1 / v)
	}
	for i := 0; i < m.Rows; i++ {
		kernels.Mul(m.Row(i), m.Row(i), inv)
	}
}

// scaleRows divides row j of m by s[j].
func scaleRows[T kernels.Float](m *matrix.Dense[T], s []float64) {
	for j, v := range s {
		kernels.Scale(T(1/v), m.Row(j))
	}
}

// svdFlip applies scikit-learn's svd_flip with u_based_decision=True: in
// each column of U the entry of largest magnitude (the first such) is made
// positive, and the matching row of V follows.
func svdFlip[T kernels.Float](u, v *matrix.Dense[T]) {
	for j := 0; j < u.Cols; j++ {
		best, arg := -1.0, 0
		for i := 0; i < u.Rows; i++ {
			if a := math.Abs(float64(u.Data[i*u.Stride+j])); a > best {
				best, arg = a, i
			}
		}
		if u.Data[arg*u.Stride+j] < 0 {
			for i := 0; i < u.Rows; i++ {
				u.Data[i*u.Stride+j] = -u.Data[i*u.Stride+j]
			}
			kernels.Scale(-1, v.Row(j))
		}
	}
}
