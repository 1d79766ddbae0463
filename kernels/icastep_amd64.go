//go:build !purego

package kernels

//go:generate go -C ../asm run ./icastep -out ../kernels/icastep_amd64.s -stubs ../kernels/icastep_stubs_amd64.go -pkg kernels

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// The amd64 ICA step streams X in chunks of icaAsmChunkBlocks blocks of
// B = 1536 bytes of columns (384 float32, 192 float64). One assembly call per
// block projects it, applies the contrast and accumulates G·Xᵀ as lane
// partial sums (see asm/icastep); the lanes are added in a fixed order once
// per chunk, the columns of the last chunk that do not fill a block are
// done in Go, and the chunk results are added in chunk order by
// finishICAStep. Chunks run on persistent worker goroutines and all scratch
// is kept between calls, so a steady-state call allocates nothing.

const (
	icaBlockBytes     = 1536
	icaAsmChunkBlocks = 64
)

func icaStep32(f Contrast, alpha float32, m, k, n int, w []float32, ldw int, x []float32, ldx int, out []float32, ldo int, gpMean []float32) {
	switch lvl := Impl(); lvl {
	case AVX2, AVX512:
		icaStepAsm(lvl, f, alpha, m, k, n, w, ldw, x, ldx, out, ldo, gpMean)
	default:
		icaStepGeneric(f, alpha, m, k, n, w, ldw, x, ldx, out, ldo, gpMean)
	}
}

func icaStep64(f Contrast, alpha float64, m, k, n int, w []float64, ldw int, x []float64, ldx int, out []float64, ldo int, gpMean []float64) {
	switch lvl := Impl(); lvl {
	case AVX2, AVX512:
		icaStepAsm(lvl, f, alpha, m, k, n, w, ldw, x, ldx, out, ldo, gpMean)
	default:
		icaStepGeneric(f, alpha, m, k, n, w, ldw, x, ldx, out, ldo, gpMean)
	}
}

func icaStepRows32(f Contrast, alpha float32, m, k, n int, w []float32, ldw int, x []float32, ldx int, mu, out []float32, ldo int, gpMean []float32) {
	switch lvl := Impl(); lvl {
	case AVX2, AVX512:
		icaStepRun(lvl, f, alpha, m, k, n, w, ldw, x, ldx, true, mu, out, ldo, gpMean)
	default:
		icaStepRowsGeneric(f, alpha, m, k, n, w, ldw, x, ldx, mu, out, ldo, gpMean)
	}
}

func icaStepRows64(f Contrast, alpha float64, m, k, n int, w []float64, ldw int, x []float64, ldx int, mu, out []float64, ldo int, gpMean []float64) {
	switch lvl := Impl(); lvl {
	case AVX2, AVX512:
		icaStepRun(lvl, f, alpha, m, k, n, w, ldw, x, ldx, true, mu, out, ldo, gpMean)
	default:
		icaStepRowsGeneric(f, alpha, m, k, n, w, ldw, x, ldx, mu, out, ldo, gpMean)
	}
}

// icaBuf is one worker's scratch.
type icaBuf[T Float] struct {
	xb   []T       // k×B copy of the block of X (column-lane path; the tiled path packs only ICAStepRows blocks)
	u    []T       // mp×B projected block (transposed path: Uᵀ, BcP rows of kv vectors)
	acc  []T       // mp×k lane vectors of Σ G·Xᵀ (transposed path: At, k rows of kv vectors)
	gp   []float64 // mp lane vectors (64 bytes each) of Σ g' (transposed path: kv vectors)
	tail []T       // m×B for the columns after the last whole block
}

// icaRun is one ICAStep call: its arguments, the chunk counter and the
// scratch. It is reused across calls (see icaWorkspace).
type icaRun[T Float] struct {
	lvl              Level
	f                Contrast
	alpha            T
	m, k, n, mp, ldx int
	ldw              int
	w, x             []T
	wp               []T // W padded to mp rows, leading dimension k
	chunkCols, B     int
	vb, lanes        int  // vector bytes and lanes of the level
	tiled            bool // the transposed (component-lane) kernels, see icaStepTiled
	rows             bool // X is n×k, one sample per row (ICAStepRows); implies tiled
	mu               []T  // ICAStepRows' centre (zeros when the caller gave none)
	kv, cpv, pair    int  // component vectors, components per vector, elements per 8-byte pair
	chunks           int
	parts            []T
	bufs             []icaBuf[T]
	next             atomic.Int64
	wg               sync.WaitGroup
}

