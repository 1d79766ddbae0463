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

// icaBuf is one worker's scratch.
type icaBuf[T Float] struct {
	xb   []T       // k×B copy of the block of X
	u    []T       // mp×B projected block
	acc  []T       // mp×k lane vectors of Σ G·Xᵀ
	gp   []float64 // mp lane vectors (64 bytes each) of Σ g'
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
	vb, lanes        int // vector bytes and lanes of the level
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
	if m == 0 || k == 0 {
		icaStepGeneric(f, alpha, m, k, n, w, ldw, x, ldx, out, ldo, gpMean)
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
	r.B = icaBlockBytes / size
	r.chunkCols = icaAsmChunkBlocks * r.B
	r.chunks = ceilDiv(n, r.chunkCols)
	per := m*k + m
	r.parts = grow(r.parts, max(r.chunks, 1)*per)
	r.wp = grow(r.wp, r.mp*k)
	clear(r.wp)
	for i := 0; i < m; i++ {
		copy(r.wp[i*k:i*k+k], w[i*ldw:i*ldw+k])
	}
	t := min(Threads(), r.chunks)
	if t < 1 {
		t = 1
	}
	if cap(r.bufs) < t {
		r.bufs = append(r.bufs[:cap(r.bufs)], make([]icaBuf[T], t-cap(r.bufs))...)
	}
	r.bufs = r.bufs[:t]
	r.vb = 32
	if lvl == AVX512 {
		r.vb = 64
	}
	r.lanes = r.vb / size
	for i := range r.bufs {
		b := &r.bufs[i]
		b.xb = grow(b.xb, k*r.B)
		b.u = grow(b.u, r.mp*r.B)
		b.acc = grow(b.acc, r.mp*k*r.lanes)
		b.gp = grow(b.gp, r.mp*r.vb/8)
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
		r.chunk(&r.bufs[wk], c)
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
