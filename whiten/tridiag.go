package whiten

import "github.com/deepica/deepica/kernels"

// tridiagonalize reduces the symmetric N×N row-major matrix a (both
// triangles stored) to tridiagonal form Qᵀ·A·Q = T, writing T's diagonal to
// d and off-diagonal to e, and leaves Q in LAPACK's dsytrd (uplo=L) layout —
// reflector i below the subdiagonal of column i, its scalar in tau[i] — so
// that dorgtr and dormqr apply it.
//
// It is dsytd2's algorithm (one Householder reflector per column: a
// symmetric matrix-vector product and a rank-2 update of the trailing
// matrix) on full storage instead of one triangle: every row of the
// trailing matrix is contiguous, so the product is a kernels.Dot per row
// and the update two kernels.Axpy per row. That is 2·N³ flops instead of
// (4/3)·N³ but at vector speed; gonum's blocked dsytrd spends most of its
// time in a scalar symmetric matrix-vector product. The loops are
// sequential and the kernels' reductions fixed, so the result does not
// depend on the thread count.
func tridiagonalize(a []float64, N int, d, e, tau []float64) {
	v := make([]float64, N)
	w := make([]float64, N)
	for i := 0; i < N-1; i++ {
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
