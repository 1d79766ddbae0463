package fastica

import (
	"math"

	"github.com/deepica/deepica/kernels"
	"gonum.org/v1/gonum/lapack"
	lapackgo "gonum.org/v1/gonum/lapack/gonum"
)

// iterator holds everything the fixed-point iterations touch, allocated
// once, so that an iteration allocates nothing itself (the kernels it calls
// are accounted for separately in the tests).
type iterator[T kernels.Float] struct {
	opt  resolved
	k, n int
	x    []T // k×n whitened data, leading dimension n

	w, w1   []float64 // k×k current and next unmixing
	wt, out []T       // k×k (or 1×k) W in T and the step's output

	// symmetric decorrelation workspace
	m, t1, t2 []float64
	vals      []float64
	work      []float64

	// custom contrast path
	ublk []T
	acc  []T

	// rows path (x is nil): the samples in place, see rowsData; mt, outp
	// (m×p) and gp (m) are the kernel's W, output and mean g', a (p) a
	// row of the raw accumulation.
	rows         *rowsData[T]
	mt, outp, gp []T
	a            []float64
}

func newIterator[T kernels.Float](opt resolved, k, n int, x []T, rows *rowsData[T]) *iterator[T] {
	it := &iterator[T]{opt: opt, k: k, n: n, x: x, rows: rows,
		w: make([]float64, k*k), w1: make([]float64, k*k),
		wt: make([]T, k*k), out: make([]T, k*k),
		m: make([]float64, k*k), t1: make([]float64, k*k), t2: make([]float64, k*k),
		vals: make([]float64, k),
	}
	var q [1]float64
	lapackgo.Implementation{}.Dsyev(lapack.EVCompute, 'U', k, it.m, max(1, k), it.vals, q[:], -1)
	it.work = make([]float64, max(1, int(q[0])))
	if opt.Custom != nil {
		it.ublk = make([]T, k*customBlock)
		it.acc = make([]T, k*k)
	}
	if rows != nil {
		p := rows.p
		it.mt, it.outp, it.gp, it.a = make([]T, k*p), make([]T, k*p), make([]T, k), make([]float64, p)
	}
	return it
}

// step computes out = (1/n)·g(Wm·X)·Xᵀ − diag(mean g'(Wm·X))·Wm for the
// m×k matrix wm (already in T).
func (it *iterator[T]) step(m int, wm, out []T) {
	if it.opt.Custom != nil {
		it.customStep(m, wm, out)
		return
	}
	if it.rows != nil {
		it.rowsStep(m, wm, out)
		return
	}
	kernels.ICAStep(it.opt.Fun, T(it.opt.alpha), m, it.k, it.n, wm, it.k, it.x, it.n, out, it.k, nil)
}

// rowsStep is step on X1 = kw·(x − mu)ᵀ without X1: with M = Wm·kw (m×p),
// g(Wm·X1) = g(M·(x − mu)ᵀ), so ICAStepRows of M on the samples gives
// A = (1/n)·g(·)·(x − mu) (as its output plus diag(gp)·M) and
// (1/n)·g(Wm·X1)·X1ᵀ = A·kwᵀ. The small products are in float64; per
// iteration they cost 4·m·k·p flops against the kernel's 4·m·p·n.
func (it *iterator[T]) rowsStep(m int, wm, out []T) {
	rd, k, n := it.rows, it.k, it.n
	fun, alpha := it.opt.Fun, T(it.opt.alpha)
	if rd.kw == nil { // no whitening: W applies to the samples as they are
		kernels.ICAStepRows(fun, alpha, m, k, n, wm, k, rd.x, rd.ldx, nil, out, k, nil)
		return
	}
	p, kw := rd.p, rd.kw
	mt, outp, gp, a := it.mt[:m*p], it.outp[:m*p], it.gp[:m], it.a
	for i := 0; i < m; i++ {
		for l := 0; l < p; l++ {
			var s float64
			for j := 0; j < k; j++ {
				s += float64(wm[i*k+j]) * kw[j*p+l]
			}
			mt[i*p+l] = T(s)
		}
	}
	kernels.ICAStepRows(fun, alpha, m, p, n, mt, p, rd.x, rd.ldx, rd.mu, outp, p, gp)
	for i := 0; i < m; i++ {
		g := float64(gp[i])
		for l := 0; l < p; l++ {
			a[l] = float64(outp[i*p+l]) + g*float64(mt[i*p+l])
		}
		for j := 0; j < k; j++ {
			var s float64
			for l, v := range a {
				s += v * kw[j*p+l]
			}
			out[i*k+j] = T(s - g*float64(wm[i*k+j]))
		}
	}
}

