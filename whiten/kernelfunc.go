package whiten

import (
	"fmt"
	"math"
	"strings"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// KernelKind names a kernel function of kernel PCA.
type KernelKind int

const (
	KernelLinear      KernelKind = iota // k(x, y) = x·y
	KernelPoly                          // k(x, y) = (γ·x·y + c₀)^d
	KernelRBF                           // k(x, y) = exp(−γ·‖x − y‖²)
	KernelSigmoid                       // k(x, y) = tanh(γ·x·y + c₀)
	KernelCosine                        // k(x, y) = x·y / (‖x‖·‖y‖), 0 for a zero row
	KernelPrecomputed                   // the data are the kernel matrix itself
)

var kernelNames = [...]string{"linear", "poly", "rbf", "sigmoid", "cosine", "precomputed"}

func (k KernelKind) String() string {
	if k >= 0 && int(k) < len(kernelNames) {
		return kernelNames[k]
	}
	return fmt.Sprintf("KernelKind(%d)", int(k))
}

// ParseKernel parses a kernel name as scikit-learn spells it.
func ParseKernel(s string) (KernelKind, error) {
	for i, n := range kernelNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return KernelKind(i), nil
		}
	}
	return 0, fmt.Errorf("whiten: unknown kernel %q (want linear, poly, rbf, sigmoid, cosine or precomputed)", s)
}

// Kernel is a kernel function with scikit-learn's parameters. Start from
// NewKernel, which sets scikit-learn's KernelPCA defaults.
type Kernel struct {
	Kind KernelKind
	// Gamma is γ of poly, rbf and sigmoid; 0 means 1/n_features of the
	// first argument, as scikit-learn's gamma=None (for the inverse
	// transform's kernel that is 1/n_components, as in scikit-learn).
	Gamma float64
	// Degree d of poly (scikit-learn default 3).
	Degree float64
	// Coef0 c₀ of poly and sigmoid (scikit-learn's KernelPCA default 1).
	Coef0 float64
}

// NewKernel returns kind with scikit-learn KernelPCA's defaults: gamma
// 1/n_features, degree 3, coef0 1.
func NewKernel(kind KernelKind) Kernel { return Kernel{Kind: kind, Degree: 3, Coef0: 1} }

func (k Kernel) check() error {
	if k.Kind < KernelLinear || k.Kind > KernelPrecomputed {
		return fmt.Errorf("whiten: unknown kernel %v", k.Kind)
	}
	for _, v := range []float64{k.Gamma, k.Degree, k.Coef0} {
		if !finite(v) {
			return fmt.Errorf("whiten: kernel %v has a non-finite parameter (gamma %g, degree %g, coef0 %g)", k.Kind, k.Gamma, k.Degree, k.Coef0)
		}
	}
	if k.Gamma < 0 {
		return fmt.Errorf("whiten: kernel %v: gamma %g < 0", k.Kind, k.Gamma)
	}
	if k.Kind == KernelPoly && k.Degree < 0 {
		return fmt.Errorf("whiten: poly kernel degree %g < 0", k.Degree)
	}
	return nil
}

// gammaFor resolves Gamma = 0 to 1/p.
func (k Kernel) gammaFor(p int) float64 {
	if k.Gamma == 0 {
		return 1 / float64(p)
	}
	return k.Gamma
}

// Matrix returns the kernel matrix K[i][j] = k(xᵢ, yⱼ) (rows of x by rows of
// y; x and y have the same number of columns). y = nil means y = x, which
// computes the dot products with a symmetric Gram product. The dot products
// run on kernels in T; the elementwise functions in float64.
func (k Kernel) Matrix(x, y *matrix.Dense[float64]) (*matrix.Dense[float64], error) {
	return kernelMatrix(k, x, y)
}

func kernelMatrix[T kernels.Float](k Kernel, x, y *matrix.Dense[T]) (*matrix.Dense[T], error) {
	return kernelMatrixOf(k, x, y, "", nil)
}

