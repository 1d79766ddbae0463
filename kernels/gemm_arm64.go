//go:build !purego

package kernels

import "sync"

// The NEON GEMM keeps the reference's structure (gemm_generic.go): C is cut
// into tiles, the unit of parallel work; the reduction into kcBlock slices
// taken in order; each slice of op(A) and op(B) is packed into panels that
// an assembly micro-kernel multiplies. Only the register tile differs:
// 8×8 for float32 and 4×8 for float64 (16 accumulator registers either
// way). Every element of C is reduced in the same order (slice by slice,
// then p = 0…kc−1 within a slice), whatever the tile sizes and the number of
// threads, so results are bit-identical across thread counts.
const (
	neonNR = 8   // columns of the register tile
	neonMC = 128 // rows of C per GEMM tile (A block: 128×256 = 128 KiB f32, L2)
	neonNC = 512 // columns of C per GEMM tile
	// Gram tiles are square so that the tiles on the diagonal, which are
	// only half needed, stay small.
	neonGramNC = 128
)

// neonMR is the number of rows of the register tile.
func neonMR[T Float]() int {
	if is32[T]() {
		return 8
	}
	return 4
}

type neonPackBufs[T Float] struct{ a, b []T }

var neonPackPool32 = sync.Pool{New: func() any {
	return &neonPackBufs[float32]{a: make([]float32, neonMC*kcBlock), b: make([]float32, kcBlock*neonNC)}
}}
var neonPackPool64 = sync.Pool{New: func() any {
	return &neonPackBufs[float64]{a: make([]float64, neonMC*kcBlock), b: make([]float64, kcBlock*neonNC)}
}}

func getNEONPack[T Float]() (*neonPackBufs[T], func()) {
	if is32[T]() {
		p := neonPackPool32.Get().(*neonPackBufs[float32])
		return (*neonPackBufs[T])(unsafePointer(p)), func() { neonPackPool32.Put(p) }
	}
	p := neonPackPool64.Get().(*neonPackBufs[float64])
	return (*neonPackBufs[T])(unsafePointer(p)), func() { neonPackPool64.Put(p) }
}

// gemmMicroNEON32 computes c[i·ldc+j] += alpha·Σ_p a[8p+i]·b[8p+j] for
// i, j < 8 over kc packed steps (gemm_arm64.s).
//
//go:noescape
func gemmMicroNEON32(kc int, a, b, c []float32, ldc int, alpha float32)

// gemmMicroNEON64 computes c[i·ldc+j] += alpha·Σ_p a[4p+i]·b[8p+j] for
// i < 4, j < 8 over kc packed steps (gemm_arm64.s).
//
//go:noescape
func gemmMicroNEON64(kc int, a, b, c []float64, ldc int, alpha float64)

func neonMicro[T Float](kc int, a, b, c []T, ldc int, alpha T) {
	if is32[T]() {
		gemmMicroNEON32(kc, f32(a), f32(b), f32(c), ldc, float32(alpha))
		return
	}
	gemmMicroNEON64(kc, f64(a), f64(b), f64(c), ldc, float64(alpha))
}

