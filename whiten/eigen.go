package whiten

import (
	"fmt"
	"math"

	"github.com/deepica/deepica/kernels"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/gonum"
)

var lapackImpl gonum.Implementation

// symEig computes the eigenvalues of the symmetric N×N row-major matrix a
// (both triangles hold the matrix; a is destroyed) in descending order, asks
// choose how many leading eigenvectors are wanted, and returns them as the
// columns of the row-major N×k matrix vecs. choose sees all N eigenvalues.
//
// Both methods share the first two steps: tridiagonalisation Qᵀ·A·Q = T
// (see tridiagonalize) and all eigenvalues of T by root-free QR (LAPACK's
// dsterf, O(N²)). EigenFull then forms Q (dorgtr) and runs implicit QL/QR on
// it (dsteqr), which is what dsyev does. EigenTopK computes the k wanted
// eigenvectors of T by inverse iteration (dstein's method, O(N·k) plus
// O(N·k²) within clusters) and applies Q to those k only (dormqr, 2·N²·k
// flops). If inverse iteration fails its residual test, the full method
// runs instead, so used reports what produced the vectors.
func symEig(a []float64, N int, method Eigensolver, choose func(vals []float64) (int, error)) (vals, vecs []float64, k int, used Eigensolver, err error) {
	if N == 0 {
		return nil, nil, 0, EigenFull, fmt.Errorf("whiten: empty eigenproblem")
	}
	for _, v := range a[:N*N] {
		if !finite(v) {
			return nil, nil, 0, EigenFull, fmt.Errorf("whiten: second-moment matrix (%d×%d) overflows: rescale the data", N, N)
		}
	}
	d := make([]float64, N)
	e := make([]float64, max(N-1, 1))
	tau := make([]float64, max(N-1, 1))
	var q [1]float64
	tridiagonalize(a, N, d, e, tau)
	work := make([]float64, 1)
	e = e[:max(N-1, 0)]
	tau = tau[:max(N-1, 0)]

	w := append([]float64(nil), d...)
	ew := append([]float64(nil), e...)
	if ok := lapackImpl.Dsterf(N, w, ew); !ok {
		return nil, nil, 0, EigenFull, fmt.Errorf("whiten: symmetric eigensolver (dsterf, N=%d) did not converge", N)
	}
	vals = make([]float64, N)
	for i := range vals {
		vals[i] = w[N-1-i]
	}
	if k, err = choose(vals); err != nil {
		return nil, nil, 0, EigenFull, err
	}
	if k == 0 {
		return vals, nil, 0, EigenFull, nil
	}
	if method == EigenTopK || (method == EigenAuto && 4*k <= N) {
		if z, ok := tridiagVectors(d, e, vals[:k]); ok {
			applyQ(a, N, tau, z, k)
			return vals, z, k, EigenTopK, nil
		}
	}
	// Full: form Q and let dsteqr rotate it into the eigenvectors.
	lapackImpl.Dorgtr(blas.Lower, N, a, N, tau, q[:], -1)
	if need := int(q[0]); need > len(work) {
		work = make([]float64, need)
	}
	lapackImpl.Dorgtr(blas.Lower, N, a, N, tau, work, len(work))
	if len(work) < max(1, 2*N-2) {
		work = make([]float64, 2*N)
	}
	ew = append(ew[:0], e...)
	w = append(w[:0], d...)
	if ok := lapackImpl.Dsteqr(lapack.EVOrig, N, w, ew, a, N, work); !ok {
		return nil, nil, 0, EigenFull, fmt.Errorf("whiten: symmetric eigensolver (dsteqr, N=%d) did not converge", N)
	}
	vecs = make([]float64, N*k)
	for i := 0; i < N; i++ {
		row := a[i*N : (i+1)*N]
		for j := 0; j < k; j++ {
			vecs[i*k+j] = row[N-1-j]
		}
	}
	return vals, vecs, k, EigenFull, nil
}

