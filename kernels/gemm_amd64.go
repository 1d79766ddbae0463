//go:build !purego

package kernels

func gemm32(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmGeneric(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemm64(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmGeneric(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