// kernelMatrixOf is kernelMatrix that, for k(X, X) with what set, also
// validates X's values from the Gram's diagonal (see checkMoments: a NaN or
// ±Inf in row i makes ‖xᵢ‖² non-finite), so a fit reads X once less; only
// then is X scanned, to name the element, as checkData(what, X) would.
// xxt, when not nil, is X·Xᵀ already computed (k(X, X) only; read, not
// changed). k(X, X) is evaluated from the float64 rawGram for float32 data
// too, so its rbf distances do not cancel float32 sums.
func kernelMatrixOf[T kernels.Float](k Kernel, x, y *matrix.Dense[T], what string, xxt []float64) (*matrix.Dense[T], error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	if k.Kind == KernelPrecomputed {
		return nil, fmt.Errorf("whiten: a precomputed kernel has no function to evaluate")
	}
	same := y == nil
	if same {
		y = x
	}
	if x.Cols != y.Cols {
		return nil, fmt.Errorf("whiten: kernel between %d and %d features", x.Cols, y.Cols)
	}
	n, m, p := x.Rows, y.Rows, x.Cols
	out := matrix.New[T](n, m)
	if n == 0 || m == 0 {
		return out, nil
	}
	var dots []float64 // x·y in float64 (k(X, X)), else nil: out holds them
	if same {
		if dots = xxt; dots == nil {
			dots = rawGram(x)
		}
		if what != "" {
			for i := 0; i < n; i++ {
				if !finite(dots[i*m+i]) {
					if err := checkData(what, x, 1); err != nil {
						return nil, err
					}
					break // finite data whose squares overflow: reported below
				}
			}
		}
	} else {
		kernels.Gemm(kernels.NoTrans, kernels.Trans, n, m, p, 1, x.Data, x.Stride, y.Data, y.Stride, 0, out.Data, m)
	}
	g := k.gammaFor(p)
	var nx, ny []float64 // squared row norms, for rbf and cosine
	if k.Kind == KernelRBF || k.Kind == KernelCosine {
		if same {
			// k(X, X): the Gram's own diagonal, so no pass over X (twice,
			// as rowSquares(x) and rowSquares(y)) and the distances come
			// from one set of rounded products.
			nx = make([]float64, n)
			for i := range nx {
				nx[i] = dots[i*m+i]
			}
			ny = nx
		} else {
			nx, ny = rowSquares(x), rowSquares(y)
		}
	}
	switch k.Kind {
	case KernelLinear:
		apply(out, dots, func(_, _ int, d float64) float64 { return d })
	case KernelPoly:
		apply(out, dots, func(_, _ int, d float64) float64 { return math.Pow(g*d+k.Coef0, k.Degree) })
	case KernelSigmoid:
		apply(out, dots, func(_, _ int, d float64) float64 { return math.Tanh(g*d + k.Coef0) })
	case KernelRBF:
		// As scikit-learn's euclidean_distances: ‖x‖² + ‖y‖² − 2·x·y,
		// clipped at 0, exactly 0 on the diagonal of k(X, X).
		apply(out, dots, func(i, j int, d float64) float64 {
			if same && i == j {
				return 1
			}
			return math.Exp(-g * math.Max(nx[i]+ny[j]-2*d, 0))
		})
	case KernelCosine:
		apply(out, dots, func(i, j int, d float64) float64 {
			if nx[i] == 0 || ny[j] == 0 {
				return 0
			}
			return d / (math.Sqrt(nx[i]) * math.Sqrt(ny[j]))
		})
	}
	if err := out.CheckFinite(); err != nil {
		return nil, fmt.Errorf("whiten: %v kernel overflows (%v): rescale the data or the kernel parameters", k.Kind, err)
	}
	return out, nil
}

// apply sets every entry of m to f of the same entry of src (m.Rows×m.Cols,
// compact), or of m itself when src is nil, rows spread over
// kernels.Threads() goroutines (f must be safe to call concurrently; each
// entry's value does not depend on the split).
func apply[T kernels.Float](m *matrix.Dense[T], src []float64, f func(i, j int, v float64) float64) {
	const rowsPer = 16
	kernels.ParallelFor((m.Rows+rowsPer-1)/rowsPer, func(_, b int) {
		for i := b * rowsPer; i < min((b+1)*rowsPer, m.Rows); i++ {
			row := m.Row(i)
			if src != nil {
				for j, v := range src[i*m.Cols : (i+1)*m.Cols] {
					row[j] = T(f(i, j, v))
				}
				continue
			}
			for j, v := range row {
				row[j] = T(f(i, j, float64(v)))
			}
		}
	})
}

// rowSquares returns ‖xᵢ‖² for each row, accumulated in float64.
func rowSquares[T kernels.Float](x *matrix.Dense[T]) []float64 {
	s := make([]float64, x.Rows)
	for i := range s {
		var a float64
		for _, v := range x.Row(i) {
			a += float64(v) * float64(v)
		}
		s[i] = a
	}
	return s
}
