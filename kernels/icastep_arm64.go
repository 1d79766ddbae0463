//go:build !purego

package kernels

func icaStep32(f Contrast, alpha float32, m, k, n int, w []float32, ldw int, x []float32, ldx int, out []float32, ldo int, gpMean []float32) {
	if Impl() != NEON {
		icaStepGeneric(f, alpha, m, k, n, w, ldw, x, ldx, out, ldo, gpMean)
		return
	}
	icaStepNEON(f, alpha, m, k, n, w, ldw, x, ldx, out, ldo, gpMean)
}

func icaStep64(f Contrast, alpha float64, m, k, n int, w []float64, ldw int, x []float64, ldx int, out []float64, ldo int, gpMean []float64) {
	if Impl() != NEON {
		icaStepGeneric(f, alpha, m, k, n, w, ldw, x, ldx, out, ldo, gpMean)
		return
	}
	icaStepNEON(f, alpha, m, k, n, w, ldw, x, ldx, out, ldo, gpMean)
}

// icaStepNEON is the reference ICAStep (icastep_generic.go) with its three
// stages on NEON: per contrastBlock-wide block of X's columns,
// U = W·X_blk (NEON micro-kernel), U ← g(U) with Σg' (NEON contrast), and
// acc += U·X_blkᵀ. The block (k×256 values, 40 KiB for k = 40 f32) and U
// stay in L1/L2, so X is streamed from memory once per call. Chunks of
// icaChunk columns are summed separately and added in chunk order, so the
// result does not depend on the thread count.
//
// Expected cost per column of X on a Neoverse-N1-class core, for m = k = 40:
// the two GEMMs are 2·m·k = 3200 multiply-adds, 400 cycles f32 (8 per cycle)
// or 800 f64 (4 per cycle); the contrast is m evaluations, about 13 cycles
// each for logcosh and 9 for exp (contrast_arm64.s; float32 uses the float64
// evaluator), so 360–520 cycles: the contrast is about 40% of the step in
// float64 and more than half in float32. Packing the X block twice costs
// about 2k loads and stores per column, small beside both.
func icaStepNEON[T Float](f Contrast, alpha T, m, k, n int, w []T, ldw int, x []T, ldx int, out []T, ldo int, gpMean []T) {
	chunks := ceilDiv(n, icaChunk)
	per := m*k + m
	workers := max(1, min(chunks, Threads()))
	part, release := getScratch[T](chunks*per + workers*m*contrastBlock)
	defer release()
	parts, ubufs := part[:chunks*per], part[chunks*per:]
	parallelForWorker(chunks, func(wk, c int) {
		bufs, rel := getNEONPack[T]()
		defer rel()
		u := ubufs[wk*m*contrastBlock : (wk+1)*m*contrastBlock]
		acc := parts[c*per : c*per+m*k]
		gps := parts[c*per+m*k : (c+1)*per]
		for j0 := c * icaChunk; j0 < min(n, (c+1)*icaChunk); j0 += contrastBlock {
			nb := min(contrastBlock, n-j0)
			xb := x[min(j0, len(x)):] // X is empty when k = 0
			gemmSerialNEON(false, false, m, nb, k, 1, w, ldw, xb, ldx, 0, u, nb, bufs)
			contrastRowsNEON(f, alpha, m, nb, u, nb, gps)
			gemmSerialNEON(false, true, m, k, nb, 1, u, nb, xb, ldx, 1, acc, k, bufs)
		}
	})
	finishICAStep(m, k, n, chunks, parts, w, ldw, out, ldo, gpMean)
}

func icaStepRows32(f Contrast, alpha float32, m, k, n int, w []float32, ldw int, x []float32, ldx int, mu, out []float32, ldo int, gpMean []float32) {
	icaStepRowsArm(f, alpha, m, k, n, w, ldw, x, ldx, mu, out, ldo, gpMean)
}

func icaStepRows64(f Contrast, alpha float64, m, k, n int, w []float64, ldw int, x []float64, ldx int, mu, out []float64, ldo int, gpMean []float64) {
	icaStepRowsArm(f, alpha, m, k, n, w, ldw, x, ldx, mu, out, ldo, gpMean)
}

// icaStepRowsArm runs the reference ICAStepRows with NEON block products
// and contrast (icaStepNEON's stages on a centred copy of each block).
func icaStepRowsArm[T Float](f Contrast, alpha T, m, k, n int, w []T, ldw int, x []T, ldx int, mu, out []T, ldo int, gpMean []T) {
	if Impl() != NEON {
		icaStepRowsGeneric(f, alpha, m, k, n, w, ldw, x, ldx, mu, out, ldo, gpMean)
		return
	}
	icaStepRowsWith(f, alpha, m, k, n, w, ldw, x, ldx, mu, out, ldo, gpMean,
		func(transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
			bufs, rel := getNEONPack[T]()
			gemmSerialNEON(transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc, bufs)
			rel()
		}, contrastRowsNEON[T])
}
