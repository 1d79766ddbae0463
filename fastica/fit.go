package fastica

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/whiten"
	"gonum.org/v1/gonum/mat"
)

// Model is a fitted FastICA model. All matrices are float64 whatever the
// input type. With k components and p features:
//
//	sources = (X − Mean)·Componentsᵀ          (Transform)
//	X ≈ sources·Mixingᵀ + Mean                 (InverseTransform)
//	Components = Unmixing·Whitening
type Model struct {
	NFeatures, NComponents int
	// Components is k×p (scikit-learn's components_).
	Components *matrix.Dense[float64]
	// Mixing is p×k, the pseudo-inverse of Components (mixing_).
	Mixing *matrix.Dense[float64]
	// Mean is the feature mean (length p); nil with NoWhitening.
	Mean []float64
	// Whitening is k×p, scikit-learn's whitening_ = diag(1/σ)·Vᵀ (without
	// the √n applied to the data during the fit); nil with NoWhitening.
	Whitening *matrix.Dense[float64]
	// Unmixing is the k×k matrix W applied to the whitened data
	// (scikit-learn's _unmixing), after unit-variance rescaling.
	Unmixing *matrix.Dense[float64]

	Algorithm Algorithm
	Contrast  string // "logcosh", "exp", "cube" or "custom"
	Whiten    Whitening
	// NIter is the number of iterations: for Deflation the largest count of
	// any component, as scikit-learn's n_iter_.
	NIter int
	// Converged is false when the iteration limit was reached before the
	// tolerance (for Deflation: by any component). Results are still
	// returned; Warnings says so too.
	Converged bool
	// Trace is lim after each iteration (Parallel).
	Trace []float64
	// ComponentTraces[j] is component j's lim trace and ComponentIters[j]
	// its iteration count (Deflation).
	ComponentTraces [][]float64
	ComponentIters  []int
	// WhitenSolver is the matrix the whitening decomposed ("covariance" or
	// "gram"), empty with NoWhitening.
	WhitenSolver string
	// Warnings lists non-fatal conditions: rank clipping, zero-variance
	// directions, whitening sign fallbacks, non-convergence.
	Warnings []string
	// Timings are the wall-clock durations of the stages of the fit, and
	// CPUTimings the process CPU time (user + system, all threads, zero
	// where the platform does not report it) spent in them.
	Timings, CPUTimings Timings
}

// Timings are durations of Fit's stages.
type Timings struct {
	Whiten, Iterate, Sources, Finish time.Duration
	// SinkWait is the part of Sources that FitStream spent waiting for its
	// sink: all of the sink's time when it runs in line, only what the
	// computation could not hide when it runs alongside (several threads).
	SinkWait time.Duration
}

// Fit fits FastICA to x (n_samples × n_features, at least 2 samples, finite)
// and returns the model and the sources (n_samples × k, type T), as
// scikit-learn's fit_transform.
func Fit[T kernels.Float](x *matrix.Dense[T], opt Options) (*Model, *matrix.Dense[T], error) {
	return fit(x, opt, nil, nil)
}

// FitGram is Fit of g's data whose whitening, where it uses the Gram solver
// on float64 data, starts from the shared X·Xᵀ (whiten.ForICAGram); the
// result is identical. float32 data are whitened in float64, so their
// float32 Gram is not used.
func FitGram[T kernels.Float](g *whiten.Gram[T], opt Options) (*Model, *matrix.Dense[T], error) {
	return fit(g.Data(), opt, nil, g)
}

// SourceSink receives the sources n×k in consecutive row blocks: block
// holds rows r0 … r0+block.Rows−1 (compact, row-major). Its storage is
// reused once the sink returns; an error from the sink ends the fit.
type SourceSink[T kernels.Float] func(r0 int, block *matrix.Dense[T]) error

// FitStream fits like Fit but hands the sources to sink in row blocks
// instead of returning them, after the model is complete (so Model's
// fields are final when sink runs). With whitening, float64 data (or
// arbitrary-variance whitening) and no canonical order, the sources are
// never stored whole: each block is computed from the whitened data (or,
// when the iterations ran on the samples in place, from the samples) as it
// is handed over, which saves an n×k allocation and its page faults. Other
// settings compute them as Fit does and then hand them over. The blocks
// hold exactly Fit's values. The time the sink takes counts in the
// Sources timings (Timings.SinkWait says how much of it). With more than
// one kernel thread (kernels.Threads) the sink runs on a goroutine of its
// own, locked to an OS thread, while the next block is computed (two
// buffers), so writing the sources overlaps computing them; it is still
// called once per block, in order, never concurrently with itself.
func FitStream[T kernels.Float](x *matrix.Dense[T], opt Options, sink SourceSink[T]) (*Model, error) {
	if sink == nil {
		return nil, errors.New("fastica: FitStream needs a sink")
	}
	m, _, err := fit(x, opt, sink, nil)
	return m, err
}

