package fastica

import (
	"io"
	"math"
	"unsafe"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/whiten"
)

// white is the whitening step's result, with its small matrices in float64
// whatever T is.
type white[T kernels.Float] struct {
	k      int
	x1     []T     // k×n, √n·K·Xcᵀ: the data the iterations run on
	scale  float64 // √n
	mean   []float64
	K      *matrix.Dense[float64] // k×p
	solver string
	rank   int
	warns  []string
	// g1 is X1·X1ᵀ (k×k) accumulated in float64 from the float64 X1
	// before it was rounded to float32; nil for float64 data.
	g1 []float64
	// sigma are the singular values σⱼ with K = diag(1/σ)·Vᵀ (pinvWhitened).
	sigma []float64
	// rows, when not nil, replaces x1: the whitening is square (k = p), so
	// the iterations run on the caller's samples with it folded into W
	// (kernels.ICAStepRows) and X1 is never formed.
	rows *rowsData[T]
}

// rowsData is the data the iterations read in place: n samples of p
// features, one per row (x, leading dimension ldx), centred by mu (nil:
// not centred) and whitened by kw = √n·K (k×p float64; nil: no whitening,
// p = k). X1 = kw·(x − mu)ᵀ is what they stand for.
type rowsData[T kernels.Float] struct {
	x   []T
	ldx int
	p   int
	mu  []T
	kw  []float64
}

// squareWhitening reports whether the iterations can run on the samples
// in place: the covariance route will be taken and all p features kept,
// and the contrast is a built-in one (the custom path multiplies X1 by
// GEMM). Whether the rank allows k = p is only known after the fit.
func squareWhitening(ro resolved, n, p int) bool {
	return ro.Custom == nil && p <= n && ro.WhitenSolver != whiten.SolverGram &&
		(ro.Components == 0 || ro.Components == p)
}

// meanFitsFloat32 reports whether every feature's mean is within
// float32MeanRatio standard deviations: the in-place iterations centre
// float32 samples by the mean rounded to float32, an offset of up to
// 2⁻²⁴·|mean|, which stays below 2⁻¹⁸ of a standard deviation there (under
// the rounding of the float32 data themselves). Larger means go through the
// float64-centred X1.
func meanFitsFloat32(mean, scatter []float64, n int) bool {
	p := len(mean)
	for l, m := range mean {
		if sd := math.Sqrt(scatter[l*p+l] / float64(n)); !(math.Abs(m) <= float32MeanRatio*sd) {
			return false
		}
	}
	return true
}

const float32MeanRatio = 64

// withRows sets w.rows for the samples x (p = k) and the moments of X1,
// g1 = kw·Scatter·kwᵀ, from the whitening's scatter matrix.
func (w *white[T]) withRows(x *matrix.Dense[T], scatter []float64) *white[T] {
	k, p := w.k, x.Cols
	kw := make([]float64, k*p)
	for i := 0; i < k; i++ {
		for l := 0; l < p; l++ {
			kw[i*p+l] = w.scale * w.K.Data[i*w.K.Stride+l]
		}
	}
	mu := make([]T, p)
	for l, v := range w.mean {
		mu[l] = T(v)
	}
	w.rows = &rowsData[T]{x: x.Data, ldx: x.Stride, p: p, mu: mu, kw: kw}
	kwm := &matrix.Dense[float64]{Rows: k, Cols: p, Stride: p, Data: kw}
	sc := &matrix.Dense[float64]{Rows: p, Cols: p, Stride: p, Data: scatter}
	w.g1 = mul(mul(kwm, sc), kwm.T()).Data
	return w
}

// whitenBlock is the number of float32 rows widened to float64 at a time.
const whitenBlock = 4096