// customBlock is the column-block width of the custom-contrast step.
const customBlock = 256

// customStep is step for a user-supplied contrast: U = W·X_blk by GEMM,
// g and g' by the user's function in float64, acc += g(U)·X_blkᵀ by GEMM. The
// blocks are visited in order and GEMM's reductions are fixed, so the
// result is deterministic.
func (it *iterator[T]) customStep(m int, wm, out []T) {
	k, n := it.k, it.n
	acc := it.acc[:m*k]
	clear(acc)
	// per-row sums of g' in float64, kept in t2 (free during the step)
	gsum := it.t2[:m]
	clear(gsum)
	for j0 := 0; j0 < n; j0 += customBlock {
		nb := min(customBlock, n-j0)
		u := it.ublk[:m*nb]
		kernels.Gemm(kernels.NoTrans, kernels.NoTrans, m, nb, k, 1, wm, k, it.x[j0:], n, 0, u, nb)
		for i := 0; i < m; i++ {
			row := u[i*nb : (i+1)*nb]
			s := 0.0
			for j, v := range row {
				g, dg := it.opt.Custom(float64(v))
				row[j] = T(g)
				s += dg
			}
			gsum[i] += s
		}
		kernels.Gemm(kernels.NoTrans, kernels.Trans, m, k, nb, 1, u, nb, it.x[j0:], n, 1, acc, k)
	}
	inv := 1 / float64(n)
	for i := 0; i < m; i++ {
		g := gsum[i] * inv
		for j := 0; j < k; j++ {
			out[i*k+j] = T(float64(acc[i*k+j])*inv - g*float64(wm[i*k+j]))
		}
	}
}

// symDecorrelate replaces the k×k matrix w by (w·wᵀ)^(−1/2)·w, computed as
// scikit-learn does: eigh(w·wᵀ) = U·diag(s)·Uᵀ, s clipped below at the
// smallest normal float64, then U·diag(1/√s)·Uᵀ·w.
func (it *iterator[T]) symDecorrelate(w []float64) {
	k := it.k
	m := it.m
	for i := 0; i < k; i++ {
		for j := 0; j <= i; j++ {
			m[i*k+j] = dot(w[i*k:(i+1)*k], w[j*k:(j+1)*k])
			m[j*k+i] = m[i*k+j]
		}
	}
	// Row-major Dsyev leaves the eigenvectors in the columns of m.
	lapackgo.Implementation{}.Dsyev(lapack.EVCompute, 'U', k, m, k, it.vals, it.work, len(it.work))
	for j, s := range it.vals {
		it.vals[j] = 1 / math.Sqrt(math.Max(s, 0x1p-1022))
	}
	t1 := it.t1 // U·diag(1/√s)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			t1[i*k+j] = m[i*k+j] * it.vals[j]
		}
	}
	t2 := it.t2 // t1·Uᵀ
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			var s float64
			for l := 0; l < k; l++ {
				s += t1[i*k+l] * m[j*k+l]
			}
			t2[i*k+j] = s
		}
	}
	for i := 0; i < k; i++ { // t1 ← t2·w, then w ← t1
		for j := 0; j < k; j++ {
			t1[i*k+j] = 0
		}
		for l := 0; l < k; l++ {
			a := t2[i*k+l]
			wr := w[l*k : (l+1)*k]
			tr := t1[i*k : (i+1)*k]
			for j, v := range wr {
				tr[j] += a * v
			}
		}
	}
	copy(w, t1)
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func toT[T kernels.Float](dst []T, src []float64) {
	for i, v := range src {
		dst[i] = T(v)
	}
}

