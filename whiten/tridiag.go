package whiten

import "github.com/deepica/deepica/kernels"

// Blocking of tridiagonalize, from BenchmarkTridiag at N = 500 (the Gram
// matrix of the study): nb from 16 to 48 and nx 32 or 64 are all within
// noise of each other (12.9–13.7 ms against 20.6 ms unblocked), because
// the level-2 products A·v, which blocking cannot remove, are most of what
// is left. Wider panels make the GEMM faster but the per-column
// corrections by the panel's V and W longer; 32 is the middle. Below nx
// remaining rows a GEMM no longer pays for its packing.
const (
	tridiagNB = 32
	tridiagNX = 64
)

// tridiagonalize reduces the symmetric N×N row-major matrix a (both
// triangles stored) to tridiagonal form Qᵀ·A·Q = T, writing T's diagonal to
// d and off-diagonal to e, and leaves Q in LAPACK's dsytrd (uplo=L) layout —
// reflector i below the subdiagonal of column i, its scalar in tau[i] — so
// that dorgtr and dormqr apply it. The rest of a (the diagonal, the upper
// triangle) is left with scratch values; symEig reads only the reflectors.
//
// It is dsytrd's blocked algorithm (dlatrd for the panels) on full storage:
// tridiagonalizeUnblocked spends two thirds of its 2·N³ flops in rank-2
// updates, which are memory-bound Axpys; here the reflectors of a panel of
// tridiagNB columns are generated against the panel-start matrix, corrected
// on the fly by the panel's accumulated V and W, and the trailing matrix
// then takes all of them in one GEMM, A ← A − [V W]·[W V]ᵀ. The symmetric
// matrix-vector products stay level-2 (each needs the previous reflector)
// but are Dots over contiguous rows. (Splitting each A·v by rows over
// goroutines that spin between products gained only about 12 % at N = 500
// on two cores, for twice the CPU time, so it stays sequential.) Both triangles of the trailing matrix
// are updated, so rows can stand in for columns; the two triangles may
// differ by rounding (the GEMM sums V·Wᵀ and W·Vᵀ in different orders),
// which is a backward error of the same size as the GEMM's own.
//
// Everything runs in a fixed order through kernels.Dot, Axpy and Gemm,
// whose reductions do not depend on the thread count, so neither does the
// result.
func tridiagonalize(a []float64, N int, d, e, tau []float64) {
	tridiagBlocked(a, N, d, e, tau, tridiagNB, tridiagNX)
}

