//go:build !purego

package kernels

//go:generate go -C ../asm run ./gemm -out ../kernels/gemm_amd64.s -stubs ../kernels/gemm_stub_amd64.go -pkg kernels

func gemm32(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	switch lvl := Impl(); lvl {
	case AVX2, AVX512:
		g := gemmArgs[float32]{transA: tA, transB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta,
			a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
		gemmBlocked(lvl, &g, false)
	default:
		gemmGeneric(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

func gemm64(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	switch lvl := Impl(); lvl {
	case AVX2, AVX512:
		g := gemmArgs[float64]{transA: tA, transB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta,
			a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
		gemmBlocked(lvl, &g, false)
	default:
		gemmGeneric(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}