func fit[T kernels.Float](x *matrix.Dense[T], opt Options, sink SourceSink[T], gram *whiten.Gram[T]) (*Model, *matrix.Dense[T], error) {
	ro, err := opt.resolve()
	if err != nil {
		return nil, nil, err
	}
	// whiten.ForICA validates the data (finite values included); without
	// whitening it is checked here, so large inputs are scanned once.
	if err := checkInput(x, ro.Whiten == NoWhitening); err != nil {
		return nil, nil, err
	}
	n, p := x.Rows, x.Cols
	mdl := &Model{NFeatures: p, Algorithm: ro.Algorithm, Contrast: ro.contrastName(), Whiten: ro.Whiten}

	t0, c0 := time.Now(), ProcessCPU()
	var (
		x1   []T          // k×n data the iterations run on, or
		rows *rowsData[T] // the samples they run on in place
		k    int
		wh   *white[T]
	)
	if ro.Whiten == NoWhitening {
		if ro.Components != 0 && ro.Components != p {
			return nil, nil, fmt.Errorf("fastica: %d components requested without whitening: the number of components is the number of features (%d)", ro.Components, p)
		}
		k = p
		if ro.Custom == nil {
			rows = &rowsData[T]{x: x.Data, ldx: x.Stride, p: p}
		} else {
			x1 = x.T().Data
		}
	} else {
		if lim := min(n, p); ro.Components > lim {
			return nil, nil, fmt.Errorf("fastica: %d components requested, data (%d×%d) has at most %d", ro.Components, n, p, lim)
		}
		wh, err = whitenData(x, ro, gram)
		if err != nil {
			return nil, nil, fmt.Errorf("fastica: %w", err)
		}
		if ro.Components != 0 && wh.k < ro.Components {
			return nil, nil, fmt.Errorf("fastica: %d components requested, data (%d×%d) has rank %d", ro.Components, n, p, wh.rank)
		}
		mdl.Warnings = append(mdl.Warnings, wh.warns...)
		k = wh.k
		x1, rows = wh.x1, wh.rows
		mdl.WhitenSolver = wh.solver
		mdl.Mean = wh.mean
		mdl.Whitening = wh.K
	}
	mdl.NComponents = k
	mdl.Timings.Whiten, mdl.CPUTimings.Whiten = time.Since(t0), ProcessCPU()-c0

	winit, err := initialW(ro, k)
	if err != nil {
		return nil, nil, err
	}
	t0, c0 = time.Now(), ProcessCPU()
	it := newIterator(ro, k, n, x1, rows)
	if ro.Algorithm == Parallel {
		mdl.NIter, mdl.Converged, mdl.Trace = it.runParallel(winit, make([]float64, 0, ro.maxIter))
	} else {
		mdl.ComponentTraces = make([][]float64, k)
		for j := range mdl.ComponentTraces {
			mdl.ComponentTraces[j] = make([]float64, 0, ro.maxIter)
		}
		mdl.ComponentIters = make([]int, k)
		mdl.Converged = it.runDeflation(winit, mdl.ComponentTraces, mdl.ComponentIters)
		for _, c := range mdl.ComponentIters {
			mdl.NIter = max(mdl.NIter, c)
		}
	}
	if !mdl.Converged {
		mdl.Warnings = append(mdl.Warnings, fmt.Sprintf("fastica: did not converge in %d iterations (tol %g); increase max_iter or tol", ro.maxIter, ro.tol))
	}
	mdl.Timings.Iterate, mdl.CPUTimings.Iterate = time.Since(t0), ProcessCPU()-c0
	w := it.w
	for _, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, errors.New("fastica: the iterations produced non-finite values (degenerate data or contrast)")
		}
	}

	// Sources: S = W·K·Xcᵀ as scikit-learn, transposed to n×k. With
	// whitening and X1 formed (k < p, or a custom contrast) it is
	// X1ᵀ·Wᵀ/√n from the whitened data, centred already, k·k·n flops
	// against k·p·n from the input. When the iterations ran on the samples
	// in place (k = p), there is no X1 and S is (X − mean)·(W·K)ᵀ from
	// centred row blocks of X (wh.sources).
	t0, c0 = time.Now(), ProcessCPU()
	var s *matrix.Dense[T]
	wm := &matrix.Dense[float64]{Rows: k, Cols: k, Stride: k, Data: w}
	// stream: compute S block by block after the model is final.
	// The sources' std is known before S when X1's second moments are in
	// float64: float64 data, or float32 data whose float64 X1 was
	// accumulated during whitening, or data iterated in place, whose X1
	// moments come from the whitening's scatter matrix (wh.g1).
	stdFirst := wh != nil && (is64[T]() || wh.g1 != nil)
	stream := sink != nil && wh != nil && ro.Order == OrderNone && (ro.Whiten != UnitVariance || stdFirst)
	var std []float64 // per-source standard deviation, when known before S
	if ro.Whiten == UnitVariance && stdFirst {
		g := wh.g1
		if g == nil {
			g = x1Gram(x1, k, n)
		}
		std = whiteSourceStd(w, g, k, n)
		if err := checkStd(std); err != nil {
			return nil, nil, err
		}
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				w[i*k+j] /= std[i]
			}
		}
	}
	switch {
	case stream:
	case wh != nil:
		s = matrix.New[T](n, k)
		compute := wh.sources(w)
		for r0 := 0; r0 < n; r0 += sourceBlock {
			compute(r0, min(r0+sourceBlock, n), s.Data[r0*k:])
		}
	default:
		s = project(x, nil, wm)
	}
	if wh != nil && !stream {
		wh.x1 = nil // let the whitened copy go before the sources are scaled
	}
	if ro.Whiten == UnitVariance && std == nil {
		std = sourceStd(s)
		if err := checkStd(std); err != nil {
			return nil, nil, err
		}
		inv := make([]T, k)
		for j, sd := range std {
			inv[j] = T(1 / sd)
		}
		for i := 0; i < n; i++ {
			kernels.Mul(s.Row(i), s.Row(i), inv)
		}
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				w[i*k+j] /= std[i]
			}
		}
	}
	mdl.Timings.Sources, mdl.CPUTimings.Sources = time.Since(t0), ProcessCPU()-c0

	t0, c0 = time.Now(), ProcessCPU()
	mdl.Unmixing = matrix.New[float64](k, k)
	copy(mdl.Unmixing.Data, w)
	if wh != nil {
		mdl.Components = mul(mdl.Unmixing, mdl.Whitening)
	} else {
		mdl.Components = mdl.Unmixing.Clone()
	}
	ok := false
	if wh != nil {
		mdl.Mixing, ok = pinvWhitened(mdl.Unmixing, mdl.Whitening, wh.sigma)
	}
	if !ok {
		if mdl.Mixing, err = pinv(mdl.Components); err != nil {
			return nil, nil, err
		}
	}
	canonicalise(mdl, s, ro.Order, ro.FixSign)
	mdl.Timings.Finish, mdl.CPUTimings.Finish = time.Since(t0), ProcessCPU()-c0
	if sink == nil {
		return mdl, s, nil
	}

	t0, c0 = time.Now(), ProcessCPU()
	if stream {
		compute := wh.sources(mdl.Unmixing.Data)
		if mdl.Timings.SinkWait, err = streamBlocks(n, k, compute, sink); err != nil {
			return nil, nil, err
		}
	} else {
		for r0 := 0; r0 < n; r0 += sourceBlock {
			t := time.Now()
			err := sink(r0, s.Slice(r0, min(r0+sourceBlock, n), 0, k))
			mdl.Timings.SinkWait += time.Since(t)
			if err != nil {
				return nil, nil, err
			}
		}
	}
	mdl.Timings.Sources += time.Since(t0)
	mdl.CPUTimings.Sources += ProcessCPU() - c0
	return mdl, nil, nil
}

