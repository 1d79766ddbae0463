//go:build !purego

package kernels

// packA writes rows [i0, i0+rows) × reduction [p0, p0+kc) of op(A), minus
// shiftA, as one panel of mr rows: dst[p·mr+r]; rows ≥ rows are zero.
func packA[T Float](g *gemmArgs[T], dst []T, i0, rows, p0, kc, mr int) {
	dst = dst[:kc*mr]
	if rows < mr {
		clear(dst)
	}
	if g.transA { // op(A)[i][p] = A[p][i]: each p is a contiguous run of rows
		for p := 0; p < kc; p++ {
			src := g.a[(p0+p)*g.lda+i0 : (p0+p)*g.lda+i0+rows]
			d := dst[p*mr : p*mr+rows]
			if g.shiftA == nil {
				copy(d, src)
				continue
			}
			s := g.shiftA[i0 : i0+rows]
			for r, v := range src {
				d[r] = v - s[r]
			}
		}
		return
	}
	for r := 0; r < rows; r++ {
		src := g.a[(i0+r)*g.lda+p0 : (i0+r)*g.lda+p0+kc]
		var s T
		if g.shiftA != nil {
			s = g.shiftA[i0+r]
		}
		d := dst[r:]
		for p, v := range src {
			d[p*mr] = v - s
		}
	}
}

// packB writes reduction [p0, p0+kc) × columns [j0, j0+cols) of op(B),
// minus shiftB, as one panel of nr columns: dst[p·nr+q]; columns ≥ cols
// are zero.
func packB[T Float](g *gemmArgs[T], dst []T, j0, cols, p0, kc, nr int) {
	dst = dst[:kc*nr]
	if cols < nr {
		clear(dst)
	}
	if !g.transB { // op(B)[p][j] = B[p][j]: each p is a contiguous run
		for p := 0; p < kc; p++ {
			src := g.b[(p0+p)*g.ldb+j0 : (p0+p)*g.ldb+j0+cols]
			d := dst[p*nr : p*nr+cols]
			if g.shiftB == nil {
				copy(d, src)
				continue
			}
			s := g.shiftB[j0 : j0+cols]
			for q, v := range src {
				d[q] = v - s[q]
			}
		}
		return
	}
	for q := 0; q < cols; q++ {
		src := g.b[(j0+q)*g.ldb+p0 : (j0+q)*g.ldb+p0+kc]
		var s T
		if g.shiftB != nil {
			s = g.shiftB[j0+q]
		}
		d := dst[q:]
		for p, v := range src {
			d[p*nr] = v - s
		}
	}
}
