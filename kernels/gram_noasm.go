//go:build purego || !(amd64 || arm64)

package kernels

func gram32(trans bool, n, k int, alpha float32, a []float32, lda int, beta float32, c []float32, ldc int, shift []float32) {
	gramGeneric(trans, n, k, alpha, a, lda, beta, c, ldc, shift)
}

func gram64(trans bool, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int, shift []float64) {
	gramGeneric(trans, n, k, alpha, a, lda, beta, c, ldc, shift)
}

func gramWide(trans bool, n, k int, alpha float64, a []float32, lda int, beta float64, c []float64, ldc int) {
	gramWideBlocks(trans, n, k, alpha, a, lda, beta, c, ldc)
}