// sourceBlock is the number of source rows computed (and handed to a
// FitStream sink) at a time: 3072×40 float64 is 1 MB, in L2. A multiple of
// kernels.ProjectRowsBlock, so Fit and FitStream agree bit for bit.
const sourceBlock = 4 * kernels.ProjectRowsBlock

// sources returns the function computing rows [r0, r1) of the sources for
// the k×k unmixing w into dst (compact, (r1−r0)×k): whiteSources from X1,
// or centred row blocks of the samples. Fit and FitStream use it with the same
// blocks, so their sources agree bit for bit.
func (wh *white[T]) sources(w []float64) func(r0, r1 int, dst []T) {
	k := wh.k
	if rd := wh.rows; rd != nil {
		// S = X1ᵀ·Wᵀ/√n = (x − mu)·(W·K)ᵀ
		wk := mul(&matrix.Dense[float64]{Rows: k, Cols: k, Stride: k, Data: w}, wh.K)
		c := make([]T, len(wk.Data))
		toT(c, wk.Data)
		return func(r0, r1 int, dst []T) {
			kernels.ProjectRows(k, rd.p, r1-r0, c, rd.p, rd.x[r0*rd.ldx:], rd.ldx, rd.mu, dst, k)
		}
	}
	wt := make([]T, k*k)
	toT(wt, w)
	n := len(wh.x1) / max(k, 1)
	return func(r0, r1 int, dst []T) { whiteSources(wh.x1, n, k, wh.scale, wt, r0, r1, dst) }
}