// whitenData whitens x with whiten.ForICA's definition (scikit-learn's
// FastICA whitening with a robust sign rule). float64 input goes through
// ForICA directly. float32 input is whitened in float64: with the
// covariance route the rows are widened block by block into
// whiten.ForICAStream (float64 moments) and projected by a float64 GEMM
// before X1 is rounded to float32 once; the Gram route (more features than
// samples) is float64 inside whiten.ForICA (X·Xᵀ by kernels.GramWide).
func whitenData[T kernels.Float](x *matrix.Dense[T], ro resolved, gram *whiten.Gram[T]) (*white[T], error) {
	n, p := x.Rows, x.Cols
	opt := whiten.ICAOptions{NComponents: ro.Components, Solver: ro.WhitenSolver}
	square := squareWhitening(ro, n, p)
	var z T
	if unsafe.Sizeof(z) == 8 {
		var wh *whiten.ICAWhitening[T]
		var err error
		if square {
			opt.NoWhiteData, opt.KeepScatter = true, true
		}
		if gram != nil {
			wh, err = whiten.ForICAGram(gram, opt)
		} else {
			wh, err = whiten.ForICA(x, opt)
		}
		if err != nil {
			return nil, err
		}
		if square && wh.NComponents == p && wh.Scatter != nil {
			return fromICAWhitening[T, T](wh, nil).withRows(x, wh.Scatter), nil
		}
		if wh.White == nil { // square was hoped for, but the rank clipped k
			if wh.White, err = wh.Apply(x); err != nil {
				return nil, err
			}
		}
		return fromICAWhitening(wh, wh.White.Data), nil
	}
	solver := ro.WhitenSolver
	if solver == whiten.SolverAuto {
		solver = whiten.SolverCovariance
		if p > n {
			solver = whiten.SolverGram
		}
	}
	if solver == whiten.SolverGram {
		// The Gram route is float64 inside whiten for float32 data: X·Xᵀ
		// with float64 sums (kernels.GramWide), its eigendecomposition, and
		// X1 = √n·Uᵀ from the float64 eigenvectors, rounded once. A shared
		// Gram's X·Xᵀ and decomposition serve it as they serve PCA.
		opt.Solver = whiten.SolverGram
		var wh *whiten.ICAWhitening[T]
		var err error
		if gram != nil {
			wh, err = whiten.ForICAGram(gram, opt)
		} else {
			wh, err = whiten.ForICA(x, opt)
		}
		if err != nil {
			return nil, err
		}
		w := fromICAWhitening(wh, wh.White.Data)
		w.g1 = x1Gram(wh.White.Data, w.k, n)
		return w, nil
	}
	opt.Solver = whiten.SolverCovariance
	opt.NoWhiteData = true
	opt.KeepScatter = square
	wh, err := whiten.ForICAStream[float64](&widened[T]{x: x}, opt)
	if err != nil {
		return nil, err
	}
	k := wh.NComponents
	if square && k == p && wh.Scatter != nil && meanFitsFloat32(wh.Mean, wh.Scatter, n) {
		return fromICAWhitening[T, float64](wh, nil).withRows(x, wh.Scatter), nil
	}
	x1 := make([]T, k*n)
	buf := make([]float64, min(whitenBlock, n)*p)
	out := make([]float64, k*min(whitenBlock, n))
	g1 := make([]float64, k*k)
	for r0 := 0; r0 < n; r0 += whitenBlock {
		r1 := min(r0+whitenBlock, n)
		nb := r1 - r0
		for i := r0; i < r1; i++ {
			dst := buf[(i-r0)*p : (i-r0+1)*p]
			for j, v := range x.Row(i) {
				dst[j] = float64(v) - wh.Mean[j]
			}
		}
		kernels.Gemm(kernels.NoTrans, kernels.Trans, k, nb, p, wh.Scale, wh.K.Data, wh.K.Stride, buf, p, 0, out, nb)
		var beta float64
		if r0 > 0 {
			beta = 1
		}
		kernels.Gram(kernels.NoTrans, k, nb, 1, out, nb, beta, g1, k)
		for c := 0; c < k; c++ {
			dst := x1[c*n+r0 : c*n+r1]
			for j, v := range out[c*nb : (c+1)*nb] {
				dst[j] = T(v)
			}
		}
	}
	w := fromICAWhitening(wh, x1)
	w.g1 = g1
	return w, nil
}

// fromICAWhitening takes over wh (its callers drop it): a float64 K is kept,
// not copied (k×p, 8.8 MB for the study's images).
func fromICAWhitening[T kernels.Float, U kernels.Float](wh *whiten.ICAWhitening[U], x1 []T) *white[T] {
	k64, ok := any(wh.K).(*matrix.Dense[float64])
	if !ok {
		k64 = matrix.Convert[float64](wh.K)
	}
	w := &white[T]{k: wh.NComponents, x1: x1, scale: wh.Scale, mean: toFloat64(wh.Mean),
		K: k64, solver: wh.Solver.String(), rank: wh.Rank, sigma: wh.SingularValues}
	for _, m := range wh.Warnings {
		w.warns = append(w.warns, m.Message)
	}
	return w
}

// widened serves the rows of a float32 matrix as float64 blocks (one
// reused buffer), for whiten.ForICAStream, which rejects NaN and Inf (as
// ForICA would) from each block's moments.
type widened[T kernels.Float] struct {
	x   *matrix.Dense[T]
	pos int
	buf *matrix.Dense[float64]
}

func (w *widened[T]) Next() (*matrix.Dense[float64], error) {
	if w.pos >= w.x.Rows {
		return nil, io.EOF
	}
	r1 := min(w.pos+whitenBlock, w.x.Rows)
	if w.buf == nil {
		w.buf = matrix.New[float64](min(whitenBlock, w.x.Rows), w.x.Cols)
	}
	b := w.buf.Slice(0, r1-w.pos, 0, w.x.Cols)
	for i := w.pos; i < r1; i++ {
		dst := b.Row(i - w.pos)
		for j, v := range w.x.Row(i) {
			dst[j] = float64(v)
		}
	}
	w.pos = r1
	return b, nil
}

func (w *widened[T]) Reset() error { w.pos = 0; return nil }
