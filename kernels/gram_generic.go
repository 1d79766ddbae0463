package kernels

// gramGeneric is the reference Gram: the GEMM tiles on or below the diagonal
// are computed in parallel, then the strictly lower triangle is mirrored.
// shift, when not nil, centers the rows of op(A) (see CenteredGram).
func gramGeneric[T Float](trans bool, n, k int, alpha T, a []T, lda int, beta T, c []T, ldc int, shift []T) {
	g := gemmArgs[T]{transA: trans, transB: !trans, m: n, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: a, ldb: lda, c: c, ldc: ldc, shiftA: shift, shiftB: shift}
	var tiles [][2]int
	for ti := 0; ti*mcBlock < n; ti++ {
		last := ti*mcBlock + min(mcBlock, n-ti*mcBlock) - 1
		for tj := 0; tj*ncBlock <= last; tj++ {
			tiles = append(tiles, [2]int{ti, tj})
		}
	}
	parallelFor(len(tiles), func(t int) { g.tile(tiles[t][0], tiles[t][1]) })
	mirrorLower(n, c, ldc)
}

// mirrorLower copies the strictly lower triangle of the n×n matrix c onto
// the upper one.
func mirrorLower[T Float](n int, c []T, ldc int) {
	for i := 1; i < n; i++ {
		for j := 0; j < i; j++ {
			c[j*ldc+i] = c[i*ldc+j]
		}
	}
}
