package whiten

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// Solver names the second-moment matrix a fit decomposed.
type Solver int

const (
	// SolverAuto picks SolverCovariance when n_samples ≥ n_features and
	// SolverGram otherwise (the smaller matrix).
	SolverAuto Solver = iota
	// SolverCovariance decomposes the p×p matrix XcᵀXc (scikit-learn's
	// FastICA whiten_solver="eigh"); cost about n·p² + p³.
	SolverCovariance
	// SolverGram decomposes the n×n matrix XcXcᵀ; cost about p·n² + n³.
	// It gives what an SVD of Xc gives (scikit-learn's whiten_solver="svd").
	SolverGram
)

func (s Solver) String() string {
	switch s {
	case SolverAuto:
		return "auto"
	case SolverCovariance:
		return "covariance"
	case SolverGram:
		return "gram"
	}
	return fmt.Sprintf("Solver(%d)", int(s))
}

// ParseSolver parses "auto", "covariance" (alias "eigh") or "gram" (alias
// "svd").
func ParseSolver(s string) (Solver, error) {
	switch s {
	case "auto", "":
		return SolverAuto, nil
	case "covariance", "cov", "eigh":
		return SolverCovariance, nil
	case "gram", "svd":
		return SolverGram, nil
	}
	return SolverAuto, fmt.Errorf("whiten: unknown solver %q (want auto, covariance or gram)", s)
}

// Eigensolver selects how the top eigenpairs of the symmetric second-moment
// matrix are computed.
type Eigensolver int

const (
	// EigenAuto uses EigenTopK when at most a quarter of the eigenvectors are
	// needed, EigenFull otherwise.
	EigenAuto Eigensolver = iota
	// EigenFull computes every eigenvector: tridiagonalisation, then
	// LAPACK's dorgtr and dsteqr (implicit QL/QR on all of Q), as dsyev.
	EigenFull
	// EigenTopK tridiagonalises, computes all eigenvalues (dsterf), then only
	// the k wanted eigenvectors by inverse iteration (as LAPACK's dstein) and
	// back-transforms those k (dormqr). At N = 500, k = 40 it takes about a
	// tenth of EigenFull's time (BenchmarkSymEig). If inverse iteration
	// misses its residual test, EigenFull runs instead and is reported.
	EigenTopK
)

func (e Eigensolver) String() string {
	switch e {
	case EigenAuto:
		return "auto"
	case EigenFull:
		return "full"
	case EigenTopK:
		return "topk"
	}
	return fmt.Sprintf("Eigensolver(%d)", int(e))
}

// WarningCode classifies a Warning.
type WarningCode int

const (
	// WarnZeroVariance: directions with zero variance to working precision
	// were dropped (constant columns, duplicated rows, collinear features).
	WarnZeroVariance WarningCode = iota + 1
	// WarnRankClipped: fewer components than requested were returned
	// because the data's numerical rank is lower.
	WarnRankClipped
	// WarnSignFallback: ICA whitening's sign(u[0]) rule was ill-defined for
	// some directions (|u[0]| tiny) and the largest-magnitude entry decided.
	WarnSignFallback
)

func (c WarningCode) String() string {
	switch c {
	case WarnZeroVariance:
		return "zero-variance"
	case WarnRankClipped:
		return "rank-clipped"
	case WarnSignFallback:
		return "sign-fallback"
	}
	return fmt.Sprintf("WarningCode(%d)", int(c))
}

// Warning is a non-fatal condition a fit handled in a documented way. The
// library never prints; callers decide whether to show warnings.
type Warning struct {
	Code    WarningCode
	Message string
}

func (w Warning) String() string { return w.Message }

func warnf(code WarningCode, format string, args ...any) Warning {
	return Warning{Code: code, Message: fmt.Sprintf(format, args...)}
}

// checkShape validates a data matrix's shape and storage: not nil, at
// least minRows rows and one column, consistent storage.
func checkShape[T kernels.Float](what string, x *matrix.Dense[T], minRows int) error {
	if x == nil {
		return fmt.Errorf("whiten: %s is nil", what)
	}
	if x.Rows < minRows || x.Cols < 1 {
		return fmt.Errorf("whiten: %s is %d×%d, need at least %d samples and 1 feature", what, x.Rows, x.Cols, minRows)
	}
	if x.Stride < x.Cols || len(x.Data) < (x.Rows-1)*x.Stride+x.Cols {
		return fmt.Errorf("whiten: %s (%d×%d, stride %d) has inconsistent storage of %d values", what, x.Rows, x.Cols, x.Stride, len(x.Data))
	}
	return nil
}

