package whiten

import (
	"sync"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// Gram is the Gram matrix X·Xᵀ (n×n, uncentred, in T) of a data matrix's
// rows, computed once so that several fits of the same samples share it: a
// PCA or ICA whitening with the Gram solver (more features than samples)
// and a kernel PCA (any kernel but precomputed) each start from X·Xᵀ. For
// the 500×27648 image matrix it is most of each fit's time. Fits given a
// Gram return bit for bit what they return from x alone: it is the same
// kernel call on the same data. The data must not change while a Gram of it
// is in use.
type Gram[T kernels.Float] struct {
	x   *matrix.Dense[T]
	xxt []float64 // n×n, exactly symmetric (rawGram)

	// dec is the last Gram-route decomposition of the centred Gram (PCA
	// and ICA whitening decompose the same matrix): a later fit that
	// asks for the same eigensolver and keeps the same number of pairs
	// takes it instead of solving again (bit for bit what it would get).
	mu  sync.Mutex
	dec *gramDecomp[T]
	// mean is x's column means (columnMeans), kept for the next fit: each
	// Gram-route fit needs them, and they cost a pass over x.
	mean []float64
}

// gramDecomp is what factorize computes from the centred Gram and the
// eigensolver alone, before any sign convention.
type gramDecomp[T kernels.Float] struct {
	method  Eigensolver      // requested
	inPlace bool             // the centred Gram came from correctedGram
	vals    []float64        // the eigenvalues, cut to min(n, p) as factor.vals
	vecs    []float64        // N×k eigenvectors
	k       int              // pairs kept
	used    Eigensolver      // solver that ran
	comps   *matrix.Dense[T] // k×p components scaled by σ
}

// cached returns the stored decomposition for method and inPlace, if any.
func (g *Gram[T]) cached(method Eigensolver, inPlace bool) *gramDecomp[T] {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if d := g.dec; d != nil && d.method == method && d.inPlace == inPlace {
		return d
	}
	return nil
}

func (g *Gram[T]) store(d *gramDecomp[T]) {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.dec = d
	g.mu.Unlock()
}

// columnMeans returns columnMeans(x), computed once per Gram (x is g's
// data); with a nil g it computes them. The result is read only.
func (g *Gram[T]) columnMeans(x *matrix.Dense[T]) []float64 {
	if g == nil {
		return columnMeans(x)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.mean == nil {
		g.mean = columnMeans(x)
	}
	return g.mean
}

// NewGram computes X·Xᵀ for x (n_samples × n_features, at least one of
// each). Values are not checked here; the fits check them from the Gram's
// diagonal and the column means.
func NewGram[T kernels.Float](x *matrix.Dense[T]) (*Gram[T], error) {
	if err := checkShape("Gram input", x, 1); err != nil {
		return nil, err
	}
	n := x.Rows
	if err := checkOrder("Gram matrix", n, "fit without a shared Gram"); err != nil {
		return nil, err
	}
	return &Gram[T]{x: x, xxt: rawGram(x)}, nil
}

// Data returns the matrix the Gram was computed from.
func (g *Gram[T]) Data() *matrix.Dense[T] { return g.x }

// rawGram is the one kernel call every X·Xᵀ of a fit goes through. It is
// float64 for float32 data too (kernels.GramWide: exact products, float64
// sums): the eigenvectors of the centred Gram, which are the whitened data,
// and the distances of the rbf kernel (‖x‖² + ‖y‖² − 2·x·y, which cancels)
// would otherwise carry float32 sums over every feature (27648 pixels for
// the study's images). It costs the float64 Gram's time.
func rawGram[T kernels.Float](x *matrix.Dense[T]) []float64 {
	n := x.Rows
	g := make([]float64, n*n)
	if x32, ok := any(x).(*matrix.Dense[float32]); ok {
		kernels.GramWide(kernels.NoTrans, n, x.Cols, 1, x32.Data, x32.Stride, 0, g, n)
		return g
	}
	x64 := any(x).(*matrix.Dense[float64])
	kernels.Gram(kernels.NoTrans, n, x.Cols, 1, x64.Data, x64.Stride, 0, g, n)
	return g
}