// tridiagBlocked is tridiagonalize with panels of nb ≥ 1 columns for as long
// as more than nx ≥ 0 rows would remain after the panel; the tests use small
// nb and nx to exercise panel boundaries on small matrices.
func tridiagBlocked(a []float64, N int, d, e, tau []float64, nb, nx int) {
	if N == 0 {
		return
	}
	if N-nb <= nx {
		tridiagUnblockedFrom(a, N, 0, d, e, tau)
		return
	}
	// vw holds the panel's reflectors and w vectors transposed, each a
	// contiguous row indexed by global row number: rows [0,nb) are Vᵀ,
	// [nb,2nb) are Wᵀ and [2nb,3nb) Vᵀ again, so that [V W] and [W V] are
	// both plain (2nb)×N slices for the one GEMM.
	vw := make([]float64, 3*nb*N)
	vt := vw[:nb*N]
	wt := vw[nb*N : 2*nb*N]
	vdup := vw[2*nb*N:]
	c := make([]float64, 2*nb) // Wᵀv then Vᵀv
	p := 0
	for ; N-p-nb > nx; p += nb {
		for j := 0; j < nb; j++ {
			i := p + j
			row := a[i*N+i : i*N+N] // column i from the diagonal down
			// Bring column i up to date with the panel's earlier reflectors.
			for k := 0; k < j; k++ {
				kernels.Axpy(-wt[k*N+i], vt[k*N+i:k*N+N], row)
				kernels.Axpy(-vt[k*N+i], wt[k*N+i:k*N+N], row)
			}
			m := N - i - 1
			x := row[1:]
			beta, t := lapackImpl.Dlarfg(m, x[0], x[1:], 1)
			d[i] = row[0]
			e[i] = beta
			tau[i] = t
			v := vt[j*N+i+1 : j*N+N]
			v[0] = 1
			copy(v[1:], x[1:])
			for r := 1; r < m; r++ {
				a[(i+1+r)*N+i] = v[r]
			}
			w := wt[j*N+i+1 : j*N+N]
			if t == 0 {
				// H = I: w = 0 keeps the update and later corrections exact.
				clear(w)
				continue
			}
			// w = τ·(A·v − V·(Wᵀv) − W·(Vᵀv)) with A the panel-start
			// trailing matrix: rows i+1… have not been touched since then
			// in columns i+1…, and they are contiguous.
			off := (i+1)*N + i + 1
			for r := 0; r < m; r++ {
				w[r] = kernels.Dot(a[off+r*N:off+r*N+m], v)
			}
			for k := 0; k < j; k++ {
				c[k] = kernels.Dot(wt[k*N+i+1:k*N+N], v)
				c[nb+k] = kernels.Dot(vt[k*N+i+1:k*N+N], v)
			}
			for k := 0; k < j; k++ {
				kernels.Axpy(-c[k], vt[k*N+i+1:k*N+N], w)
				kernels.Axpy(-c[nb+k], wt[k*N+i+1:k*N+N], w)
			}
			kernels.Scale(t, w)
			kernels.Axpy(-0.5*t*kernels.Dot(w, v), v, w)
		}
		q := p + nb
		n := N - q
		for k := 0; k < nb; k++ {
			copy(vdup[k*N+q:k*N+N], vt[k*N+q:k*N+N])
		}
		kernels.Gemm(kernels.Trans, kernels.NoTrans, n, n, 2*nb,
			-1, vw[q:], N, vw[nb*N+q:], N, 1, a[q*N+q:], N)
	}
	tridiagUnblockedFrom(a, N, p, d, e, tau)
}

// tridiagonalizeUnblocked is LAPACK's dsytd2 on full storage: one
// Householder reflector per column, then a symmetric matrix-vector product
// (a Dot per contiguous row) and a rank-2 update of both triangles of the
// trailing matrix (two Axpys per row), 2·N³ flops in all. It is the
// specification tridiagonalize is tested against, and its tail.
func tridiagonalizeUnblocked(a []float64, N int, d, e, tau []float64) {
	if N == 0 {
		return
	}
	tridiagUnblockedFrom(a, N, 0, d, e, tau)
}

// tridiagUnblockedFrom continues the reduction at column i0, the trailing
// matrix a[i0:, i0:] being up to date in both triangles.
func tridiagUnblockedFrom(a []float64, N, i0 int, d, e, tau []float64) {
	v := make([]float64, N)
	w := make([]float64, N)
	for i := i0; i < N-1; i++ {
		m := N - i - 1
		row := a[i*N+i+1 : i*N+N] // column i below the diagonal, by symmetry
		beta, t := lapackImpl.Dlarfg(m, row[0], row[1:], 1)
		d[i] = a[i*N+i]
		e[i] = beta
		tau[i] = t
		vv := v[:m]
		vv[0] = 1
		copy(vv[1:], row[1:])
		// Store the reflector where dorgtr/dormqr expect it.
		for r := 1; r < m; r++ {
			a[(i+1+r)*N+i] = vv[r]
		}
		if t == 0 {
			continue
		}
		ww := w[:m]
		off := (i+1)*N + i + 1
		for r := 0; r < m; r++ {
			ww[r] = t * kernels.Dot(a[off+r*N:off+r*N+m], vv)
		}
		kernels.Axpy(-0.5*t*kernels.Dot(ww, vv), vv, ww)
		for r := 0; r < m; r++ {
			rr := a[off+r*N : off+r*N+m]
			kernels.Axpy(-vv[r], ww, rr)
			kernels.Axpy(-ww[r], vv, rr)
		}
	}
	d[N-1] = a[(N-1)*N+N-1]
}