var icaCache32 atomic.Pointer[icaRun[float32]]
var icaCache64 atomic.Pointer[icaRun[float64]]

func icaCache[T Float]() *atomic.Pointer[icaRun[T]] {
	if is32[T]() {
		return (*atomic.Pointer[icaRun[T]])(unsafe.Pointer(&icaCache32))
	}
	return (*atomic.Pointer[icaRun[T]])(unsafe.Pointer(&icaCache64))
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func icaStepAsm[T Float](lvl Level, f Contrast, alpha T, m, k, n int, w []T, ldw int, x []T, ldx int, out []T, ldo int, gpMean []T) {
	icaStepRun(lvl, f, alpha, m, k, n, w, ldw, x, ldx, false, nil, out, ldo, gpMean)
}

// icaStepRun is ICAStep (rows false: X is k×n) or ICAStepRows (rows: X is
// n×k, centred by mu) on the assembly kernels.
func icaStepRun[T Float](lvl Level, f Contrast, alpha T, m, k, n int, w []T, ldw int, x []T, ldx int, rows bool, mu []T, out []T, ldo int, gpMean []T) {
	if m == 0 || k == 0 {
		if rows {
			icaStepRowsGeneric(f, alpha, m, k, n, w, ldw, x, ldx, mu, out, ldo, gpMean)
		} else {
			icaStepGeneric(f, alpha, m, k, n, w, ldw, x, ldx, out, ldo, gpMean)
		}
		return
	}
	cache := icaCache[T]()
	r := cache.Swap(nil)
	if r == nil {
		r = new(icaRun[T])
	}
	var z T
	size := int(unsafe.Sizeof(z))
	r.lvl, r.f, r.alpha = lvl, f, alpha
	r.m, r.k, r.n, r.mp, r.ldx, r.ldw = m, k, n, (m+3)&^3, ldx, ldw
	r.w, r.x = w, x
	r.vb = 32
	if lvl == AVX512 {
		r.vb = 64
	}
	r.lanes = r.vb / size
	r.rows = rows
	if rows {
		r.mu = grow(r.mu, k)
		if mu != nil {
			copy(r.mu, mu)
		} else {
			clear(r.mu)
		}
	}
	// The rows kernels exist in the tiled layout only.
	r.tiled = lvl == AVX2 || m > 4 || rows
	if r.tiled {
		r.setupTiled()
	} else {
		r.B = icaBlockBytes / size
		r.chunkCols = icaAsmChunkBlocks * r.B
		r.wp = grow(r.wp, r.mp*k)
		clear(r.wp)
		for i := 0; i < m; i++ {
			copy(r.wp[i*k:i*k+k], w[i*ldw:i*ldw+k])
		}
	}
	r.chunks = ceilDiv(n, r.chunkCols)
	per := m*k + m
	r.parts = grow(r.parts, max(r.chunks, 1)*per)
	t := min(Threads(), r.chunks)
	if t < 1 {
		t = 1
	}
	if cap(r.bufs) < t {
		r.bufs = append(r.bufs[:cap(r.bufs)], make([]icaBuf[T], t-cap(r.bufs))...)
	}
	r.bufs = r.bufs[:t]
	for i := range r.bufs {
		b := &r.bufs[i]
		if r.tiled {
			L := r.lanes
			b.xb = grow(b.xb, k*r.B)
			b.u = grow(b.u, r.B/r.pair*r.kv*L)
			b.acc = grow(b.acc, k*r.kv*L)
			b.gp = grow(b.gp, r.kv*L)
		} else {
			b.xb = grow(b.xb, k*r.B)
			b.u = grow(b.u, r.mp*r.B)
			b.acc = grow(b.acc, r.mp*k*r.lanes)
			b.gp = grow(b.gp, r.mp*r.vb/8)
		}
		b.tail = grow(b.tail, m*r.B)
	}
	r.next.Store(0)
	if t > 1 {
		icaEnsureWorkers(t - 1)
		r.wg.Add(t - 1)
		for i := 1; i < t; i++ {
			icaReqs <- icaReq{it: r, w: i}
		}
	}
	r.work(0)
	r.wg.Wait()
	finishICAStep(m, k, n, r.chunks, r.parts, w, ldw, out, ldo, gpMean)
	r.w, r.x = nil, nil
	cache.Store(r)
}

func (r *icaRun[T]) done() { r.wg.Done() }

func (r *icaRun[T]) work(wk int) {
	for {
		c := int(r.next.Add(1) - 1)
		if c >= r.chunks {
			return
		}
		if r.tiled {
			r.chunkTiled(&r.bufs[wk], c)
		} else {
			r.chunk(&r.bufs[wk], c)
		}
	}
}

// chunk computes chunk c's partial sums into r.parts[c].
func (r *icaRun[T]) chunk(b *icaBuf[T], c int) {
	m, k, B := r.m, r.k, r.B
	per := m*k + m
	part := r.parts[c*per : (c+1)*per]
	j0 := c * r.chunkCols
	j1 := min(r.n, j0+r.chunkCols)
	nb := (j1 - j0) / B
	jt := j0 + nb*B
	lanes, g8 := r.lanes, r.vb/8
	clear(b.acc)
	clear(b.gp)
	if nb > 0 {
		for l := 0; l < k; l++ {
			ewRaceRead(r.x[l*r.ldx+j0 : l*r.ldx+jt])
		}
		gp := (*T)(unsafe.Pointer(unsafe.SliceData(b.gp)))
		for blk := 0; blk < nb; blk++ {
			r.block(&r.x[j0+blk*B], b, gp)
		}
	}
	for i := 0; i < m; i++ {
		for l := 0; l < k; l++ {
			part[i*k+l] = reduceVec(b.acc[(i*k+l)*lanes : (i*k+l+1)*lanes])
		}
		if is32[T]() && r.f == Exp {
			part[m*k+i] = T(reduceVec(b.gp[i*g8 : i*g8+g8]))
		} else {
			gpl := unsafe.Slice((*T)(unsafe.Pointer(&b.gp[i*g8])), lanes)
			part[m*k+i] = reduceVec(gpl)
		}
	}
	if jt < j1 {
		r.tailCols(b, part, jt, j1)
	}
}

// block calls the assembly for the B columns starting at x0.
func (r *icaRun[T]) block(x0 *T, b *icaBuf[T], gp *T) {
	wp, xb, u, acc := unsafe.SliceData(r.wp), unsafe.SliceData(b.xb), unsafe.SliceData(b.u), unsafe.SliceData(b.acc)
	if is32[T]() {
		a := float32(r.alpha)
		w32, x32, xb32, u32, acc32, gp32 := (*float32)(unsafe.Pointer(wp)), (*float32)(unsafe.Pointer(x0)), (*float32)(unsafe.Pointer(xb)),
			(*float32)(unsafe.Pointer(u)), (*float32)(unsafe.Pointer(acc)), (*float32)(unsafe.Pointer(gp))
		if r.lvl == AVX512 {
			switch r.f {
			case LogCosh:
				icaBlockTanhF32AVX512(w32, x32, r.ldx, r.k, r.m, r.mp, xb32, u32, acc32, gp32, a)
			case Exp:
				icaBlockExpF32AVX512(w32, x32, r.ldx, r.k, r.m, r.mp, xb32, u32, acc32, gp32, a)
			default:
				icaBlockCubeF32AVX512(w32, x32, r.ldx, r.k, r.m, r.mp, xb32, u32, acc32, gp32, a)
			}
			return
		}
		switch r.f {
		case LogCosh:
			icaBlockTanhF32AVX2(w32, x32, r.ldx, r.k, r.m, r.mp, xb32, u32, acc32, gp32, a)
		case Exp:
			icaBlockExpF32AVX2(w32, x32, r.ldx, r.k, r.m, r.mp, xb32, u32, acc32, gp32, a)
		default:
			icaBlockCubeF32AVX2(w32, x32, r.ldx, r.k, r.m, r.mp, xb32, u32, acc32, gp32, a)
		}
		return
	}
	a := float64(r.alpha)
	w64, x64, xb64, u64, acc64, gp64 := (*float64)(unsafe.Pointer(wp)), (*float64)(unsafe.Pointer(x0)), (*float64)(unsafe.Pointer(xb)),
		(*float64)(unsafe.Pointer(u)), (*float64)(unsafe.Pointer(acc)), (*float64)(unsafe.Pointer(gp))
	if r.lvl == AVX512 {
		switch r.f {
		case LogCosh:
			icaBlockTanhF64AVX512(w64, x64, r.ldx, r.k, r.m, r.mp, xb64, u64, acc64, gp64, a)
		case Exp:
			icaBlockExpF64AVX512(w64, x64, r.ldx, r.k, r.m, r.mp, xb64, u64, acc64, gp64, a)
		default:
			icaBlockCubeF64AVX512(w64, x64, r.ldx, r.k, r.m, r.mp, xb64, u64, acc64, gp64, a)
		}
		return
	}
	switch r.f {
	case LogCosh:
		icaBlockTanhF64AVX2(w64, x64, r.ldx, r.k, r.m, r.mp, xb64, u64, acc64, gp64, a)
	case Exp:
		icaBlockExpF64AVX2(w64, x64, r.ldx, r.k, r.m, r.mp, xb64, u64, acc64, gp64, a)
	default:
		icaBlockCubeF64AVX2(w64, x64, r.ldx, r.k, r.m, r.mp, xb64, u64, acc64, gp64, a)
	}
}

// tailCols adds the contribution of columns [j0, j1) (fewer than B) to part.
func (r *icaRun[T]) tailCols(b *icaBuf[T], part []T, j0, j1 int) {
	m, k, nt := r.m, r.k, j1-j0
	u := b.tail[:m*nt]
	for i := 0; i < m; i++ {
		ui := u[i*nt : i*nt+nt]
		clear(ui)
		for l := 0; l < k; l++ {
			wl := r.w[i*r.ldw+l]
			xl := r.x[l*r.ldx+j0 : l*r.ldx+j1]
			for j, v := range xl {
				ui[j] += wl * v
			}
		}
	}
	contrastGeneric(r.f, r.alpha, m, nt, u, nt, part[m*k:m*k+m])
	for i := 0; i < m; i++ {
		ui := u[i*nt : i*nt+nt]
		for l := 0; l < k; l++ {
			xl := r.x[l*r.ldx+j0 : l*r.ldx+j1]
			var s T
			for j, v := range xl {
				s += ui[j] * v
			}
			part[i*k+l] += s
		}
	}
}

// reduceVec adds the lanes of v (a power of two long) by halves, in place.
func reduceVec[T Float](v []T) T {
	for h := len(v) / 2; h >= 1; h /= 2 {
		for i := 0; i < h; i++ {
			v[i] += v[i+h]
		}
	}
	return v[0]
}

// Persistent workers for the ICA step: starting goroutines per call would
// allocate, and FastICA calls the step hundreds of times.

type icaWork interface {
	work(w int)
	done()
}

type icaReq struct {
	it icaWork
	w  int
}

var (
	icaReqs    = make(chan icaReq)
	icaMu      sync.Mutex
	icaWorkers int
)

func icaEnsureWorkers(n int) {
	icaMu.Lock()
	for icaWorkers < n {
		icaWorkers++
		go func() {
			for q := range icaReqs {
				q.it.work(q.w)
				q.it.done()
			}
		}()
	}
	icaMu.Unlock()
}

// The transposed (component-lane) path, used unless AVX-512 has m ≤ 4
// (where the column-lane kernel above wastes less on padding). Components
// are in the vector lanes, cpv per vector (AVX-512: 8, AVX2: 4), float32
// with two lanes per component, one per column of a pair; a block is BcP
// pairs of columns, small enough for its packed X, Uᵀ, the packed Wᵀ and
// the accumulator Aᵀ to stay in L1 (see asm/icastep/tile.go). Chunks are
// icaTiledChunk columns whatever the level and type.

const icaTiledChunk = 12288

// icaPfBlocks is how many blocks ahead ICAStepRows and ProjectRows prefetch
// the samples (see asm/icastep/tile.go).
const icaPfBlocks = 8

func (r *icaRun[T]) setupTiled() {
	var z T
	size := int(unsafe.Sizeof(z))
	m, k, w, ldw := r.m, r.k, r.w, r.ldw
	bcp := 24
	r.cpv = 4
	if r.lvl == AVX512 {
		bcp, r.cpv = 32, 8
	}
	r.pair = 8 / size
	r.B = bcp * r.pair
	r.chunkCols = icaTiledChunk
	r.kv = ceilDiv(m, r.cpv)
	L := r.lanes
	r.wp = grow(r.wp, k*r.kv*L)
	clear(r.wp)
	scale := T(1)
	if r.f == LogCosh {
		scale = r.alpha // the kernel evaluates tanh(Uᵀ): Uᵀ = (αW)ᵀ·X
	}
	for i := 0; i < m; i++ {
		v, c := i/r.cpv, i%r.cpv
		for l := 0; l < k; l++ {
			wv := scale * w[i*ldw+l]
			for p := 0; p < r.pair; p++ {
				r.wp[l*r.kv*L+v*L+c*r.pair+p] = wv
			}
		}
	}
}

// chunkTiled computes chunk c's partial sums into r.parts[c].
func (r *icaRun[T]) chunkTiled(b *icaBuf[T], c int) {
	m, k, B := r.m, r.k, r.B
	per := m*k + m
	part := r.parts[c*per : (c+1)*per]
	j0 := c * r.chunkCols
	j1 := min(r.n, j0+r.chunkCols)
	nb := (j1 - j0) / B
	jt := j0 + nb*B
	clear(b.acc)
	clear(b.gp)
	switch {
	case nb == 0:
	case r.rows:
		ewRaceRead(r.x[j0*r.ldx : (jt-1)*r.ldx+k])
		for blk := 0; blk < nb; blk++ {
			// the samples icaPfBlocks blocks on (the last one near the end)
			pf := &r.x[min(j0+(blk+icaPfBlocks)*B, r.n-1)*r.ldx]
			r.blockTiled(&r.x[(j0+blk*B)*r.ldx], pf, b)
		}
	default:
		for l := 0; l < k; l++ {
			ewRaceRead(r.x[l*r.ldx+j0 : l*r.ldx+jt])
		}
		for blk := 0; blk < nb; blk++ {
			r.blockTiled(&r.x[j0+blk*B], nil, b)
		}
	}
	L, kvL, P := r.lanes, r.kv*r.lanes, r.pair
	for i := 0; i < m; i++ {
		e := i/r.cpv*L + i%r.cpv*P
		for l := 0; l < k; l++ {
			a := b.acc[l*kvL+e:]
			s := a[0]
			if P == 2 {
				s += a[1]
			}
			part[i*k+l] = s
		}
		if is32[T]() && r.f == Exp {
			part[m*k+i] = T(b.gp[e] + b.gp[e+1])
		} else {
			g := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b.gp))), kvL)[e:]
			s := g[0]
			if P == 2 {
				s += g[1]
			}
			if r.f == LogCosh {
				s *= r.alpha // the kernel sums 1 − tanh²
			}
			part[m*k+i] = s
		}
	}
	switch {
	case jt == j1:
	case r.rows:
		r.tailRows(b, part, jt, j1)
	default:
		r.tailCols(b, part, jt, j1)
	}
}

