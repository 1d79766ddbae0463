//go:build !purego

package kernels

import "unsafe"

// Packing runs once per block and its cost is not hidden by the micro-kernel
// when one dimension is small (Gram of a wide matrix packs n·k elements for
// about n²·k/2 FMAs), so the inner loops index with unsafe.Add instead of
// bounds-checked slices; every range is checked once by the slicing at the
// top of each loop.

// packA writes rows [i0, i0+rows) × reduction [p0, p0+kc) of op(A), minus
// shiftA, as one panel of mr rows: dst[p·mr+r]; rows ≥ rows are zero.
func packA[T Float](g *gemmArgs[T], dst []T, i0, rows, p0, kc, mr int) {
	dst = dst[:kc*mr]
	if rows < mr {
		clear(dst)
	}
	if g.transA { // op(A)[i][p] = A[p][i]: each p is a contiguous run of rows
		packRuns(dst, mr, g.a, g.lda, p0, i0, kc, rows, g.shiftA)
		return
	}
	if is32[T]() && mr == 14 && rows == mr && g.shiftA == nil && kc >= 16 {
		// mr = 14 is the AVX-512 tile: transpose 16 columns at a time in
		// registers, the rest in Go. A pure copy, so bit-identical.
		kc16 := kc / 16
		_ = g.a[(i0+mr-1)*g.lda+p0+kc16*16-1] // the last element read
		packTrans14F32AVX512((*float32)(unsafe.Pointer(&g.a[i0*g.lda+p0])), g.lda, (*float32)(unsafe.Pointer(&dst[0])), kc16)
		if p := kc16 * 16; p < kc {
			packStrided(dst[p*mr:], mr, g.a, g.lda, i0, p0+p, rows, kc-p, nil)
		}
		return
	}
	packStrided(dst, mr, g.a, g.lda, i0, p0, rows, kc, g.shiftA)
}

// packB writes reduction [p0, p0+kc) × columns [j0, j0+cols) of op(B),
// minus shiftB, as one panel of nr columns: dst[p·nr+q]; columns ≥ cols
// are zero.
func packB[T Float](g *gemmArgs[T], dst []T, j0, cols, p0, kc, nr int) {
	dst = dst[:kc*nr]
	if cols < nr {
		clear(dst)
	}
	if !g.transB { // op(B)[p][j] = B[p][j]: each p is a contiguous run
		packRuns(dst, nr, g.b, g.ldb, p0, j0, kc, cols, g.shiftB)
		return
	}
	packStrided(dst, nr, g.b, g.ldb, j0, p0, cols, kc, g.shiftB)
}

// packBlockB packs reduction [p0, p0+kc) × columns [j0, j0+nc) of op(B)
// into consecutive panels of nr columns (panel jr at dst[jr·nr·kc:]), using
// up to threads goroutines. When op(B)'s rows are contiguous (no transpose)
// it walks groups of a few rows across the whole block, so memory is read
// in long sequential runs rather than in nr-wide strips of kc rows (each
// row a different page, which defeats the hardware prefetcher).
func packBlockB[T Float](lvl Level, g *gemmArgs[T], dst []T, j0, nc, p0, kc, nr, threads int) {
	np := ceilDiv(nc, nr)
	if g.wide != nil {
		packBlockWide(lvl, g.transB, g.wide, g.ldb, f64(dst), f64(g.shiftB), j0, nc, p0, kc, nr, threads)
		return
	}
	if g.transB {
		gemmParallel(threads, np, func(jr int) {
			d := dst[jr*nr*kc : (jr+1)*nr*kc]
			if cols := min(nr, nc-jr*nr); lvl == AVX512 && cols == nr {
				packTransB(g, d, j0+jr*nr, p0, kc, nr)
			} else {
				packB(g, d, j0+jr*nr, cols, p0, kc, nr)
			}
		})
		return
	}
	const group = 32
	asm := nr == packRowsNR[T](lvl)
	gemmParallel(threads, ceilDiv(kc, group), func(pg int) {
		pa, pb := pg*group, min(kc, (pg+1)*group)
		for jr := 0; jr < np; jr++ {
			cols := min(nr, nc-jr*nr)
			d := dst[jr*nr*kc+pa*nr : jr*nr*kc+pb*nr]
			if asm && (cols == nr || lvl == AVX512) {
				packRowsAsm(lvl, g, d, j0+jr*nr, p0+pa, pb-pa, nr, cols)
			} else {
				packRowsGo(g, d, j0+jr*nr, p0+pa, pb-pa, nr, cols)
			}
		}
	})
}

