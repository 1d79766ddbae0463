//go:build !purego

package kernels

func gram32(trans bool, n, k int, alpha float32, a []float32, lda int, beta float32, c []float32, ldc int, shift []float32) {
	switch lvl := Impl(); lvl {
	case AVX2, AVX512:
		gramBlocked(lvl, trans, n, k, alpha, a, lda, beta, c, ldc, shift)
	default:
		gramGeneric(trans, n, k, alpha, a, lda, beta, c, ldc, shift)
	}
}

func gram64(trans bool, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int, shift []float64) {
	switch lvl := Impl(); lvl {
	case AVX2, AVX512:
		gramBlocked(lvl, trans, n, k, alpha, a, lda, beta, c, ldc, shift)
	default:
		gramGeneric(trans, n, k, alpha, a, lda, beta, c, ldc, shift)
	}
}

// gramBlocked is Gram on the assembly GEMM: only the micro-tiles that touch
// the lower triangle are computed, then the lower triangle is mirrored.
func gramBlocked[T Float](lvl Level, trans bool, n, k int, alpha T, a []T, lda int, beta T, c []T, ldc int, shift []T) {
	g := gemmArgs[T]{transA: trans, transB: !trans, m: n, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: a, ldb: lda, c: c, ldc: ldc, shiftA: shift, shiftB: shift}
	gemmBlocked(lvl, &g, true)
	mirrorLower(n, c, ldc)
}
