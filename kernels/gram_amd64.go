//go:build !purego

package kernels

import "unsafe"

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

func gramWide(trans bool, n, k int, alpha float64, a []float32, lda int, beta float64, c []float64, ldc int) {
	if lvl := Impl(); (lvl == AVX2 || lvl == AVX512) && n <= gramMaxN {
		g := gemmArgs[float64]{transA: trans, transB: !trans, m: n, n: n, k: k, alpha: alpha, beta: beta,
			lda: lda, ldb: lda, c: c, ldc: ldc, wide: a}
		gramRun(lvl, &g)
		return
	}
	gramWideBlocks(trans, n, k, alpha, a, lda, beta, c, ldc)
}

// Gram on the assembly kernels. op(A) and op(B) = op(A)ᵀ are the same data,
// so each kc-slice of op(A)'s n rows is packed once, as B panels of NR rows
// (p-major, NR values per p); the A operand of each tile is a slice of MR
// rows of those same panels, read with stride NR by the gramMicro kernel
// (MR divides NR). Only tiles touching the lower triangle are computed, then
// it is mirrored.
//
// When n is small and k long (XᵀX of a tall data matrix) there is too little
// work per kc-slice to share among threads, so the reduction is cut into
// chunks whose length depends only on n, k and kc; each chunk's partial
// product is computed by one thread and the partials are added in chunk
// order, which keeps results independent of the thread count.

// gramMaxN is the largest n computed by the panel path; larger Gram
// matrices use the general blocked GEMM restricted to the lower triangle
// (a variable so that tests can reach that path with small sizes).
var gramMaxN = 4096

// gramSplitSlices is the fewest kc-slices of reduction split into chunks
// when n > 256 (a variable so that tests reach that path with small sizes).
var gramSplitSlices = 32

// gramKC is the reduction slice of the packed Gram path: twice GEMM's kc
// (at most 512). The slice's panels are both operands of its tiles and
// stay in L2 either way; a longer slice halves the loads and stores of
// the C tiles (XXᵀ of 500×27648 float32 +6 % at one thread on Zen 4, whose
// 32 KB L1 gives kc = 128; benchstat, 5 alternating runs).
func gramKC(bl blocking) int {
	return min(2*bl.kc, 512)
}

func gramMR(lvl Level) int {
	if lvl == AVX512 {
		return 8
	}
	return 4
}

func gramBlocked[T Float](lvl Level, trans bool, n, k int, alpha T, a []T, lda int, beta T, c []T, ldc int, shift []T) {
	g := gemmArgs[T]{transA: trans, transB: !trans, m: n, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: a, ldb: lda, c: c, ldc: ldc, shiftA: shift, shiftB: shift}
	gramRun(lvl, &g)
}

// gramRun computes the Gram g describes (op(B) = op(A)ᵀ); with g.wide set
// n must be at most gramMaxN: the general GEMM path does not widen.
func gramRun[T Float](lvl Level, gp *gemmArgs[T]) {
	g := *gp
	n, k, trans, shift := g.n, g.k, g.transA, g.shiftA
	alpha, beta, c, ldc := g.alpha, g.beta, g.c, g.ldc
	switch {
	case n == 0:
		return
	case k == 0 || alpha == 0:
		scaleC(&g, true)
	case n > gramMaxN:
		if g.wide != nil {
			panic("kernels: widened Gram given to the general GEMM path")
		}
		gemmBlocked(lvl, &g, true)
	default:
		raceGemm(&g)
		threads := 1
		if float64(n)*float64(n)*float64(k) >= minParallelFlops {
			threads = Threads()
		}
		bl := blockingFor(lvl, !is32[T]())
		chunk := gramChunk(n, k, bl.kc)
		// XᵀX of a matrix whose rows are a whole number of B panels: the
		// tiles read its rows in place, nothing is packed.
		inPlace := trans && shift == nil && n%bl.nr == 0 && g.wide == nil
		panels := func(k0, k1 int, alpha, beta T, c []T, ldc, threads int) {
			if inPlace {
				gramInPlace(lvl, &g, k0, k1, alpha, beta, c, ldc, threads)
				return
			}
			gramPanels(lvl, &g, k0, k1, alpha, beta, c, ldc, threads)
		}
		if chunk >= k {
			panels(0, k, alpha, beta, c, ldc, threads)
			break
		}
		nch := ceilDiv(k, chunk)
		parts := make([]T, nch*n*n)
		gemmParallel(threads, nch, func(q int) {
			panels(q*chunk, min(k, (q+1)*chunk), 1, 0, parts[q*n*n:(q+1)*n*n], n, 1)
		})
		gemmParallel(threads, n, func(i int) {
			row := c[i*ldc : i*ldc+i+1]
			for j := range row {
				var s T
				for q := 0; q < nch; q++ {
					s += parts[q*n*n+i*n+j]
				}
				if beta == 0 {
					row[j] = alpha * s
				} else {
					row[j] = beta*row[j] + alpha*s
				}
			}
		})
	}
	mirrorLower(n, c, ldc)
}

// gramChunk is the reduction length given to one thread when the reduction
// is split (k when it is not). Up to n = 256 a reduction of at least 64
// kc-slices is split into at most 64 chunks of at least 48 slices (16 made
// XᵀX of 100000×64 10 % slower in float32, 5 % in float64: 49 chunks'
// partials and their short in-place runs).
//
// Above n = 256 (up to 1024) a long reduction is cut into four chunks of
// whole kc-slices: with the panels shared, every thread's tiles read the
// packed panels the others wrote (two threads ran XXᵀ of 500×27648 at the
// speed of one); with chunks each thread packs and reads its own. The
// chunks depend on the shape only, so results still do not depend on the
// thread count; the n² partials cost 4·n² elements.
func gramChunk(n, k, kc int) int {
	if n > 256 {
		if n > 1024 || k < gramSplitSlices*kc {
			return k
		}
		return ceilDiv(ceilDiv(k, 4), kc) * kc
	}
	if k < 64*kc {
		return k
	}
	return max(48*kc, ceilDiv(ceilDiv(k, 64), kc)*kc)
}

