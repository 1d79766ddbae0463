//go:build !purego

package kernels

import (
	"sync"
	"unsafe"

	"github.com/klauspost/cpuid/v2"
)

// The assembly GEMM is BLIS-shaped. For each block of nc columns of C and
// each slice of kc reduction steps (in order), the kc×nc block of op(B) is
// packed into panels of NR columns; then for each block of mc rows, the
// mc×kc block of op(A) is packed into panels of MR rows, and an MR×NR
// register tile (the generated gemmMicro kernel) multiplies each A panel by
// each B panel. The B panel being used (kc·NR elements) stays in L1 while
// the A block (mc·kc) streams from L2; the B block (kc·nc) lives in L3.
//
// Threads split the packing and the micro-tiles of each block; every C
// element still sums its kc-slices in order and each slice in p order, so the
// result does not depend on the thread count. kc comes from the cache sizes
// only, never from the thread count.

// blocking is the register tile and the cache blocks of one level and type.
type blocking struct{ mr, nr, kc, mc, nc int }

var blockings [2][2]blocking // [AVX512?][float64?]
var blockingsOnce sync.Once

func blockingFor(lvl Level, f64 bool) blocking {
	blockingsOnce.Do(func() {
		l1, l2, l3 := cacheSizes()
		for i, tile := range [2][2]int{{6, 2}, {14, 2}} { // AVX2, AVX512: MR, NR in vectors
			for j, size := range [2]int{4, 8} {
				lanes := 32 / size
				if i == 1 {
					lanes = 64 / size
				}
				blockings[i][j] = newBlocking(tile[0], tile[1]*lanes, size, l1, l2, l3)
			}
		}
	})
	i, j := 0, 0
	if lvl == AVX512 {
		i = 1
	}
	if f64 {
		j = 1
	}
	return blockings[i][j]
}

// cacheSizes returns the per-core L1D and L2 sizes and the L3 size in bytes,
// clamped to plausible values: virtual machines report odd figures (this
// project's VM claims a 480 MB L3), and a wrong size must not produce a
// degenerate blocking.
func cacheSizes() (l1, l2, l3 int) {
	c := cpuid.CPU.Cache
	return clampInt(c.L1D, 16<<10, 64<<10, 32<<10), clampInt(c.L2, 256<<10, 4<<20, 1<<20), clampInt(c.L3, 1<<20, 32<<20, 8<<20)
}

func clampInt(v, lo, hi, unknown int) int {
	if v <= 0 {
		return unknown
	}
	return min(max(v, lo), hi)
}

// newBlocking sizes the blocks: the B micro-panel (kc·NR) takes about half
// of L1, the packed A block (mc·kc) about half of L2, the packed B block
// (kc·nc) a quarter of L3.
func newBlocking(mr, nr, size, l1, l2, l3 int) blocking {
	kc := l1 / 2 / (nr * size)
	kc = min(max(kc/16*16, 64), 512)
	mc := l2 / 2 / (kc * size)
	mc = min(max(mc/mr*mr, mr), 4096/mr*mr)
	nc := l3 / 4 / (kc * size)
	nc = min(max(nc/nr*nr, nr), 8192/nr*nr)
	return blocking{mr: mr, nr: nr, kc: kc, mc: mc, nc: nc}
}

// gemmBufs holds the packed blocks; pooled so repeated small products (one
// per image in a convolution) do not allocate.
type gemmBufs[T Float] struct{ a, b []T }

var gemmPool32, gemmPool64 sync.Pool

func getGemmBufs[T Float](na, nb int) (*gemmBufs[T], func()) {
	pool := &gemmPool64
	if is32[T]() {
		pool = &gemmPool32
	}
	p, _ := pool.Get().(*gemmBufs[T])
	if p == nil {
		p = new(gemmBufs[T])
	}
	if cap(p.a) < na {
		p.a = make([]T, na)
	}
	if cap(p.b) < nb {
		p.b = make([]T, nb)
	}
	p.a, p.b = p.a[:na], p.b[:nb]
	return p, func() { pool.Put(p) }
}

// minParallelFlops is the work below which a product runs on one goroutine:
// starting goroutines costs microseconds, a few hundred thousand flops.
const minParallelFlops = 1 << 20

// minDirectParallelFlops is the work below which a product with few rows
// (the direct case) is not split over threads: a waking thread costs tens
// of microseconds here, and such products are mostly called from inside
// parallel loops over images (conv), where splitting them again only
// oversubscribes the cores. 2²⁵ multiply-adds are ~0.5 ms on one core. A
// variable so that tests reach the path with small sizes.
var minDirectParallelFlops = float64(1 << 25)

