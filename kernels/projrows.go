package kernels

// ProjectRows computes the m projections of n samples stored one per row
// and centred on the fly:
//
//	dst[j, i] = Σ_l w[i, l]·(x[j, l] − mu[l])      (j < n, i < m)
//
// that is dst = (X − 1·muᵀ)·Wᵀ, with X n×k (leading dimension ldx ≥ k),
// mu of length k (nil means zero), W m×k (ldw) and dst n×m (ldd ≥ m). As in
// ICAStepRows the centring is exact in T (each sample is centred before it
// is multiplied), so a large mean costs no accuracy. FastICA computes its
// sources and transforms new data with it.
//
// Every row of dst depends only on its own sample and on its position in
// the call: rows are computed in blocks of ProjectRowsBlock samples counted
// from the call's first row, and the rows after the last whole block by a
// plain loop with its own order of summation. Callers that split the rows
// into calls at multiples of ProjectRowsBlock therefore get the same bits
// as one call; nor does the result depend on the thread count. dst must not
// overlap W, X or mu.
func ProjectRows[T Float](m, k, n int, w []T, ldw int, x []T, ldx int, mu []T, dst []T, ldd int) {
	checkMat("ProjectRows", "W", m, k, len(w), ldw)
	checkMat("ProjectRows", "X", n, k, len(x), ldx)
	checkMat("ProjectRows", "dst", n, m, len(dst), ldd)
	if mu != nil {
		checkSameLen("ProjectRows(mu)", len(mu), k)
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 { // empty sums
		for j := 0; j < n; j++ {
			clear(dst[j*ldd : j*ldd+m])
		}
		return
	}
	if is32[T]() {
		projectRows32(m, k, n, f32(w), ldw, f32(x), ldx, f32(mu), f32(dst), ldd)
		return
	}
	projectRows64(m, k, n, f64(w), ldw, f64(x), ldx, f64(mu), f64(dst), ldd)
}

// ProjectRowsBlock is the alignment, in samples, at which ProjectRows can
// be split into calls without changing its result (see ProjectRows): a
// multiple of every level's block (24, 32, 48 and 64 samples on amd64, this
// many in the reference).
const ProjectRowsBlock = 768

// projectRowsGeneric is the reference ProjectRows: per block of rows, the
// centred samples in scratch and one GEMM with Wᵀ.
func projectRowsGeneric[T Float](m, k, n int, w []T, ldw int, x []T, ldx int, mu []T, dst []T, ldd int) {
	const rows = ProjectRowsBlock
	blocks := ceilDiv(n, rows)
	workers := max(1, min(blocks, Threads()))
	buf, release := getScratch[T](workers * rows * k)
	defer release()
	parallelForWorker(blocks, func(wk, b int) {
		r0, r1 := b*rows, min(n, (b+1)*rows)
		xc := buf[wk*rows*k : (wk+1)*rows*k]
		projectRowsBlock(m, k, r0, r1, w, ldw, x, ldx, mu, xc, dst, ldd, serialGemm[T])
	})
}

// projectRowsBlock is rows [r0, r1) of the reference: centred into xc
// (compact, (r1−r0)×k), then dst = xc·Wᵀ by gemm.
func projectRowsBlock[T Float](m, k, r0, r1 int, w []T, ldw int, x []T, ldx int, mu, xc, dst []T, ldd int,
	gemm func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	nb := r1 - r0
	for j := 0; j < nb; j++ {
		row, c := x[(r0+j)*ldx:(r0+j)*ldx+k], xc[j*k:(j+1)*k]
		copy(c, row)
		if mu != nil {
			for l, v := range mu {
				c[l] -= v
			}
		}
	}
	gemm(NoTrans, Trans, nb, m, k, 1, xc, k, w, ldw, 0, dst[r0*ldd:], ldd)
}