// gramPanels computes the lower triangle of alpha·op(A)[:, k0:k1]·(…)ᵀ +
// beta·C into c (ldc), beta = 0 ignoring C.
func gramPanels[T Float](lvl Level, g *gemmArgs[T], k0, k1 int, alpha, beta T, c []T, ldc, threads int) {
	n := g.n
	bl := blockingFor(lvl, !is32[T]())
	nr, mr := bl.nr, gramMR(lvl)
	np := ceilDiv(n, nr)
	gkc := gramKC(bl)
	kcMax := min(gkc, k1-k0)
	bufs, release := getGemmBufs[T](0, np*nr*kcMax)
	defer release()
	buf := bufs.b
	for pc := k0; pc < k1; pc += gkc {
		kc := min(gkc, k1-pc)
		sbeta, accum := sliceBeta(pc == k0, beta)
		packBlockB(lvl, g, buf, 0, n, pc, kc, nr, threads)
		gemmParallel(threads, np, func(jr int) {
			j0 := jr * nr
			cols := min(nr, n-j0)
			bp := &buf[jr*nr*kc]
			for i0 := j0; i0 < n; i0 += mr {
				rows := min(mr, n-i0)
				ap := &buf[(i0/nr)*nr*kc+i0%nr]
				if rows == mr && cols == nr {
					gramMicro(lvl, kc, ap, bp, &c[i0*ldc+j0], ldc, alpha, sbeta, accum)
					continue
				}
				var tmp [8 * 32]T
				gramMicro(lvl, kc, ap, bp, &tmp[0], nr, alpha, 0, 0)
				mergeTile(c[i0*ldc+j0:], ldc, tmp[:], nr, rows, cols, sbeta, accum)
			}
		})
	}
}

// gramInPlace is gramPanels for trans (op(A) = Aᵀ, A row-major k×n) with n
// a multiple of NR: each MR×NR tile reads its MR and NR columns of A's rows
// k0..k1 in place. The rows of a slice (about 256 KB) stay in L2 while
// all its tiles run.
func gramInPlace[T Float](lvl Level, g *gemmArgs[T], k0, k1 int, alpha, beta T, c []T, ldc, threads int) {
	n, lda := g.n, g.lda
	var z T
	bl := blockingFor(lvl, !is32[T]())
	nr, mr := bl.nr, gramMR(lvl)
	ks := max(bl.kc, (256<<10)/(lda*int(unsafe.Sizeof(z)))/4*4)
	for pc := k0; pc < k1; pc += ks {
		kc := min(ks, k1-pc)
		sbeta, accum := sliceBeta(pc == k0, beta)
		gemmParallel(threads, n/nr, func(jr int) {
			j0 := jr * nr
			for i0 := j0; i0 < n; i0 += mr {
				gramMicroInPlace(lvl, kc, &g.a[pc*lda+i0], &g.a[pc*lda+j0], lda, &c[i0*ldc+j0], ldc, alpha, sbeta, accum)
			}
		})
	}
}

// gramMicroInPlace calls the level's in-place Gram tile kernel.
func gramMicroInPlace[T Float](lvl Level, kc int, a, b *T, ldb int, c *T, ldc int, alpha, beta T, accum int) {
	if is32[T]() {
		a, b, c := (*float32)(unsafe.Pointer(a)), (*float32)(unsafe.Pointer(b)), (*float32)(unsafe.Pointer(c))
		if lvl == AVX512 {
			gramMicroInPlaceF32AVX512(kc, a, b, ldb, c, ldc, float32(alpha), float32(beta), accum)
		} else {
			gramMicroInPlaceF32AVX2(kc, a, b, ldb, c, ldc, float32(alpha), float32(beta), accum)
		}
		return
	}
	a64, b64, c64 := (*float64)(unsafe.Pointer(a)), (*float64)(unsafe.Pointer(b)), (*float64)(unsafe.Pointer(c))
	if lvl == AVX512 {
		gramMicroInPlaceF64AVX512(kc, a64, b64, ldb, c64, ldc, float64(alpha), float64(beta), accum)
	} else {
		gramMicroInPlaceF64AVX2(kc, a64, b64, ldb, c64, ldc, float64(alpha), float64(beta), accum)
	}
}

// gramMicro calls the level's Gram tile kernel.
func gramMicro[T Float](lvl Level, kc int, a, b, c *T, ldc int, alpha, beta T, accum int) {
	if is32[T]() {
		a, b, c := (*float32)(unsafe.Pointer(a)), (*float32)(unsafe.Pointer(b)), (*float32)(unsafe.Pointer(c))
		if lvl == AVX512 {
			gramMicroF32AVX512(kc, a, b, c, ldc, float32(alpha), float32(beta), accum)
		} else {
			gramMicroF32AVX2(kc, a, b, c, ldc, float32(alpha), float32(beta), accum)
		}
		return
	}
	a64, b64, c64 := (*float64)(unsafe.Pointer(a)), (*float64)(unsafe.Pointer(b)), (*float64)(unsafe.Pointer(c))
	if lvl == AVX512 {
		gramMicroF64AVX512(kc, a64, b64, c64, ldc, float64(alpha), float64(beta), accum)
	} else {
		gramMicroF64AVX2(kc, a64, b64, c64, ldc, float64(alpha), float64(beta), accum)
	}
}