// directMaxM is the largest m for which B is read unpacked.
const directMaxM = 64

// gemmBlocked computes g with the assembly micro-kernel of level lvl. With
// lower set, C is square and only micro-tiles touching its lower triangle
// (diagonal included) are computed; the caller mirrors it.
func gemmBlocked[T Float](lvl Level, g *gemmArgs[T], lower bool) {
	m, n, k := g.m, g.n, g.k
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || g.alpha == 0 {
		scaleC(g, lower)
		return
	}
	raceGemm(g)
	bl := blockingFor(lvl, !is32[T]())
	if k >= 8*bl.kc {
		// A long reduction takes slices three times as long (at most 512):
		// a third of the loads and stores of C, whose tiles miss the caches
		// in a large product (2048³ on Zen 4, kc 128 → 384, two benchstat
		// runs of 5–6: f32 +2.6 / +2.9 % one thread, f64 +0.9 / +5.3 % one
		// and +4.4 % two, p ≤ 0.016). The slice depends on the shape only,
		// so results still do not depend on the thread count.
		//
		// The packed A block (mc·kc) then shrinks by as much, to stay at
		// half of L2 (newBlocking): left at the short slice's mc it
		// outgrew L2 (2048³ one thread, on the Intel VM with 2 MB L2, three
		// alternating runs: f32 154–162 → 172–177 GFLOP/s, f64 77–80 →
		// 81–86; two threads unchanged within the noise).
		kc0 := bl.kc
		bl.kc = min(3*bl.kc, 512)
		bl.mc = max(bl.mc*kc0/bl.kc/bl.mr*bl.mr, bl.mr)
	}
	mr, nr, mcBlk := bl.mr, bl.nr, bl.mc
	// A short tile when it pads m much less (m = 32 output channels: 4
	// tiles of 8 instead of 3 of 14, 42 rows computed for 32).
	// Also when a few rows are a whole number of short tiles but not of tall
	// ones (m = 40: 5 full tiles of 8, not 3 of 14 whose last one goes
	// through a scratch tile and a Go copy).
	short := false
	if sm := gramMR(lvl); ceilDiv(m, sm)*sm*100 < ceilDiv(m, mr)*mr*85 ||
		(m <= directMaxM && m%sm == 0 && m%mr != 0) {
		short, mr, mcBlk = true, sm, bl.mc/sm*sm
	}
	kcMax := min(bl.kc, k)
	ncMax := min(bl.nc, ceilDiv(n, nr)*nr)
	threads := 1
	if float64(m)*float64(n)*float64(k) >= minParallelFlops {
		threads = Threads()
	}
	// With few rows of C, each B panel serves only a few register tiles, so
	// packing B would double its memory traffic for little reuse: the
	// micro-kernel reads a row-major B in place (prefetching ahead) instead.
	direct := !g.transB && g.shiftB == nil && m <= directMaxM
	// With several threads and enough rows, the rows are split into a
	// multiple of threads blocks of at most mc, one per goroutine at a
	// time, each packing its own A block (shared A blocks are read from
	// the other core's cache by every tile: 2048³ float64 at two threads
	// ran at 57–70 % of the peak). The split changes no element's
	// reduction order, so results stay independent of the thread count.
	split := 0
	if threads > 1 && !lower && !direct && m >= 8*threads*mr {
		nb := threads * ceilDiv(m, threads*mcBlk)
		split = ceilDiv(ceilDiv(m, nb), mr) * mr
	}
	mcMax := min(mcBlk, ceilDiv(m, mr)*mr)
	if split > 0 {
		mcMax = ceilDiv(m, mr) * mr // every block's A, each at its own rows
	}
	if direct && threads > 1 && !lower && m <= mcBlk && float64(m)*float64(n)*float64(k) >= minDirectParallelFlops {
		directParallel(lvl, g, short, bl.kc, bl.nc, mr, nr, threads, ntOK(g, bl.kc))
		return
	}
	bufs, release := getGemmBufs[T](mcMax*kcMax, ncMax*kcMax)
	defer release()
	// A C far larger than the caches, written once (one reduction slice,
	// beta = 0), is stored around the caches: no read for ownership of
	// lines that are entirely overwritten, no eviction of the operands.
	nt := !lower && ntOK(g, bl.kc)
	for jc := 0; jc < n; jc += bl.nc {
		nc := min(bl.nc, n-jc)
		icStart := 0
		if lower {
			icStart = jc / mcBlk * mcBlk // rows above jc have no lower-triangle tile here
		}
		for pc := 0; pc < k; pc += bl.kc {
			kc := min(bl.kc, k-pc)
			beta, accum := sliceBeta(pc == 0, g.beta)
			nPanB := ceilDiv(nc, nr)
			if direct {
				// Only a partial last panel is packed; the others are read in place.
				if last := nc % nr; last != 0 {
					packB(g, bufs.b[(nPanB-1)*nr*kc:nPanB*nr*kc], jc+(nPanB-1)*nr, last, pc, kc, nr)
				}
			} else {
				packBlockB(lvl, g, bufs.b, jc, nc, pc, kc, nr, threads)
			}
			// tiles runs the register tiles of A block [ic, ic+mc) (packed at
			// a) against B panel jr.
			tiles := func(jr, ic, mc int, a []T) {
				j0 := jc + jr*nr
				ncols := min(nr, nc-jr*nr)
				bp, ldb := &bufs.b[jr*nr*kc], nr
				if direct && ncols == nr {
					bp, ldb = &g.b[pc*g.ldb+j0], g.ldb
				}
				nPanA := ceilDiv(mc, mr)
				for ir := 0; ir < nPanA; ir++ {
					i0 := ic + ir*mr
					mrows := min(mr, mc-ir*mr)
					if lower && i0+mrows-1 < j0 {
						continue
					}
					ap := &a[ir*mr*kc]
					if mrows == mr && ncols == nr {
						if nt {
							microNT(lvl, short, kc, ap, bp, ldb, &g.c[i0*g.ldc+j0], g.ldc, g.alpha)
							continue
						}
						micro(lvl, short, kc, ap, bp, ldb, &g.c[i0*g.ldc+j0], g.ldc, g.alpha, beta, accum)
						continue
					}
					edgeTile(lvl, short, kc, ap, bp, ldb, g, i0, j0, mrows, ncols, nr, beta, accum)
				}
			}
			if split > 0 {
				// Each thread packs its own A blocks and runs them against
				// every B panel: its A block stays in its own L2.
				gemmParallel(threads, ceilDiv(m, split), func(ib int) {
					ic := ib * split
					mc := min(split, m-ic)
					a := bufs.a[ic*kc : (ic+ceilDiv(mc, mr)*mr)*kc]
					for ir := 0; ir < ceilDiv(mc, mr); ir++ {
						packA(g, a[ir*mr*kc:(ir+1)*mr*kc], ic+ir*mr, min(mr, mc-ir*mr), pc, kc, mr)
					}
					for jr := 0; jr < nPanB; jr++ {
						tiles(jr, ic, mc, a)
					}
					if nt {
						sfence() // this goroutine's non-temporal stores, before the join
					}
				})
				continue
			}
			for ic := icStart; ic < m; ic += mcBlk {
				mc := min(mcBlk, m-ic)
				nPanA := ceilDiv(mc, mr)
				gemmParallel(threads, nPanA, func(ir int) {
					packA(g, bufs.a[ir*mr*kc:(ir+1)*mr*kc], ic+ir*mr, min(mr, mc-ir*mr), pc, kc, mr)
				})
				gemmParallel(threads, nPanB, func(jr int) {
					tiles(jr, ic, mc, bufs.a)
					if nt {
						sfence() // this goroutine's non-temporal stores, before the join
					}
				})
			}
		}
	}
}

