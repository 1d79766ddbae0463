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
	acc := make([]float64, n)
	for p := 0; p < k; p++ {
		for j, v := range a[p*lda : p*lda+n] {
			acc[j] += float64(v)
		}
	}
	for j := range acc {
		mean[j] = T(acc[j] / float64(k))
	}
}

func checkGram(kernel string, trans bool, n, k, la, lda, lc, ldc int) {
	if trans {
		checkMat(kernel, "A", k, n, la, lda)
	} else {
		checkMat(kernel, "A", n, k, la, lda)
	}
	checkMat(kernel, "C", n, n, lc, ldc)
}
