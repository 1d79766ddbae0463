package whiten

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// Blocks is a source of row blocks of one data set (rows = samples, the
// same number of columns in every block), for fits of data larger than
// memory.
type Blocks[T kernels.Float] interface {
	// Next returns the next block, or (nil, io.EOF) after the last. The
	// caller does not keep the block after the following call, so a
	// reader may reuse its storage.
	Next() (*matrix.Dense[T], error)
	// Reset rewinds to the first block. FitPCAStream reads the data twice
	// (scikit-learn's sign convention depends on the scores); ForICAStream
	// reads it once and never calls Reset.
	Reset() error
}

// SliceBlocks serves the in-memory x as blocks of at most rows rows (views,
// no copies).
func SliceBlocks[T kernels.Float](x *matrix.Dense[T], rows int) Blocks[T] {
	return &sliceBlocks[T]{x: x, rows: max(rows, 1)}
}

type sliceBlocks[T kernels.Float] struct {
	x         *matrix.Dense[T]
	rows, pos int
}

func (s *sliceBlocks[T]) Next() (*matrix.Dense[T], error) {
	if s.pos >= s.x.Rows {
		return nil, io.EOF
	}
	end := min(s.pos+s.rows, s.x.Rows)
	b := s.x.Slice(s.pos, end, 0, s.x.Cols)
	s.pos = end
	return b, nil
}

func (s *sliceBlocks[T]) Reset() error { s.pos = 0; return nil }

// Moments accumulates the sample count, mean and centered scatter matrix
// S = Σᵢ (xᵢ − mean)(xᵢ − mean)ᵀ of row blocks. Each block's own mean and
// scatter are computed by kernels.CenteredGram in T, then merged in float64
// with the pairwise update of Chan, Golub and LeVeque:
//
//	δ = mean_b − mean_a,  n = n_a + n_b
//	S = S_a + S_b + δ·δᵀ·n_a·n_b/n,  mean = mean_a + δ·n_b/n
//
// which never subtracts large uncentered sums, so the result agrees with a
// one-shot centered computation to rounding error. The zero value is not
// usable; call NewMoments.
type Moments[T kernels.Float] struct {
	p       int
	n       int
	mean    []float64
	scatter []float64 // p×p row-major
	c       []T
	bmean   []T
}

// NewMoments returns an empty accumulator for p features.
func NewMoments[T kernels.Float](p int) (*Moments[T], error) {
	if p < 1 {
		return nil, fmt.Errorf("whiten: moments of %d features", p)
	}
	if err := checkOrder("covariance matrix", p, "reduce the number of features"); err != nil {
		return nil, err
	}
	return &Moments[T]{p: p, mean: make([]float64, p), scatter: make([]float64, p*p),
		c: make([]T, p*p), bmean: make([]T, p)}, nil
}

// Add accumulates a block (rows = samples, p columns). Empty blocks are
// allowed; NaN/Inf is an error and leaves the accumulator unchanged.
func (m *Moments[T]) Add(b *matrix.Dense[T]) error {
	if b == nil || b.Rows == 0 {
		return nil
	}
	if b.Cols != m.p {
		return fmt.Errorf("whiten: block has %d columns, expected %d", b.Cols, m.p)
	}
	what := fmt.Sprintf("block at sample %d", m.n)
	if err := checkShape(what, b, 1); err != nil {
		return err
	}
	p, nb := m.p, b.Rows
	kernels.CenteredGram(kernels.Trans, p, nb, 1, b.Data, b.Stride, m.c, p, m.bmean)
	// NaN/Inf shows in the block's moments (see checkMoments); scatter is
	// untouched so far.
	ok := true
	for j, v := range m.bmean {
		ok = ok && finite(float64(v)) && finite(float64(m.c[j*p+j]))
	}
	if !ok {
		if err := checkData(what, b, 1); err != nil {
			return err
		}
		return fmt.Errorf("whiten: %s: second-moment matrix (%d×%d) overflows: rescale the data", what, p, p)
	}
	if m.n == 0 {
		for i, v := range m.c {
			m.scatter[i] = float64(v)
		}
		for j, v := range m.bmean {
			m.mean[j] = float64(v)
		}
		m.n = nb
		return nil
	}
	na := float64(m.n)
	nt := na + float64(nb)
	w := na * float64(nb) / nt
	delta := make([]float64, p)
	for j := range delta {
		delta[j] = float64(m.bmean[j]) - m.mean[j]
	}
	for i := 0; i < p; i++ {
		di := delta[i] * w
		row := m.scatter[i*p : (i+1)*p]
		crow := m.c[i*p : (i+1)*p]
		for j := range row {
			row[j] += float64(crow[j]) + di*delta[j]
		}
	}
	for j := range m.mean {
		m.mean[j] += delta[j] * float64(nb) / nt
	}
	m.n += nb
	return nil
}

// Merge adds another accumulator's data (same p) to m, by the same update.
func (m *Moments[T]) Merge(o *Moments[T]) error {
	if o.p != m.p {
		return fmt.Errorf("whiten: merging moments of %d features into %d", o.p, m.p)
	}
	if o.n == 0 {
		return nil
	}
	if m.n == 0 {
		copy(m.mean, o.mean)
		copy(m.scatter, o.scatter)
		m.n = o.n
		return nil
	}
	na, nb := float64(m.n), float64(o.n)
	nt := na + nb
	w := na * nb / nt
	p := m.p
	for i := 0; i < p; i++ {
		di := (o.mean[i] - m.mean[i]) * w
		for j := 0; j < p; j++ {
			m.scatter[i*p+j] += o.scatter[i*p+j] + di*(o.mean[j]-m.mean[j])
		}
	}
	for j := range m.mean {
		m.mean[j] += (o.mean[j] - m.mean[j]) * nb / nt
	}
	m.n += o.n
	return nil
}