// applyQ overwrites the N×k row-major z with Q·z, Q being the orthogonal
// factor dsytrd (lower) left in a and tau: Q = H₀·…·H_{N−2}, reflector i
// stored below the subdiagonal of column i, i.e. a QR-form (N−1)×(N−1)
// factor starting at a[N] acting on rows 1…N−1 (row 0 of Q is e₀ᵀ).
//
// It is dormqr's blocked algorithm: the reflectors are taken qrBlock at a
// time, last block first, each block's product written I − V·T·Vᵀ
// (dlarft, T upper triangular qrBlock×qrBlock) and applied as three
// products z −= V·(T·(Vᵀ·z)). Those run on kernels.Gemm; gonum's dormqr
// does the same with its pure-Go dgemm, about 4 ms of a 500×500, top-40
// eigensolve here.
func applyQ(a []float64, N int, tau, z []float64, k int) {
	if N < 2 || k == 0 {
		return
	}
	const qrBlock = 32
	M := N - 1
	f, zz := a[N:], z[k:] // the QR-form factor (row stride N) and the rows it acts on
	v := make([]float64, M*qrBlock)
	t := make([]float64, qrBlock*qrBlock)
	w := make([]float64, qrBlock*k)
	tw := make([]float64, qrBlock*k)
	for j0 := (M - 1) / qrBlock * qrBlock; j0 >= 0; j0 -= qrBlock {
		nb := min(qrBlock, M-j0)
		m := M - j0
		// V (m×nb, row stride nb): unit diagonal, zeros above, the stored
		// reflectors below.
		for r := 0; r < m; r++ {
			row := v[r*nb : (r+1)*nb]
			src := f[(j0+r)*N+j0:]
			for c := range row {
				switch {
				case r > c:
					row[c] = src[c]
				case r == c:
					row[c] = 1
				default:
					row[c] = 0
				}
			}
		}
		clear(t[:nb*nb])
		lapackImpl.Dlarft(lapack.Forward, lapack.ColumnWise, m, nb, v, nb, tau[j0:j0+nb], t, nb)
		zb := zz[j0*k:]
		kernels.Gemm(kernels.Trans, kernels.NoTrans, nb, k, m, 1, v, nb, zb, k, 0, w, k)
		kernels.Gemm(kernels.NoTrans, kernels.NoTrans, nb, k, nb, 1, t, nb, w, k, 0, tw, k)
		kernels.Gemm(kernels.NoTrans, kernels.NoTrans, m, k, nb, -1, v, nb, tw, k, 1, zb, k)
	}
}

// tridiagVectors returns the eigenvectors of the symmetric tridiagonal T
// (diagonal d, off-diagonal e) for the eigenvalues lam (descending, from
// dsterf) as the columns of a row-major n×len(lam) matrix, by inverse
// iteration as in LAPACK's dstein: each shifted T−λI is factored once with
// partial pivoting (dgttrf), a deterministic start vector is solved against
// it repeatedly, and vectors whose eigenvalues lie within 1e-3·‖T‖₁ of each
// other (a cluster) are orthogonalised against each other (modified
// Gram–Schmidt, twice). Close eigenvalues in a cluster are separated by
// 10·ε·‖T‖₁ so their factorisations differ. ok is false if some vector fails
// the residual test ‖T·x − λ·x‖₂ ≤ 8·n·ε·‖T‖₁ within maxIter iterations.
func tridiagVectors(d, e, lam []float64) (z []float64, ok bool) {
	const maxIter = 10
	const eps = 0x1p-53
	n, k := len(d), len(lam)
	z = make([]float64, n*k)
	if n == 1 {
		for j := range lam {
			z[j] = 1
		}
		return z, k == 1
	}
	tnorm := lapackImpl.Dlanst(lapack.MaxColumnSum, n, d, e)
	if tnorm == 0 {
		return nil, false
	}
	ortol := 1e-3 * tnorm
	pertol := 10 * eps * tnorm
	resTol := 8 * float64(n) * eps * tnorm
	tiny := eps * tnorm

	lu := newTridiagLU(n)
	x := make([]float64, n)
	cols := make([][]float64, k) // the computed vectors, contiguous copies
	clusterStart := 0
	shift := 0.0
	rng := uint64(0x9E3779B97F4A7C15)
	for j := 0; j < k; j++ {
		s := lam[j]
		if j > 0 && lam[j-1]-lam[j] > ortol {
			clusterStart = j
		} else if j > 0 && s > shift-pertol {
			s = shift - pertol
		}
		shift = s
		lu.factor(d, e, s, tiny)
		for i := range x {
			rng = rng*6364136223846793005 + 1442695040888963407
			x[i] = float64(int64(rng>>11))/float64(1<<52) - 1
		}
		converged := false
		extra := 0
		for it := 0; it < maxIter; it++ {
			lu.solve(x)
			for pass := 0; pass < 2; pass++ {
				for _, c := range cols[clusterStart:j] {
					var dot float64
					for i, v := range c {
						dot += v * x[i]
					}
					for i, v := range c {
						x[i] -= dot * v
					}
				}
			}
			var nrm float64
			for _, v := range x {
				nrm += v * v
			}
			nrm = math.Sqrt(nrm)
			if nrm == 0 || !finite(nrm) {
				return nil, false
			}
			for i := range x {
				x[i] /= nrm
			}
			if tridiagResidual(d, e, lam[j], x) <= resTol {
				converged = true
				if extra++; extra >= 2 {
					break
				}
			}
		}
		if !converged {
			return nil, false
		}
		cols[j] = append([]float64(nil), x...)
		for i, v := range x {
			z[i*k+j] = v
		}
	}
	return z, true
}