// ntOK reports whether g, computed with reduction slices of kc, can store
// C non-temporally: one slice, beta = 0, a C several times the L2, rows
// 64-byte aligned.
func ntOK[T Float](g *gemmArgs[T], kc int) bool {
	var z T
	size := int(unsafe.Sizeof(z))
	return g.k <= kc && g.beta == 0 && g.m*g.n*size >= ntMinBytes &&
		uintptr(unsafe.Pointer(&g.c[0]))%64 == 0 && g.ldc*size%64 == 0
}

// edgeTile runs a partial register tile (mrows < MR or ncols < NR) of C at
// (i0, j0) through a scratch tile.
func edgeTile[T Float](lvl Level, short bool, kc int, ap, bp *T, ldb int, g *gemmArgs[T], i0, j0, mrows, ncols, nr int, beta T, accum int) {
	var tmp [14 * 32]T
	micro(lvl, short, kc, ap, bp, ldb, &tmp[0], nr, g.alpha, 0, 0)
	mergeTile(g.c[i0*g.ldc+j0:], g.ldc, tmp[:], nr, mrows, ncols, beta, accum)
}

// mergeTile stores the rows×cols corner of a scratch register tile (row
// stride nr) into c (row stride ldc): C = tile, or C = beta·C + tile when
// accum is 1, as the micro-kernels do for a whole tile.
func mergeTile[T Float](c []T, ldc int, tmp []T, nr, rows, cols int, beta T, accum int) {
	for i := 0; i < rows; i++ {
		row := c[i*ldc : i*ldc+cols]
		t := tmp[i*nr : i*nr+cols]
		if accum == 0 {
			copy(row, t)
			continue
		}
		for j := range row {
			row[j] = beta*row[j] + t[j]
		}
	}
}

