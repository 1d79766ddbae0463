package kernels

import "sync"

// icaChunk is the number of columns of X whose contribution one goroutine
// sums before its partial result is added to the others, in chunk order.
const icaChunk = 16 * contrastBlock

// scratch hands out reusable buffers so that iterative callers (FastICA
// runs its step hundreds of times) do not allocate per call.
type scratch[T Float] struct{ buf []T }

var scratchPool32 = sync.Pool{New: func() any { return new(scratch[float32]) }}
var scratchPool64 = sync.Pool{New: func() any { return new(scratch[float64]) }}

// getScratch returns a zeroed buffer of n elements and its release function.
func getScratch[T Float](n int) ([]T, func()) {
	var s *scratch[T]
	var put func()
	if is32[T]() {
		p := scratchPool32.Get().(*scratch[float32])
		s = (*scratch[T])(unsafePointer(p))
		put = func() { scratchPool32.Put(p) }
	} else {
		p := scratchPool64.Get().(*scratch[float64])
		s = (*scratch[T])(unsafePointer(p))
		put = func() { scratchPool64.Put(p) }
	}
	if cap(s.buf) < n {
		s.buf = make([]T, n)
	}
	b := s.buf[:n]
	clear(b)
	return b, put
}

// icaStepGeneric is the reference ICAStep. Each chunk keeps its own m×k sum
// of g(U)·Xᵀ and m sums of g'; the chunk is processed in contrastBlock-wide
// blocks: U = W·X_blk (serial GEMM), U ← g(U), acc += U·X_blkᵀ.
func icaStepGeneric[T Float](f Contrast, alpha T, m, k, n int, w []T, ldw int, x []T, ldx int, out []T, ldo int, gpMean []T) {
	chunks := ceilDiv(n, icaChunk)
	per := m*k + m
	part, release := getScratch[T](chunks*per + Threads()*m*contrastBlock)
	defer release()
	parts, ubufs := part[:chunks*per], part[chunks*per:]
	parallelForWorker(chunks, func(wk, c int) {
		u := ubufs[wk*m*contrastBlock : (wk+1)*m*contrastBlock]
		acc := parts[c*per : c*per+m*k]
		gps := parts[c*per+m*k : (c+1)*per]
		for j0 := c * icaChunk; j0 < min(n, (c+1)*icaChunk); j0 += contrastBlock {
			nb := min(contrastBlock, n-j0)
			xb := x[min(j0, len(x)):] // X is empty when k = 0
			serialGemm(false, false, m, nb, k, 1, w, ldw, xb, ldx, 0, u, nb)
			contrastGeneric(f, alpha, m, nb, u, nb, gps)
			serialGemm(false, true, m, k, nb, 1, u, nb, xb, ldx, 1, acc, k)
		}
	})
	finishICAStep(m, k, n, chunks, parts, w, ldw, out, ldo, gpMean)
}

// finishICAStep adds the chunk partials in chunk order and forms
// out = acc/n − diag(gp/n)·W.
func finishICAStep[T Float](m, k, n, chunks int, parts []T, w []T, ldw int, out []T, ldo int, gpMean []T) {
	per := m*k + m
	for i := 0; i < m; i++ {
		clear(out[i*ldo : i*ldo+k])
	}
	var gp [64]T
	gsum := gp[:0]
	if m <= len(gp) {
		gsum = gp[:m]
	} else {
		gsum = make([]T, m)
	}
	for c := 0; c < chunks; c++ {
		p := parts[c*per:]
		for i := 0; i < m; i++ {
			axpyGeneric(1, p[i*k:i*k+k], out[i*ldo:i*ldo+k])
			gsum[i] += p[m*k+i]
		}
	}
	inv := T(1)
	if n > 0 {
		inv = 1 / T(n)
	}
	for i := 0; i < m; i++ {
		g := gsum[i] * inv
		if n == 0 {
			g = 0
		}
		if gpMean != nil {
			gpMean[i] = g
		}
		row := out[i*ldo : i*ldo+k]
		wr := w[i*ldw : i*ldw+k]
		for j := range row {
			row[j] = row[j]*inv - g*wr[j]
		}
	}
}

// serialGemm runs the reference GEMM on the calling goroutine only; kernels
// that are themselves parallel over an outer dimension use it for their
// inner products.
func serialGemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	g := gemmArgs[T]{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
	for ti := 0; ti*mcBlock < m; ti++ {
		for tj := 0; tj*ncBlock < n; tj++ {
			g.tile(ti, tj)
		}
	}
}

// icaStepRowsGeneric is the reference ICAStepRows: ICAStep's chunks and
// blocks over rows of X, each block centred into a compact nb×k copy
// first, then U = W·Xcᵀ, U ← g(U), acc += U·Xc.
func icaStepRowsGeneric[T Float](f Contrast, alpha T, m, k, n int, w []T, ldw int, x []T, ldx int, mu []T, out []T, ldo int, gpMean []T) {
	icaStepRowsWith(f, alpha, m, k, n, w, ldw, x, ldx, mu, out, ldo, gpMean,
		func(transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
			serialGemm(transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
		}, contrastGeneric[T])
}

// icaStepRowsWith is icaStepRowsGeneric with the block products and the
// contrast supplied (the NEON build passes its own).
func icaStepRowsWith[T Float](f Contrast, alpha T, m, k, n int, w []T, ldw int, x []T, ldx int, mu []T, out []T, ldo int, gpMean []T,
	gemm func(transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int),
	contrast func(f Contrast, alpha T, rows, cols int, u []T, ld int, gpSum []T)) {
	chunks := ceilDiv(n, icaChunk)
	per := m*k + m
	workers := max(1, min(chunks, Threads()))
	part, release := getScratch[T](chunks*per + workers*(m+k)*contrastBlock)
	defer release()
	parts, bufs := part[:chunks*per], part[chunks*per:]
	parallelForWorker(chunks, func(wk, c int) {
		buf := bufs[wk*(m+k)*contrastBlock : (wk+1)*(m+k)*contrastBlock]
		u, xc := buf[:m*contrastBlock], buf[m*contrastBlock:]
		acc := parts[c*per : c*per+m*k]
		gps := parts[c*per+m*k : (c+1)*per]
		for j0 := c * icaChunk; j0 < min(n, (c+1)*icaChunk); j0 += contrastBlock {
			nb := min(contrastBlock, n-j0)
			for j := 0; j < nb && k > 0; j++ {
				row, dst := x[(j0+j)*ldx:(j0+j)*ldx+k], xc[j*k:(j+1)*k]
				copy(dst, row)
				if mu != nil {
					for l, v := range mu {
						dst[l] -= v
					}
				}
			}
			gemm(false, true, m, nb, k, w, ldw, xc, max(k, 1), 0, u, nb)
			contrast(f, alpha, m, nb, u, nb, gps)
			gemm(false, false, m, k, nb, u, nb, xc, max(k, 1), 1, acc, k)
		}
	})
	finishICAStep(m, k, n, chunks, parts, w, ldw, out, ldo, gpMean)
}