// N returns the number of samples accumulated.
func (m *Moments[T]) N() int { return m.n }

// Mean returns a copy of the mean (length p).
func (m *Moments[T]) Mean() []float64 { return append([]float64(nil), m.mean...) }

// Covariance returns S/(n − ddof) as a p×p row-major copy (ddof 1: the
// unbiased sample covariance).
func (m *Moments[T]) Covariance(ddof int) []float64 {
	out := append([]float64(nil), m.scatter...)
	d := float64(m.n - ddof)
	for i := range out {
		out[i] /= d
	}
	return out
}

// accumulate reads all blocks of src into a new Moments.
func accumulate[T kernels.Float](src Blocks[T]) (*Moments[T], error) {
	var m *Moments[T]
	for {
		b, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("whiten: reading block: %w", err)
		}
		if b == nil || b.Rows == 0 {
			continue
		}
		if m == nil {
			if m, err = NewMoments[T](b.Cols); err != nil {
				return nil, err
			}
		}
		if err := m.Add(b); err != nil {
			return nil, err
		}
	}
	if m == nil || m.n < 2 {
		n := 0
		if m != nil {
			n = m.n
		}
		return nil, fmt.Errorf("whiten: streamed data has %d samples, need at least 2", n)
	}
	return m, nil
}

// factorFromMoments decomposes accumulated moments (covariance route).
func factorFromMoments[T kernels.Float](m *Moments[T], method Eigensolver, choose chooser) (*factor[T], error) {
	f := &factor[T]{n: m.n, p: m.p, mean: toFloat[T](m.mean), solver: SolverCovariance}
	for _, v := range m.scatter {
		if !finite(v) {
			return nil, fmt.Errorf("whiten: streamed covariance overflows: rescale the data")
		}
	}
	vecs, err := f.decompose(append([]float64(nil), m.scatter...), m.p, m.n, method, choose)
	if err != nil {
		return nil, err
	}
	f.setComponents(vecs)
	return f, nil
}

// FitPCAStream fits a PCA from row blocks with memory O(p² + block), always
// on the covariance route (opt.Solver must be SolverAuto or
// SolverCovariance). It reads src twice: once for the moments and once for
// the signs (scikit-learn's svd_flip looks at the scores). The result equals
// FitPCA's on the concatenated blocks to rounding error.
func FitPCAStream[T kernels.Float](src Blocks[T], opt PCAOptions) (*PCA[T], error) {
	if opt.Solver == SolverGram {
		return nil, fmt.Errorf("whiten: streaming PCA uses the covariance solver, not %v", opt.Solver)
	}
	m, err := accumulate(src)
	if err != nil {
		return nil, err
	}
	if err := opt.check(m.n, m.p); err != nil {
		return nil, err
	}
	f, err := factorFromMoments(m, opt.Eigensolver, opt.chooser(m.n, m.p))
	if err != nil {
		return nil, err
	}
	if err := src.Reset(); err != nil {
		return nil, fmt.Errorf("whiten: rewinding blocks for the sign pass: %w", err)
	}
	k := f.k
	best := make([]float64, k)
	neg := make([]bool, k)
	for j := range best {
		best[j] = -1
	}
	for {
		b, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("whiten: reading block (sign pass): %w", err)
		}
		if b == nil || b.Rows == 0 {
			continue
		}
		if b.Cols != m.p {
			return nil, fmt.Errorf("whiten: block has %d columns, expected %d", b.Cols, m.p)
		}
		s := project(b, f.mean, f.comps)
		for i := 0; i < s.Rows; i++ {
			for j, v := range s.Row(i) {
				if a := math.Abs(float64(v)); a > best[j] {
					best[j], neg[j] = a, v < 0
				}
			}
		}
	}
	for j := 0; j < k; j++ {
		if neg[j] {
			kernels.Scale(-1, f.comps.Row(j))
		}
	}
	return newPCA(f, opt.Whiten), nil
}

// ForICAStream computes ForICA's whitening from row blocks with memory
// O(p² + block), reading src once (the covariance route). White is nil:
// whiten each block with Apply.
func ForICAStream[T kernels.Float](src Blocks[T], opt ICAOptions) (*ICAWhitening[T], error) {
	if opt.Solver == SolverGram {
		return nil, fmt.Errorf("whiten: streaming whitening uses the covariance solver, not %v", opt.Solver)
	}
	m, err := accumulate(src)
	if err != nil {
		return nil, err
	}
	lim := min(m.n, m.p)
	if opt.NComponents < 0 || opt.NComponents > lim {
		return nil, fmt.Errorf("whiten: %d components requested, data (%d×%d) has at most %d", opt.NComponents, m.n, m.p, lim)
	}
	want := opt.NComponents
	if want == 0 {
		want = lim
	}
	f, err := factorFromMoments(m, opt.Eigensolver, icaChooser(want, m.n, m.p))
	if err != nil {
		return nil, err
	}
	if opt.KeepScatter {
		f.scatter = m.scatter
	}
	tol := opt.SignTolerance
	if tol <= 0 || math.IsNaN(tol) {
		tol = DefaultSignTolerance
	}
	return newICAWhitening(f, tol), nil
}