func gemm32(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if Impl() != NEON {
		gemmGeneric(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmNEON(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemm64(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if Impl() != NEON {
		gemmGeneric(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmNEON(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemmNEON[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	g := gemmArgs[T]{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
	tm, tn := ceilDiv(m, neonMC), ceilDiv(n, neonNC)
	parallelFor(tm*tn, func(t int) {
		bufs, release := getNEONPack[T]()
		defer release()
		neonTile(&g, t/tn*neonMC, t%tn*neonNC, neonMC, neonNC, false, bufs)
	})
}

// gemmSerialNEON is gemmNEON on the calling goroutine, for kernels that are
// parallel over an outer dimension (ICAStep).
func gemmSerialNEON[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, bufs *neonPackBufs[T]) {
	g := gemmArgs[T]{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
	for i0 := 0; i0 < m; i0 += neonMC {
		for j0 := 0; j0 < n; j0 += neonNC {
			neonTile(&g, i0, j0, neonMC, neonNC, false, bufs)
		}
	}
}

// neonTile computes the C tile of at most mcMax×ncMax elements at (i0, j0):
// beta scaling, then every reduction slice in order. With lower set (Gram)
// register tiles lying wholly above the diagonal are skipped; the caller
// mirrors the lower triangle over them.
func neonTile[T Float](g *gemmArgs[T], i0, j0, mcMax, ncMax int, lower bool, bufs *neonPackBufs[T]) {
	mc, nc := min(mcMax, g.m-i0), min(ncMax, g.n-j0)
	for i := i0; i < i0+mc; i++ {
		row := g.c[i*g.ldc+j0 : i*g.ldc+j0+nc]
		if g.beta == 0 {
			clear(row)
		} else if g.beta != 1 {
			for j := range row {
				row[j] *= g.beta
			}
		}
	}
	if g.k == 0 || g.alpha == 0 {
		return
	}
	for i := i0; i < i0+mc; i++ {
		neonRaceWrite(g.c[i*g.ldc+j0 : i*g.ldc+j0+nc])
	}
	mr := neonMR[T]()
	var tile [64]T
	for p0 := 0; p0 < g.k; p0 += kcBlock {
		kc := min(kcBlock, g.k-p0)
		g.neonPackA(bufs.a, mr, i0, mc, p0, kc)
		g.neonPackB(bufs.b, j0, nc, p0, kc)
		for jr := 0; jr < nc; jr += neonNR {
			bp := bufs.b[jr*kc : jr*kc+neonNR*kc]
			cols := min(neonNR, nc-jr)
			for ir := 0; ir < mc; ir += mr {
				if lower && j0+jr > i0+ir+mr-1 {
					continue
				}
				ap := bufs.a[ir*kc : ir*kc+mr*kc]
				rows := min(mr, mc-ir)
				c0 := (i0+ir)*g.ldc + j0 + jr
				if rows == mr && cols == neonNR {
					neonMicro(kc, ap, bp, g.c[c0:], g.ldc, g.alpha)
					continue
				}
				// Edge tile: the kernel writes its exact sums (alpha 1
				// into zeros) to a local tile; they are scaled and
				// added here like the full-tile kernel does.
				clear(tile[:])
				neonMicro(kc, ap, bp, tile[:], neonNR, 1)
				for i := 0; i < rows; i++ {
					row := g.c[c0+i*g.ldc : c0+i*g.ldc+cols]
					for j := range row {
						row[j] += g.alpha * tile[i*neonNR+j]
					}
				}
			}
		}
	}
}

// neonPackA packs rows [i0, i0+mc) × reduction [p0, p0+kc) of op(A) as
// panels of mr rows: panel r holds, for each p, mr consecutive values,
// zero-padded; shiftA is subtracted as in the reference.
func (g *gemmArgs[T]) neonPackA(dst []T, mr, i0, mc, p0, kc int) {
	for ir := 0; ir < mc; ir += mr {
		panel := dst[ir*kc : ir*kc+mr*kc]
		for r := 0; r < mr; r++ {
			i := i0 + ir + r
			if ir+r >= mc {
				for p := 0; p < kc; p++ {
					panel[p*mr+r] = 0
				}
				continue
			}
			var s T
			if g.shiftA != nil {
				s = g.shiftA[i]
			}
			if g.transA {
				for p := 0; p < kc; p++ {
					panel[p*mr+r] = g.a[(p0+p)*g.lda+i] - s
				}
			} else {
				src := g.a[i*g.lda+p0 : i*g.lda+p0+kc]
				for p, v := range src {
					panel[p*mr+r] = v - s
				}
			}
		}
	}
}

// neonPackB packs reduction [p0, p0+kc) × columns [j0, j0+nc) of op(B) as
// panels of neonNR columns, zero-padded, shiftB subtracted.
func (g *gemmArgs[T]) neonPackB(dst []T, j0, nc, p0, kc int) {
	for jr := 0; jr < nc; jr += neonNR {
		panel := dst[jr*kc : jr*kc+neonNR*kc]
		w := min(neonNR, nc-jr)
		if !g.transB && g.shiftB == nil && w == neonNR {
			// Rows of B are contiguous: copy 8 at a time.
			for p := 0; p < kc; p++ {
				src := g.b[(p0+p)*g.ldb+j0+jr : (p0+p)*g.ldb+j0+jr+neonNR]
				copy(panel[p*neonNR:p*neonNR+neonNR], src)
			}
			continue
		}
		for q := 0; q < neonNR; q++ {
			j := j0 + jr + q
			if q >= w {
				for p := 0; p < kc; p++ {
					panel[p*neonNR+q] = 0
				}
				continue
			}
			var s T
			if g.shiftB != nil {
				s = g.shiftB[j]
			}
			if g.transB {
				src := g.b[j*g.ldb+p0 : j*g.ldb+p0+kc]
				for p, v := range src {
					panel[p*neonNR+q] = v - s
				}
			} else {
				for p := 0; p < kc; p++ {
					panel[p*neonNR+q] = g.b[(p0+p)*g.ldb+j] - s
				}
			}
		}
	}
}