// packRowsGo packs kc rows of cols ≤ nr values of the row-major op(B), from
// row p0 and column q0, into dst (nr per row, zero-padded), centred by
// g.shiftB (none when nil): the specification of packRowsB.
func packRowsGo[T Float](g *gemmArgs[T], dst []T, q0, p0, kc, nr, cols int) {
	for p := 0; p < kc; p++ {
		d := dst[p*nr : (p+1)*nr]
		src := g.b[(p0+p)*g.ldb+q0 : (p0+p)*g.ldb+q0+cols]
		if g.shiftB == nil {
			copy(d, src)
		} else {
			s := g.shiftB[q0 : q0+cols]
			for q, v := range src {
				d[q] = v - s[q]
			}
		}
		clear(d[cols:])
	}
}

// packRowsNR is the panel width of the packRowsB kernel of the level.
func packRowsNR[T Float](lvl Level) int {
	var z T
	lanes := 32 / int(unsafe.Sizeof(z))
	if lvl == AVX512 {
		lanes *= 2
	}
	return 2 * lanes
}

// packRowsAsm packs kc rows of cols values (cols < nr only at AVX-512,
// zero-padded to nr) of the row-major op(B), from row p0 and column q0,
// into dst, centred by g.shiftB (zero when nil).
func packRowsAsm[T Float](lvl Level, g *gemmArgs[T], dst []T, q0, p0, kc, nr, cols int) {
	if kc == 0 {
		return
	}
	_ = g.b[(p0+kc-1)*g.ldb+q0+cols-1] // the last element read
	_ = dst[kc*nr-1]
	src := &g.b[p0*g.ldb+q0]
	if is32[T]() {
		sh := &packZeros32[0]
		if g.shiftB != nil {
			sh = &f32(g.shiftB[q0 : q0+cols])[0]
		}
		s, d := (*float32)(unsafe.Pointer(src)), (*float32)(unsafe.Pointer(&dst[0]))
		switch {
		case lvl == AVX512 && cols < nr:
			packRowsBTailF32AVX512(s, g.ldb, d, kc, sh, cols)
		case lvl == AVX512:
			packRowsBF32AVX512(s, g.ldb, d, kc, sh)
		default:
			packRowsBF32AVX2(s, g.ldb, d, kc, sh)
		}
		return
	}
	sh := &packZeros64[0]
	if g.shiftB != nil {
		sh = &f64(g.shiftB[q0 : q0+cols])[0]
	}
	s, d := (*float64)(unsafe.Pointer(src)), (*float64)(unsafe.Pointer(&dst[0]))
	switch {
	case lvl == AVX512 && cols < nr:
		packRowsBTailF64AVX512(s, g.ldb, d, kc, sh, cols)
	case lvl == AVX512:
		packRowsBF64AVX512(s, g.ldb, d, kc, sh)
	default:
		packRowsBF64AVX2(s, g.ldb, d, kc, sh)
	}
}

// packBlockWide is packBlockB for float32 op(B) values (src, leading
// dimension ld) packed as float64, for GramWide.
func packBlockWide(lvl Level, transB bool, src []float32, ld int, dst, shift []float64, j0, nc, p0, kc, nr, threads int) {
	np := ceilDiv(nc, nr)
	gemmParallel(threads, np, func(jr int) {
		d := dst[jr*nr*kc : (jr+1)*nr*kc]
		q0, cols := j0+jr*nr, min(nr, nc-jr*nr)
		if cols < nr {
			clear(d)
		}
		if !transB { // op(B)[p][j] = src[p·ld + j]: runs of cols values
			for p := 0; p < kc; p++ {
				row := src[(p0+p)*ld+q0 : (p0+p)*ld+q0+cols]
				dp := d[p*nr : p*nr+cols]
				for q, v := range row {
					dp[q] = float64(v)
				}
				if shift != nil {
					for q, s := range shift[q0 : q0+cols] {
						dp[q] -= s
					}
				}
			}
			return
		}
		p := 0
		if lvl == AVX512 && cols == nr && nr == 16 {
			// The register-transposing kernel takes whole blocks of 8.
			if kcl := kc / 8; kcl > 0 {
				_ = src[(q0+nr-1)*ld+p0+kcl*8-1] // the last element read
				sh := &packZeros64[0]
				if shift != nil {
					sh = &shift[q0 : q0+nr][0]
				}
				packTransBWideF64AVX512(&src[q0*ld+p0], ld, &d[0], kcl, sh)
				p = kcl * 8
			}
		}
		for q := 0; q < cols; q++ {
			var s float64
			if shift != nil {
				s = shift[q0+q]
			}
			row := src[(q0+q)*ld+p0 : (q0+q)*ld+p0+kc]
			for pp := p; pp < kc; pp++ {
				d[pp*nr+q] = float64(row[pp]) - s
			}
		}
	})
}

