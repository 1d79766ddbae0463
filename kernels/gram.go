package kernels

// Gram computes C = alpha·op(A)·op(A)ᵀ + beta·C for the n×n matrix C. With
// trans false, op(A) = A is n×k (C = A·Aᵀ, the Gram matrix of A's rows, the
// XXᵀ of a features×samples matrix); with trans true, A is k×n and
// op(A) = Aᵀ (C = Aᵀ·A, the XᵀX of a samples×features matrix). Only the
// lower triangle is computed; the upper one is a mirror copy, so C is
// exactly symmetric. beta = 0 overwrites C. Floating-point operations:
// about n²·k.
func Gram[T Float](trans bool, n, k int, alpha T, a []T, lda int, beta T, c []T, ldc int) {
	checkGram("Gram", trans, n, k, len(a), lda, len(c), ldc)
	if is32[T]() {
		gram32(trans, n, k, float32(alpha), f32(a), lda, float32(beta), f32(c), ldc, nil)
		return
	}
	gram64(trans, n, k, float64(alpha), f64(a), lda, float64(beta), f64(c), ldc, nil)
}

// GramWide is Gram of float32 data computed in float64: C = alpha·op(A)·
// op(A)ᵀ + beta·C with op(A) as in Gram, each float32 value widened to
// float64 (their products are then exact) and every sum carried in float64,
// as Gram[float64] of the widened matrix would compute it, without forming
// that matrix (the assembly levels widen while packing). It costs what the
// float64 Gram costs; whitening and eigen-solvers that must not inherit
// float32 sums (whose error grows with the reduction length, 27648 pixels
// for the study's images) use it.
func GramWide(trans bool, n, k int, alpha float64, a []float32, lda int, beta float64, c []float64, ldc int) {
	checkGram("GramWide", trans, n, k, len(a), lda, len(c), ldc)
	gramWide(trans, n, k, alpha, a, lda, beta, c, ldc)
}

// gramWideBlocks computes GramWide through gram64 on float64 copies of
// consecutive blocks of the reduction (about 4 MB each), accumulating into
// C: the path of levels without a widening packer and of Grams too large
// for the packed path.
func gramWideBlocks(trans bool, n, k int, alpha float64, a []float32, lda int, beta float64, c []float64, ldc int) {
	if n == 0 {
		return
	}
	w := max(256, (4<<20)/(8*n)/256*256) // reduction values per block
	buf := make([]float64, n*max(min(w, k), 1))
	for p0 := 0; p0 == 0 || p0 < k; p0 += w {
		kb := min(w, k-p0)
		ld := max(kb, 1) // trans false: buf is n×kb
		if trans {       // buf is kb×n: rows p0… of A, contiguous runs
			ld = n
			for p := 0; p < kb; p++ {
				for j, v := range a[(p0+p)*lda : (p0+p)*lda+n] {
					buf[p*n+j] = float64(v)
				}
			}
		} else if kb > 0 { // (A may be empty when k = 0)
			for i := 0; i < n; i++ {
				for j, v := range a[i*lda+p0 : i*lda+p0+kb] {
					buf[i*kb+j] = float64(v)
				}
			}
		}
		gram64(trans, n, kb, alpha, buf, ld, beta, c, ldc, nil)
		beta = 1
	}
}

// CenteredGram is Gram of the centered op(A): the mean of each of op(A)'s n
// rows (taken over the reduction dimension k) is subtracted before the
// product, so alpha = 1/(k−1) yields the sample covariance. The means are
// written to mean (length n) and are computed with float64 accumulation.
// C is overwritten. The centered matrix is never stored: the kernel centers
// blocks as it packs them.
func CenteredGram[T Float](trans bool, n, k int, alpha T, a []T, lda int, c []T, ldc int, mean []T) {
	checkGram("CenteredGram", trans, n, k, len(a), lda, len(c), ldc)
	checkSameLen("CenteredGram(mean)", len(mean), n)
	rowMeans(trans, n, k, a, lda, mean)
	if is32[T]() {
		gram32(trans, n, k, float32(alpha), f32(a), lda, 0, f32(c), ldc, f32(mean))
		return
	}
	gram64(trans, n, k, float64(alpha), f64(a), lda, 0, f64(c), ldc, f64(mean))
}

// rowMeans writes the mean of each row of op(A) into mean, accumulating in
// float64 in a fixed order.
func rowMeans[T Float](trans bool, n, k int, a []T, lda int, mean []T) {
	if k == 0 || n == 0 {
		// Also guards the transposed loop, which would slice a[p·lda:] of an
		// empty A (k×0 spans no elements).
		clear(mean)
		return
	}
	if !trans {
		for i := 0; i < n; i++ {
			var s float64
			for _, v := range a[i*lda : i*lda+k] {
				s += float64(v)
			}
			mean[i] = T(s / float64(k))
		}
		return
	}
	// Column sums of the k×n A: a pass over all of it, as long as the Gram
	// that follows reads it, and it is memory-bound, so it is cut into
	// fixed chunks of rows summed in parallel and added in chunk order
	// (the same bits at any thread count), each chunk four rows at a time.
	chunks := ceilDiv(k, meanChunkRows)
	parts := make([]float64, chunks*n)
	parallelFor(chunks, func(c int) {
		acc := parts[c*n : (c+1)*n]
		p, p1 := c*meanChunkRows, min(k, (c+1)*meanChunkRows)
		for ; p+4 <= p1; p += 4 {
			r0 := a[p*lda : p*lda+n]
			r1 := a[(p+1)*lda : (p+1)*lda+n]
			r2 := a[(p+2)*lda : (p+2)*lda+n]
			r3 := a[(p+3)*lda : (p+3)*lda+n]
			for j, v := range r0 {
				acc[j] += (float64(v) + float64(r1[j])) + (float64(r2[j]) + float64(r3[j]))
			}
		}
		for ; p < p1; p++ {
			for j, v := range a[p*lda : p*lda+n] {
				acc[j] += float64(v)
			}
		}
	})
	for c := 1; c < chunks; c++ {
		for j, v := range parts[c*n : (c+1)*n] {
			parts[j] += v
		}
	}
	for j := range mean {
		mean[j] = T(parts[j] / float64(k))
	}
}

// meanChunkRows is the number of rows of A whose column sums rowMeans adds
// up apart.
const meanChunkRows = 1 << 14

func checkGram(kernel string, trans bool, n, k, la, lda, lc, ldc int) {
	if trans {
		checkMat(kernel, "A", k, n, la, lda)
	} else {
		checkMat(kernel, "A", n, k, la, lda)
	}
	checkMat(kernel, "C", n, n, lc, ldc)
}