// whiteSources writes rows [r0, r1) of S = X1ᵀ·Wᵀ/scale (X1 k×n with
// leading dimension n, Wᵀ given as the k×k W) into dst (compact,
// (r1−r0)×k). Fit and FitStream call it with the same blocks, so their
// sources agree bit for bit.
func whiteSources[T kernels.Float](x1 []T, n, k int, scale float64, w []T, r0, r1 int, dst []T) {
	kernels.Gemm(kernels.Trans, kernels.Trans, r1-r0, k, k, T(1/scale), x1[r0:], n, w, k, 0, dst, k)
}

func checkStd(std []float64) error {
	for j, sd := range std {
		if !(sd > 0) {
			return fmt.Errorf("fastica: source %d has zero variance", j)
		}
	}
	return nil
}

// whiteSourceStd returns the population standard deviation of each source
// S = X1ᵀ·Wᵀ/√n before S exists, from the second moments G = X1·X1ᵀ of
// the whitened data (float64): Σᵢ S[i,j]² = (W·G·Wᵀ)ⱼⱼ/n. X1's rows are
// centred by construction, so the sources' means are zero up to rounding
// and the mean² term that np.std subtracts is below the rounding of the
// sums. This lets S be computed already scaled: no second pass to measure
// it and a third to divide.
func whiteSourceStd(w, g []float64, k, n int) []float64 {
	std := make([]float64, k)
	for j := 0; j < k; j++ {
		wj := w[j*k : (j+1)*k]
		var q float64
		for a, wa := range wj {
			var r float64
			for b, wb := range wj {
				r += g[a*k+b] * wb
			}
			q += wa * r
		}
		std[j] = math.Sqrt(math.Max(q, 0) / float64(n) / float64(n))
	}
	return std
}

// x1Gram returns X1·X1ᵀ (k×k) in float64 (float32 X1 summed in float64
// by kernels.GramWide; one Gram pass, half the flops of computing S).
func x1Gram[T kernels.Float](x1 []T, k, n int) []float64 {
	g := make([]float64, k*k)
	if x32, ok := any(x1).([]float32); ok {
		kernels.GramWide(kernels.NoTrans, k, n, 1, x32, n, 0, g, k)
		return g
	}
	kernels.Gram(kernels.NoTrans, k, n, 1, any(x1).([]float64), n, 0, g, k)
	return g
}

func is64[T kernels.Float]() bool {
	var z T
	_, ok := any(z).(float64)
	return ok
}

func checkInput[T kernels.Float](x *matrix.Dense[T], finite bool) error {
	if x == nil {
		return errors.New("fastica: input is nil")
	}
	if x.Rows < 2 {
		return fmt.Errorf("fastica: input has %d samples, need at least 2", x.Rows)
	}
	if x.Cols < 1 {
		return errors.New("fastica: input has no features")
	}
	if x.Stride < x.Cols || len(x.Data) < (x.Rows-1)*x.Stride+x.Cols {
		return fmt.Errorf("fastica: input (%d×%d, stride %d) has inconsistent storage", x.Rows, x.Cols, x.Stride)
	}
	if finite {
		if err := x.CheckFinite(); err != nil {
			return fmt.Errorf("fastica: input %w", err)
		}
	}
	return nil
}

