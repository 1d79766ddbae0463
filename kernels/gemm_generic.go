package kernels

import "sync"

// The reference GEMM is BLIS-shaped: C is cut into mcBlock×ncBlock tiles
// (the unit of parallel work), the reduction into kcBlock slices; for each
// slice a tile's rows of op(A) and columns of op(B) are packed into
// contiguous panels and an mr×nr register-blocked micro-kernel multiplies
// them. Packing is also where Gram's optional centering happens, so the
// centered matrix never exists in memory.
const (
	genMR   = 4
	genNR   = 4
	kcBlock = 256
	mcBlock = 64
	ncBlock = 256
)

// gemmArgs describes one C = alpha·op(A)·op(B) + beta·C product. shiftA, when
// not nil, is subtracted from every row i of op(A) (element i), shiftB from
// every column j of op(B); tiles, when not nil, restricts the work to the
// listed (tile row, tile column) pairs and mirror copies each computed
// below-diagonal tile to its transpose (Gram).
type gemmArgs[T Float] struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    T
	a              []T
	lda            int
	b              []T
	ldb            int
	c              []T
	ldc            int
	shiftA, shiftB []T
	// wide, when not nil (T float64, Gram only), holds op(A) = op(B) as
	// float32 values (a and b are nil): the packers widen them (GramWide).
	wide []float32
}

type packBufs[T Float] struct{ a, b []T }

var packPool32 = sync.Pool{New: func() any {
	return &packBufs[float32]{a: make([]float32, mcBlock*kcBlock), b: make([]float32, kcBlock*ncBlock)}
}}
var packPool64 = sync.Pool{New: func() any {
	return &packBufs[float64]{a: make([]float64, mcBlock*kcBlock), b: make([]float64, kcBlock*ncBlock)}
}}

func getPack[T Float]() (*packBufs[T], func()) {
	if is32[T]() {
		p := packPool32.Get().(*packBufs[float32])
		return (*packBufs[T])(unsafePointer(p)), func() { packPool32.Put(p) }
	}
	p := packPool64.Get().(*packBufs[float64])
	return (*packBufs[T])(unsafePointer(p)), func() { packPool64.Put(p) }
}

// gemmGeneric is the reference Gemm.
func gemmGeneric[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	g := gemmArgs[T]{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
	tm, tn := ceilDiv(m, mcBlock), ceilDiv(n, ncBlock)
	parallelFor(tm*tn, func(t int) { g.tile(t/tn, t%tn) })
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// tile computes C tile (ti, tj) completely: beta scaling, then every
// reduction slice in order.
func (g *gemmArgs[T]) tile(ti, tj int) {
	i0, j0 := ti*mcBlock, tj*ncBlock
	mc, nc := min(mcBlock, g.m-i0), min(ncBlock, g.n-j0)
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
	bufs, release := getPack[T]()
	defer release()
	for p0 := 0; p0 < g.k; p0 += kcBlock {
		kc := min(kcBlock, g.k-p0)
		g.packA(bufs.a, i0, mc, p0, kc)
		g.packB(bufs.b, j0, nc, p0, kc)
		for ir := 0; ir < mc; ir += genMR {
			for jr := 0; jr < nc; jr += genNR {
				microGeneric(kc, bufs.a[ir*kc:], bufs.b[jr*kc:], g.alpha,
					g.c[(i0+ir)*g.ldc+j0+jr:], g.ldc, min(genMR, mc-ir), min(genNR, nc-jr))
			}
		}
	}
}

// packA packs rows [i0, i0+mc) × reduction [p0, p0+kc) of op(A) as panels of
// genMR rows: panel r holds, for each p, genMR consecutive values, zero-padded.
func (g *gemmArgs[T]) packA(dst []T, i0, mc, p0, kc int) {
	for ir := 0; ir < mc; ir += genMR {
		panel := dst[ir*kc : ir*kc+genMR*kc]
		for r := 0; r < genMR; r++ {
			i := i0 + ir + r
			if ir+r >= mc {
				for p := 0; p < kc; p++ {
					panel[p*genMR+r] = 0
				}
				continue
			}
			var s T
			if g.shiftA != nil {
				s = g.shiftA[i]
			}
			if g.transA {
				for p := 0; p < kc; p++ {
					panel[p*genMR+r] = g.a[(p0+p)*g.lda+i] - s
				}
			} else {
				src := g.a[i*g.lda+p0 : i*g.lda+p0+kc]
				for p, v := range src {
					panel[p*genMR+r] = v - s
				}
			}
		}
	}
}

// packB packs reduction [p0, p0+kc) × columns [j0, j0+nc) of op(B) as panels
// of genNR columns, zero-padded.
func (g *gemmArgs[T]) packB(dst []T, j0, nc, p0, kc int) {
	for jr := 0; jr < nc; jr += genNR {
		panel := dst[jr*kc : jr*kc+genNR*kc]
		for q := 0; q < genNR; q++ {
			j := j0 + jr + q
			if jr+q >= nc {
				for p := 0; p < kc; p++ {
					panel[p*genNR+q] = 0
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
					panel[p*genNR+q] = v - s
				}
			} else {
				for p := 0; p < kc; p++ {
					panel[p*genNR+q] = g.b[(p0+p)*g.ldb+j] - s
				}
			}
		}
	}
}

// microGeneric computes c[0:mr, 0:nr] += alpha · Σ_p a[p·MR+i]·b[p·NR+j]
// over kc packed steps, with a 4×4 block of accumulators in registers.
func microGeneric[T Float](kc int, a, b []T, alpha T, c []T, ldc, mr, nr int) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 T
	a = a[:kc*genMR]
	b = b[:kc*genNR]
	for p := 0; p < kc; p++ {
		ap := a[p*genMR : p*genMR+4 : p*genMR+4]
		bp := b[p*genNR : p*genNR+4 : p*genNR+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	acc := [genMR][genNR]T{{c00, c01, c02, c03}, {c10, c11, c12, c13}, {c20, c21, c22, c23}, {c30, c31, c32, c33}}
	for i := 0; i < mr; i++ {
		row := c[i*ldc : i*ldc+nr]
		for j := range row {
			row[j] += alpha * acc[i][j]
		}
	}
}