// sliceBeta is the (beta, accum) pair a micro-kernel gets for a reduction
// slice: the caller's beta for the first slice (accum 0 when it is 0, so C
// is overwritten and never read), 1 for the later ones.
func sliceBeta[T Float](first bool, beta T) (T, int) {
	switch {
	case !first:
		return 1, 1
	case beta == 0:
		return 0, 0
	}
	return beta, 1
}

// directParallel is gemmBlocked's direct case (m ≤ directMaxM rows of C
// in one A block, B read in place) on several threads with one parallel
// section for the whole product: A is packed for every reduction slice up
// front (m·k elements), and the threads take chunks of adjacent B panels,
// each chunk running the sequential order (blocks of ncBlk columns, the
// slices in order, the panels). One section per ncBlk block, as the
// general loop has, cost most of the second thread here: such a block is
// ~0.2 ms of work and the idle thread took a good part of that to wake up,
// so the conv 3→32 GEMM (32×27 · 27×92160) ran no faster on two threads
// than on one. Every C element sums the same slices in the same order as
// the sequential loop, so results do not depend on the thread count.
func directParallel[T Float](lvl Level, g *gemmArgs[T], short bool, kcBlk, ncBlk, mr, nr, threads int, nt bool) {
	m, n, k := g.m, g.n, g.k
	nPanA := ceilDiv(m, mr)
	bufs, release := getGemmBufs[T](nPanA*mr*k, nr*min(kcBlk, k))
	defer release()
	aAll := bufs.a // slice pc at offset nPanA·mr·pc
	for pc := 0; pc < k; pc += kcBlk {
		kc := min(kcBlk, k-pc)
		a := aAll[nPanA*mr*pc:]
		for ir := 0; ir < nPanA; ir++ {
			packA(g, a[ir*mr*kc:(ir+1)*mr*kc], ir*mr, min(mr, m-ir*mr), pc, kc, mr)
		}
	}
	last := bufs.b // the partial last panel, packed (one chunk has it)
	nPan := ceilDiv(n, nr)
	blk := max(1, ncBlk/nr)
	per := max(1, ceilDiv(nPan, 4*threads))
	gemmParallel(threads, ceilDiv(nPan, per), func(q int) {
		p1 := min((q+1)*per, nPan)
		for jb := q * per; jb < p1; jb += blk {
			jbEnd := min(jb+blk, p1)
			for pc := 0; pc < k; pc += kcBlk {
				kc := min(kcBlk, k-pc)
				beta, accum := sliceBeta(pc == 0, g.beta)
				a := aAll[nPanA*mr*pc:]
				for jr := jb; jr < jbEnd; jr++ {
					j0 := jr * nr
					ncols := min(nr, n-j0)
					bp, ldb := &g.b[pc*g.ldb+j0], g.ldb
					if ncols < nr {
						packB(g, last[:kc*nr], j0, ncols, pc, kc, nr)
						bp, ldb = &last[0], nr
					}
					for ir := 0; ir < nPanA; ir++ {
						i0 := ir * mr
						mrows := min(mr, m-i0)
						ap := &a[ir*mr*kc]
						switch {
						case mrows < mr || ncols < nr:
							edgeTile(lvl, short, kc, ap, bp, ldb, g, i0, j0, mrows, ncols, nr, beta, accum)
						case nt:
							microNT(lvl, short, kc, ap, bp, ldb, &g.c[i0*g.ldc+j0], g.ldc, g.alpha)
						default:
							micro(lvl, short, kc, ap, bp, ldb, &g.c[i0*g.ldc+j0], g.ldc, g.alpha, beta, accum)
						}
					}
				}
			}
		}
		if nt {
			sfence() // this goroutine's non-temporal stores, before the join
		}
	})
}