// initialW returns the k×k w_init: Options.WInit or a seeded standard
// normal draw.
func initialW(ro resolved, k int) ([]float64, error) {
	w := make([]float64, k*k)
	if ro.WInit != nil {
		wi := ro.WInit
		if wi.Rows != k || wi.Cols != k {
			return nil, fmt.Errorf("fastica: w_init is %d×%d, want %d×%d", wi.Rows, wi.Cols, k, k)
		}
		if err := wi.CheckFinite(); err != nil {
			return nil, fmt.Errorf("fastica: w_init %w", err)
		}
		for i := 0; i < k; i++ {
			copy(w[i*k:(i+1)*k], wi.Row(i))
		}
		return w, nil
	}
	rng := rand.New(rand.NewPCG(ro.Seed, 0x9e3779b97f4a7c15))
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	return w, nil
}

func toFloat64[T kernels.Float](v []T) []float64 {
	out := make([]float64, len(v))
	fromT(out, v)
	return out
}

// columnStd returns the population standard deviation (ddof 0) of each
// column, accumulated in float64 with the mean subtracted first.
func columnStd[T kernels.Float](s *matrix.Dense[T]) []float64 {
	n, k := s.Rows, s.Cols
	mean := make([]float64, k)
	for i := 0; i < n; i++ {
		for j, v := range s.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	ss := make([]float64, k)
	for i := 0; i < n; i++ {
		for j, v := range s.Row(i) {
			d := float64(v) - mean[j]
			ss[j] += d * d
		}
	}
	for j := range ss {
		ss[j] = math.Sqrt(ss[j] / float64(n))
	}
	return ss
}

// sourceStd returns the population standard deviation (ddof 0) of each
// column of the sources in one pass: Σs and Σs² in float64. The columns are
// projections of centred data, so their mean is zero up to rounding and
// Σs²/n − mean² loses nothing to cancellation.
func sourceStd[T kernels.Float](s *matrix.Dense[T]) []float64 {
	n, k := s.Rows, s.Cols
	sum := make([]float64, k)
	ss := make([]float64, k)
	for i := 0; i < n; i++ {
		for j, v := range s.Row(i) {
			f := float64(v)
			sum[j] += f
			ss[j] += f * f
		}
	}
	for j := range ss {
		m := sum[j] / float64(n)
		ss[j] = math.Sqrt(math.Max(ss[j]/float64(n)-m*m, 0))
	}
	return ss
}

// mul returns a·b (float64). Components = Unmixing·Whitening is k×k times
// k×p, with p in the tens of thousands for image data, hence GEMM.
func mul(a, b *matrix.Dense[float64]) *matrix.Dense[float64] {
	out := matrix.New[float64](a.Rows, b.Cols)
	if a.Rows == 0 || b.Cols == 0 || a.Cols == 0 {
		return out
	}
	kernels.Gemm(kernels.NoTrans, kernels.NoTrans, a.Rows, b.Cols, a.Cols, 1, a.Data, a.Stride, b.Data, b.Stride, 0, out.Data, out.Stride)
	return out
}

// pinv returns the Moore–Penrose pseudo-inverse of a (r×c → c×r) by SVD,
// cutting singular values below max(r, c)·eps·σ₁ as scipy.linalg.pinv.
// The product V·diag(1/σ)·Uᵀ (c·r·min(r,c) flops, 44 M for 40 components
// of 27648 pixels) runs on GEMM.
func pinv(a *matrix.Dense[float64]) (*matrix.Dense[float64], error) {
	var svd mat.SVD
	if !svd.Factorize(matrix.Gonum(a), mat.SVDThin) {
		return nil, errors.New("fastica: SVD of the components failed")
	}
	sv := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	cut := float64(max(a.Rows, a.Cols)) * 0x1p-52 * sv[0]
	out := matrix.New[float64](a.Cols, a.Rows)
	rk := len(sv)
	// vs = V·diag(1/σ) with cut directions zeroed (c×rk, compact).
	vr := v.RawMatrix()
	vs := make([]float64, a.Cols*rk)
	for i := 0; i < a.Cols; i++ {
		for l, s := range sv {
			if s > cut {
				vs[i*rk+l] = vr.Data[i*vr.Stride+l] / s
			}
		}
	}
	ur := u.RawMatrix()
	kernels.Gemm(kernels.NoTrans, kernels.Trans, a.Cols, a.Rows, rk, 1, vs, rk, ur.Data, ur.Stride, 0, out.Data, out.Stride)
	return out, nil
}