func fromT[T kernels.Float](dst []float64, src []T) {
	for i, v := range src {
		dst[i] = float64(v)
	}
}

// parallelIteration runs one parallel FastICA iteration on it.w and returns
// lim; the new W is left in it.w.
func (it *iterator[T]) parallelIteration() float64 {
	k := it.k
	toT(it.wt, it.w)
	it.step(k, it.wt, it.out)
	fromT(it.w1, it.out)
	it.symDecorrelate(it.w1)
	lim := 0.0
	for i := 0; i < k; i++ {
		d := math.Abs(math.Abs(dot(it.w1[i*k:(i+1)*k], it.w[i*k:(i+1)*k])) - 1)
		if d > lim || math.IsNaN(d) {
			lim = d
		}
	}
	it.w, it.w1 = it.w1, it.w
	return lim
}

// runParallel is scikit-learn's _ica_par: W ← sym(W_init), then iterate.
// trace receives lim per iteration (capacity maxIter, so no allocation).
func (it *iterator[T]) runParallel(winit []float64, trace []float64) (nIter int, converged bool, trace2 []float64) {
	copy(it.w, winit)
	it.symDecorrelate(it.w)
	for nIter < it.opt.maxIter {
		lim := it.parallelIteration()
		nIter++
		trace = append(trace, lim)
		if lim < it.opt.tol {
			return nIter, true, trace
		}
	}
	return nIter, false, trace
}

// deflationIteration runs one iteration for component j (already found:
// rows 0..j−1 of it.w1, which holds the finished W), with the current unit
// vector in cur; the new vector replaces cur and lim is returned.
func (it *iterator[T]) deflationIteration(j int, cur []float64) float64 {
	k := it.k
	done := it.w1
	wt, out := it.wt[:k], it.out[:k]
	toT(wt, cur)
	it.step(1, wt, out)
	w1 := it.t1[:k]
	fromT(w1, out)
	// Gram–Schmidt: w1 −= (w1·W[:j]ᵀ)·W[:j]
	c := it.t2[:j]
	for l := 0; l < j; l++ {
		c[l] = dot(w1, done[l*k:(l+1)*k])
	}
	sub := it.m[:k]
	clear(sub)
	for l := 0; l < j; l++ {
		for i, v := range done[l*k : (l+1)*k] {
			sub[i] += c[l] * v
		}
	}
	for i := range w1 {
		w1[i] -= sub[i]
	}
	nrm := math.Sqrt(dot(w1, w1))
	for i := range w1 {
		w1[i] /= nrm
	}
	lim := math.Abs(math.Abs(dot(w1, cur)) - 1)
	copy(cur, w1)
	return lim
}

// runDeflation is scikit-learn's _ica_def. traces[j] receives component j's
// lim trace (capacity maxIter each).
func (it *iterator[T]) runDeflation(winit []float64, traces [][]float64, iters []int) (converged bool) {
	k := it.k
	clear(it.w1)
	converged = true
	cur := it.w[:k]
	for j := 0; j < k; j++ {
		copy(cur, winit[j*k:(j+1)*k])
		nrm := math.Sqrt(dot(cur, cur))
		for i := range cur {
			cur[i] /= nrm
		}
		ok := false
		for iters[j] < it.opt.maxIter {
			lim := it.deflationIteration(j, cur)
			iters[j]++
			traces[j] = append(traces[j], lim)
			if lim < it.opt.tol {
				ok = true
				break
			}
		}
		converged = converged && ok
		copy(it.w1[j*k:(j+1)*k], cur)
	}
	copy(it.w, it.w1)
	return converged
}