// ntMinBytes is the size of C above which a product written in one
// reduction slice stores C non-temporally: several times the L2.
var ntMinBytes = 16 << 20 // a variable so that tests reach the path with small sizes

// microNT is micro overwriting C (beta = 0) with non-temporal stores; c must
// be 64-byte aligned and ldc·size a multiple of 64.
func microNT[T Float](lvl Level, short bool, kc int, a, b *T, ldb int, c *T, ldc int, alpha T) {
	if is32[T]() {
		a, b, c, al := (*float32)(unsafe.Pointer(a)), (*float32)(unsafe.Pointer(b)), (*float32)(unsafe.Pointer(c)), float32(alpha)
		switch {
		case lvl == AVX512 && short:
			gemmMicroShortNTF32AVX512(kc, a, b, ldb, c, ldc, al, 0, 0)
		case lvl == AVX512:
			gemmMicroNTF32AVX512(kc, a, b, ldb, c, ldc, al, 0, 0)
		case short:
			gemmMicroShortNTF32AVX2(kc, a, b, ldb, c, ldc, al, 0, 0)
		default:
			gemmMicroNTF32AVX2(kc, a, b, ldb, c, ldc, al, 0, 0)
		}
		return
	}
	a64, b64, c64, al := (*float64)(unsafe.Pointer(a)), (*float64)(unsafe.Pointer(b)), (*float64)(unsafe.Pointer(c)), float64(alpha)
	switch {
	case lvl == AVX512 && short:
		gemmMicroShortNTF64AVX512(kc, a64, b64, ldb, c64, ldc, al, 0, 0)
	case lvl == AVX512:
		gemmMicroNTF64AVX512(kc, a64, b64, ldb, c64, ldc, al, 0, 0)
	case short:
		gemmMicroShortNTF64AVX2(kc, a64, b64, ldb, c64, ldc, al, 0, 0)
	default:
		gemmMicroNTF64AVX2(kc, a64, b64, ldb, c64, ldc, al, 0, 0)
	}
}

// micro calls the level's register-tile kernel, the short one if asked.
func micro[T Float](lvl Level, short bool, kc int, a, b *T, ldb int, c *T, ldc int, alpha, beta T, accum int) {
	if is32[T]() {
		a, b, c, al, be := (*float32)(unsafe.Pointer(a)), (*float32)(unsafe.Pointer(b)), (*float32)(unsafe.Pointer(c)), float32(alpha), float32(beta)
		switch {
		case lvl == AVX512 && short:
			gemmMicroShortF32AVX512(kc, a, b, ldb, c, ldc, al, be, accum)
		case lvl == AVX512:
			gemmMicroF32AVX512(kc, a, b, ldb, c, ldc, al, be, accum)
		case short:
			gemmMicroShortF32AVX2(kc, a, b, ldb, c, ldc, al, be, accum)
		default:
			gemmMicroF32AVX2(kc, a, b, ldb, c, ldc, al, be, accum)
		}
		return
	}
	a64, b64, c64, al, be := (*float64)(unsafe.Pointer(a)), (*float64)(unsafe.Pointer(b)), (*float64)(unsafe.Pointer(c)), float64(alpha), float64(beta)
	switch {
	case lvl == AVX512 && short:
		gemmMicroShortF64AVX512(kc, a64, b64, ldb, c64, ldc, al, be, accum)
	case lvl == AVX512:
		gemmMicroF64AVX512(kc, a64, b64, ldb, c64, ldc, al, be, accum)
	case short:
		gemmMicroShortF64AVX2(kc, a64, b64, ldb, c64, ldc, al, be, accum)
	default:
		gemmMicroF64AVX2(kc, a64, b64, ldb, c64, ldc, al, be, accum)
	}
}

// scaleC is the k = 0 or alpha = 0 product: C = beta·C, beta = 0 clearing.
func scaleC[T Float](g *gemmArgs[T], lower bool) {
	for i := 0; i < g.m; i++ {
		cols := g.n
		if lower {
			cols = i + 1
		}
		row := g.c[i*g.ldc : i*g.ldc+cols]
		if g.beta == 0 {
			clear(row)
		} else if g.beta != 1 {
			for j := range row {
				row[j] *= g.beta
			}
		}
	}
}

// gemmParallel runs body(i) for i in [0, n) on up to threads goroutines,
// handing items out dynamically.
func gemmParallel(threads, n int, body func(i int)) {
	t := min(threads, n)
	if t <= 1 {
		for i := 0; i < n; i++ {
			body(i)
		}
		return
	}
	runParallel(t, n, func(_, i int) { body(i) })
}