// checkData validates a data matrix: not nil, at least minRows rows and one
// column, consistent storage, finite values.
func checkData[T kernels.Float](what string, x *matrix.Dense[T], minRows int) error {
	if err := checkShape(what, x, minRows); err != nil {
		return err
	}
	if err := x.CheckFinite(); err != nil {
		return fmt.Errorf("whiten: %s: %w", what, err)
	}
	return nil
}

// checkMoments stands in for checkData's scan of every value when the fit
// has already reduced x to its column means and a second-moment matrix of
// order N (diagonal entries Σ(x−mean)²): a NaN or ±Inf anywhere in x makes
// its column mean or a diagonal entry non-finite (±Inf − ±Inf and 0·Inf are
// NaN, NaN propagates, Inf² is Inf), so finite moments prove finite data
// and large inputs are read once less. Only when the moments are not finite
// is x scanned, to name the offending element; finite data whose moments
// overflow get an error of their own.
func checkMoments[T kernels.Float](what string, x *matrix.Dense[T], mean []T, a []float64, N int) error {
	ok := true
	for _, v := range mean {
		ok = ok && finite(float64(v))
	}
	for i := 0; i < N; i++ {
		ok = ok && finite(a[i*N+i])
	}
	if ok {
		return nil
	}
	if err := x.CheckFinite(); err != nil {
		return fmt.Errorf("whiten: %s: %w", what, err)
	}
	return fmt.Errorf("whiten: %s: second-moment matrix (%d×%d) overflows: rescale the data", what, N, N)
}

// epsOf is the unit roundoff of T.
func epsOf[T kernels.Float]() float64 {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return 0x1p-24
	}
	return 0x1p-53
}

// columnMeans returns the mean of each column, accumulated in float64 in row
// order. Blocks of columns go to kernels.Threads() goroutines; each column's
// sum runs in the same order whatever the split, so the result does not
// depend on the thread count.
func columnMeans[T kernels.Float](x *matrix.Dense[T]) []float64 {
	acc := make([]float64, x.Cols)
	const block = 2048 // 16 KB of float64 sums: L1-resident while x streams by
	nb := (x.Cols + block - 1) / block
	x64, is64 := any(x).(*matrix.Dense[float64])
	kernels.ParallelFor(nb, func(_, b int) {
		c0, c1 := b*block, min((b+1)*block, x.Cols)
		a := acc[c0:c1]
		if is64 {
			// The same sums in the same order, a row at a time through the
			// vector kernel (y += 1·x rounds as y + x): 2.5× faster on the
			// 500×27648 image matrix than the scalar loop.
			for i := 0; i < x64.Rows; i++ {
				kernels.Axpy(1, x64.Row(i)[c0:c1], a)
			}
			return
		}
		for i := 0; i < x.Rows; i++ {
			for j, v := range x.Row(i)[c0:c1] {
				a[j] += float64(v)
			}
		}
	})
	for j := range acc {
		acc[j] /= float64(x.Rows)
	}
	return acc
}

// centerRowsInto writes rows [r0, r1) of x − 1·meanᵀ into buf (compact,
// (r1−r0)×Cols).
func centerRowsInto[T kernels.Float](x *matrix.Dense[T], mean []T, r0, r1 int, buf []T) {
	p := x.Cols
	for i := r0; i < r1; i++ {
		dst := buf[(i-r0)*p : (i-r0+1)*p]
		for j, v := range x.Row(i) {
			dst[j] = v - mean[j]
		}
	}
}

// centerColsInto writes columns [c0, c1) of x − 1·meanᵀ into buf (compact,
// Rows×(c1−c0)).
func centerColsInto[T kernels.Float](x *matrix.Dense[T], mean []T, c0, c1 int, buf []T) {
	w := c1 - c0
	m := mean[c0:c1]
	for i := 0; i < x.Rows; i++ {
		src := x.Data[i*x.Stride+c0 : i*x.Stride+c1]
		dst := buf[i*w : (i+1)*w]
		for j, v := range src {
			dst[j] = v - m[j]
		}
	}
}

// Block sizes for passes over centered data. They fix the reduction order
// of the accumulated products, so they are constants, never derived from the
// thread count.
const (
	rowBlock = 512  // rows of a centered row block (projections)
	colBlock = 2048 // columns of a centered column block (Gram route)
)

// maxDenseOrder bounds the order of a dense second-moment or kernel
// matrix (float64, N² values): 23170² ≈ 4.3 GB. Larger problems get an error
// naming the alternative instead of an out-of-memory crash.
const maxDenseOrder = 23170

func checkOrder(what string, N int, hint string) error {
	if N > maxDenseOrder {
		return fmt.Errorf("whiten: the %s would be %d×%d (%.1f GB): %s", what, N, N, float64(N)*float64(N)*8/1e9, hint)
	}
	return nil
}

func toFloat[T kernels.Float](x []float64) []T {
	out := make([]T, len(x))
	for i, v := range x {
		out[i] = T(v)
	}
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
