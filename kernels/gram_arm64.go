//go:build !purego

package kernels

func gram32(trans bool, n, k int, alpha float32, a []float32, lda int, beta float32, c []float32, ldc int, shift []float32) {
	if Impl() != NEON {
		gramGeneric(trans, n, k, alpha, a, lda, beta, c, ldc, shift)
		return
	}
	gramNEON(trans, n, k, alpha, a, lda, beta, c, ldc, shift)
}

func gram64(trans bool, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int, shift []float64) {
	if Impl() != NEON {
		gramGeneric(trans, n, k, alpha, a, lda, beta, c, ldc, shift)
		return
	}
	gramNEON(trans, n, k, alpha, a, lda, beta, c, ldc, shift)
}

// gramWide: the NEON packers read one element type, so the reduction is
// widened block by block.
func gramWide(trans bool, n, k int, alpha float64, a []float32, lda int, beta float64, c []float64, ldc int) {
	gramWideBlocks(trans, n, k, alpha, a, lda, beta, c, ldc)
}

// gramNEON computes the tiles of C that meet the lower triangle with the
// NEON GEMM tile (register tiles wholly above the diagonal skipped), in
// parallel, then mirrors the strictly lower triangle onto the upper one.
// The tiles are square (neonMC×neonGramNC), so the diagonal tiles waste
// little work; the reduction order per element is the GEMM's.
//
// Expected cost on a Neoverse-N1-class core: the lower triangle plus the
// diagonal register tiles, about n²k/2 + 4nk multiply-adds, at the
// micro-kernel's 8 (f32) or 4 (f64) multiply-adds per cycle (2 FMLA per
// cycle, gemm_arm64.s), plus packing, which reads op(A) twice per tile row
// and column pair (about 2k(n/128)n loads, < 5% for n ≥ 500). For the
// 500×27648 Gram that is 3.5e9 multiply-adds ≈ 0.44e9 cycles f32, 0.87e9 f64
// per core.
func gramNEON[T Float](trans bool, n, k int, alpha T, a []T, lda int, beta T, c []T, ldc int, shift []T) {
	g := gemmArgs[T]{transA: trans, transB: !trans, m: n, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: a, ldb: lda, c: c, ldc: ldc, shiftA: shift, shiftB: shift}
	var tiles [][2]int
	for i0 := 0; i0 < n; i0 += neonMC {
		last := min(n, i0+neonMC) - 1
		for j0 := 0; j0 <= last; j0 += neonGramNC {
			tiles = append(tiles, [2]int{i0, j0})
		}
	}
	parallelFor(len(tiles), func(t int) {
		bufs, release := getNEONPack[T]()
		defer release()
		neonTile(&g, tiles[t][0], tiles[t][1], neonMC, neonGramNC, true, bufs)
	})
	mirrorLower(n, c, ldc)
}