// packRuns copies, for p < kc, src[(p0+p)·ld + q0 : … + w] minus shift[q0:]
// to dst[p·width:].
func packRuns[T Float](dst []T, width int, src []T, ld, p0, q0, kc, w int, shift []T) {
	if shift == nil {
		for p := 0; p < kc; p++ {
			copy(dst[p*width:p*width+w], src[(p0+p)*ld+q0:(p0+p)*ld+q0+w])
		}
		return
	}
	s := shift[q0 : q0+w]
	for p := 0; p < kc; p++ {
		d := dst[p*width : p*width+w]
		for q, v := range src[(p0+p)*ld+q0 : (p0+p)*ld+q0+w] {
			d[q] = v - s[q]
		}
	}
}

// packStrided writes, for each of w source rows q (src[(q0+q)·ld + p0 :
// … + kc], minus shift[q0+q]), its values to dst[p·width + q]: the
// transposing copy.
func packStrided[T Float](dst []T, width int, src []T, ld, q0, p0, w, kc int, shift []T) {
	var z T
	size := int(unsafe.Sizeof(z))
	stride := width * size
	_ = dst[(kc-1)*width+w-1]
	for q := 0; q < w; q++ {
		row := src[(q0+q)*ld+p0 : (q0+q)*ld+p0+kc]
		var sh T
		if shift != nil {
			sh = shift[q0+q]
		}
		d := unsafe.Pointer(&dst[q])
		s := unsafe.Pointer(&row[0])
		// Offsets from fixed bases: a pointer advanced past the end of
		// dst, even unused, would be invalid (checkptr rejects it).
		p := 0
		for ; p+4 <= kc; p += 4 {
			v0 := *(*T)(unsafe.Add(s, p*size))
			v1 := *(*T)(unsafe.Add(s, (p+1)*size))
			v2 := *(*T)(unsafe.Add(s, (p+2)*size))
			v3 := *(*T)(unsafe.Add(s, (p+3)*size))
			*(*T)(unsafe.Add(d, p*stride)) = v0 - sh
			*(*T)(unsafe.Add(d, (p+1)*stride)) = v1 - sh
			*(*T)(unsafe.Add(d, (p+2)*stride)) = v2 - sh
			*(*T)(unsafe.Add(d, (p+3)*stride)) = v3 - sh
		}
		for ; p < kc; p++ {
			*(*T)(unsafe.Add(d, p*stride)) = *(*T)(unsafe.Add(s, p*size)) - sh
		}
	}
}

var packZeros32 [32]float32
var packZeros64 [16]float64

// packTransB is packB of a full transposed panel (AVX-512): the
// register-transpose kernel packs the reduction's whole blocks of vector
// length, packStrided the rest. The result is bit-identical to packB's.
func packTransB[T Float](g *gemmArgs[T], dst []T, j0, p0, kc, nr int) {
	var z T
	lanes := 64 / int(unsafe.Sizeof(z))
	dst = dst[:kc*nr]
	kcl := kc / lanes
	if kcl > 0 {
		_ = g.b[(j0+nr-1)*g.ldb+p0+kcl*lanes-1] // the last element read
		src := &g.b[j0*g.ldb+p0]
		if is32[T]() {
			sh := &packZeros32[0]
			if g.shiftB != nil {
				sh = &f32(g.shiftB[j0 : j0+nr])[0]
			}
			packTransBF32AVX512((*float32)(unsafe.Pointer(src)), g.ldb, (*float32)(unsafe.Pointer(&dst[0])), kcl, sh)
		} else {
			sh := &packZeros64[0]
			if g.shiftB != nil {
				sh = &f64(g.shiftB[j0 : j0+nr])[0]
			}
			packTransBF64AVX512((*float64)(unsafe.Pointer(src)), g.ldb, (*float64)(unsafe.Pointer(&dst[0])), kcl, sh)
		}
	}
	if p := kcl * lanes; p < kc {
		packStrided(dst[p*nr:], nr, g.b, g.ldb, j0, p0+p, nr, kc-p, g.shiftB)
	}
}