// tridiagResidual returns ‖T·x − λ·x‖₂.
func tridiagResidual(d, e []float64, lambda float64, x []float64) float64 {
	n := len(d)
	var s float64
	for i := 0; i < n; i++ {
		r := (d[i] - lambda) * x[i]
		if i > 0 {
			r += e[i-1] * x[i-1]
		}
		if i < n-1 {
			r += e[i] * x[i+1]
		}
		s += r * r
	}
	return math.Sqrt(s)
}

// tridiagLU is the LU factorisation with partial pivoting of a tridiagonal
// matrix (LAPACK's dgttrf layout): U has diagonal dd and two
// superdiagonals du, du2; dl holds the multipliers; swap[i] says rows i and
// i+1 were interchanged.
type tridiagLU struct {
	dl, dd, du, du2 []float64
	swap            []bool
}

func newTridiagLU(n int) *tridiagLU {
	return &tridiagLU{dl: make([]float64, n), dd: make([]float64, n), du: make([]float64, n),
		du2: make([]float64, n), swap: make([]bool, n)}
}

// factor factors T − s·I; zero pivots are replaced by tiny, which is what
// makes inverse iteration with an exact eigenvalue work.
func (f *tridiagLU) factor(d, e []float64, s, tiny float64) {
	n := len(d)
	for i := 0; i < n; i++ {
		f.dd[i] = d[i] - s
		f.du2[i] = 0
		if i < n-1 {
			f.dl[i], f.du[i] = e[i], e[i]
		}
	}
	for i := 0; i < n-1; i++ {
		if math.Abs(f.dd[i]) >= math.Abs(f.dl[i]) {
			f.swap[i] = false
			if f.dd[i] == 0 {
				f.dd[i] = tiny
			}
			l := f.dl[i] / f.dd[i]
			f.dl[i] = l
			f.dd[i+1] -= l * f.du[i]
		} else {
			f.swap[i] = true
			l := f.dd[i] / f.dl[i]
			f.dd[i] = f.dl[i]
			f.dl[i] = l
			t := f.du[i]
			f.du[i] = f.dd[i+1]
			f.dd[i+1] = t - l*f.dd[i+1]
			if i < n-2 {
				f.du2[i] = f.du[i+1]
				f.du[i+1] = -l * f.du[i+1]
			}
		}
	}
	if f.dd[n-1] == 0 {
		f.dd[n-1] = tiny
	}
}

// solve overwrites b with (T − s·I)⁻¹·b.
func (f *tridiagLU) solve(b []float64) {
	n := len(b)
	for i := 0; i < n-1; i++ {
		if !f.swap[i] {
			b[i+1] -= f.dl[i] * b[i]
		} else {
			t := b[i]
			b[i] = b[i+1]
			b[i+1] = t - f.dl[i]*b[i]
		}
	}
	b[n-1] /= f.dd[n-1]
	if n > 1 {
		b[n-2] = (b[n-2] - f.du[n-2]*b[n-1]) / f.dd[n-2]
	}
	for i := n - 3; i >= 0; i-- {
		b[i] = (b[i] - f.du[i]*b[i+1] - f.du2[i]*b[i+2]) / f.dd[i]
	}
}