// tailRows is tailCols for ICAStepRows: rows [j0, j1) of X (fewer than B),
// centred into b.xb first.
func (r *icaRun[T]) tailRows(b *icaBuf[T], part []T, j0, j1 int) {
	m, k, nt := r.m, r.k, j1-j0
	xc := b.xb[:nt*k]
	for j := 0; j < nt; j++ {
		row := r.x[(j0+j)*r.ldx : (j0+j)*r.ldx+k]
		for l, v := range row {
			xc[j*k+l] = v - r.mu[l]
		}
	}
	u := b.tail[:m*nt]
	for i := 0; i < m; i++ {
		ui := u[i*nt : i*nt+nt]
		wi := r.w[i*r.ldw : i*r.ldw+k]
		for j := range ui {
			var s T
			for l, wl := range wi {
				s += wl * xc[j*k+l]
			}
			ui[j] = s
		}
	}
	contrastGeneric(r.f, r.alpha, m, nt, u, nt, part[m*k:m*k+m])
	for i := 0; i < m; i++ {
		ui := u[i*nt : i*nt+nt]
		for l := 0; l < k; l++ {
			var s T
			for j, g := range ui {
				s += g * xc[j*k+l]
			}
			part[i*k+l] += s
		}
	}
}

// blockTiled runs the three kernels on the B columns starting at x0 (with
// rows: the B samples of the rows starting at x0).
func (r *icaRun[T]) blockTiled(x0, pf0 *T, b *icaBuf[T]) {
	wp, xb, u, acc := unsafe.SliceData(r.wp), unsafe.SliceData(b.xb), unsafe.SliceData(b.u), unsafe.SliceData(b.acc)
	gp := unsafe.SliceData(b.gp)
	k, kv := r.k, r.kv
	if is32[T]() {
		w, x, xb, u, acc := (*float32)(unsafe.Pointer(wp)), (*float32)(unsafe.Pointer(x0)), (*float32)(unsafe.Pointer(xb)),
			(*float32)(unsafe.Pointer(u)), (*float32)(unsafe.Pointer(acc))
		gp32 := (*float32)(unsafe.Pointer(gp))
		if r.rows {
			mu := (*float32)(unsafe.Pointer(unsafe.SliceData(r.mu)))
			if r.lvl == AVX512 {
				icaTPackRowsF32AVX512(x, r.ldx, k, mu, xb)
				icaTProjRowsF32AVX512(w, xb, k, kv, u, (*float32)(unsafe.Pointer(pf0)))
			} else {
				icaTPackRowsF32AVX2(x, r.ldx, k, mu, xb)
				icaTProjRowsF32AVX2(w, xb, k, kv, u, (*float32)(unsafe.Pointer(pf0)))
			}
		} else if r.lvl == AVX512 {
			icaTProjF32AVX512(w, x, r.ldx, k, kv, u)
		} else {
			icaTProjF32AVX2(w, x, r.ldx, k, kv, u)
		}
		if r.lvl == AVX512 {
			switch r.f {
			case LogCosh:
				icaTGTanhF32AVX512(u, kv, gp32)
			case Exp:
				icaTGExpF32AVX512(u, kv, gp)
			default:
				icaTGCubeF32AVX512(u, kv, gp32)
			}
			if r.rows {
				icaTAccRowsF32AVX512(xb, k, kv, u, acc)
			} else {
				icaTAccF32AVX512(x, r.ldx, k, kv, u, acc)
			}
			return
		}
		switch r.f {
		case LogCosh:
			icaTGTanhF32AVX2(u, kv, gp32)
		case Exp:
			icaTGExpF32AVX2(u, kv, gp)
		default:
			icaTGCubeF32AVX2(u, kv, gp32)
		}
		if r.rows {
			icaTAccRowsF32AVX2(xb, k, kv, u, acc)
		} else {
			icaTAccF32AVX2(x, r.ldx, k, kv, u, acc)
		}
		return
	}
	w, x, xb64, u64, acc64 := (*float64)(unsafe.Pointer(wp)), (*float64)(unsafe.Pointer(x0)), (*float64)(unsafe.Pointer(xb)),
		(*float64)(unsafe.Pointer(u)), (*float64)(unsafe.Pointer(acc))
	if r.rows {
		mu := (*float64)(unsafe.Pointer(unsafe.SliceData(r.mu)))
		if r.lvl == AVX512 {
			icaTPackRowsF64AVX512(x, r.ldx, k, mu, xb64)
			icaTProjRowsF64AVX512(w, xb64, k, kv, u64, (*float64)(unsafe.Pointer(pf0)))
		} else {
			icaTPackRowsF64AVX2(x, r.ldx, k, mu, xb64)
			icaTProjRowsF64AVX2(w, xb64, k, kv, u64, (*float64)(unsafe.Pointer(pf0)))
		}
	} else if r.lvl == AVX512 {
		icaTProjF64AVX512(w, x, r.ldx, k, kv, u64)
	} else {
		icaTProjF64AVX2(w, x, r.ldx, k, kv, u64)
	}
	if r.lvl == AVX512 {
		switch r.f {
		case LogCosh:
			icaTGTanhF64AVX512(u64, kv, gp)
		case Exp:
			icaTGExpF64AVX512(u64, kv, gp)
		default:
			icaTGCubeF64AVX512(u64, kv, gp)
		}
		if r.rows {
			icaTAccRowsF64AVX512(xb64, k, kv, u64, acc64)
		} else {
			icaTAccF64AVX512(x, r.ldx, k, kv, u64, acc64)
		}
		return
	}
	switch r.f {
	case LogCosh:
		icaTGTanhF64AVX2(u64, kv, gp)
	case Exp:
		icaTGExpF64AVX2(u64, kv, gp)
	default:
		icaTGCubeF64AVX2(u64, kv, gp)
	}
	if r.rows {
		icaTAccRowsF64AVX2(xb64, k, kv, u64, acc64)
	} else {
		icaTAccF64AVX2(x, r.ldx, k, kv, u64, acc64)
	}
}
