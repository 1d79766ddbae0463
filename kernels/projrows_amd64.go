//go:build !purego

package kernels

import "unsafe"

func projectRows32(m, k, n int, w []float32, ldw int, x []float32, ldx int, mu, dst []float32, ldd int) {
	switch lvl := Impl(); lvl {
	case AVX2, AVX512:
		projectRowsAsm(lvl, m, k, n, w, ldw, x, ldx, mu, dst, ldd)
	default:
		projectRowsGeneric(m, k, n, w, ldw, x, ldx, mu, dst, ldd)
	}
}

func projectRows64(m, k, n int, w []float64, ldw int, x []float64, ldx int, mu, dst []float64, ldd int) {
	switch lvl := Impl(); lvl {
	case AVX2, AVX512:
		projectRowsAsm(lvl, m, k, n, w, ldw, x, ldx, mu, dst, ldd)
	default:
		projectRowsGeneric(m, k, n, w, ldw, x, ldx, mu, dst, ldd)
	}
}

// projectRowsAsm runs ProjectRows on the rows kernels of the tiled ICA step
// (asm/icastep/tile.go): per block of B samples, icaTPackRows centres them
// and icaTProjRows forms Uᵀ = Xc_blk·Wᵀ with the components in the vector
// lanes, which is the block of dst itself, one sample per row (float64) or
// one pair of samples interleaved per row (float32). The samples are read
// from memory once and the block stays in L1: a GEMM on 4096-row blocks
// with a 40×40 W (FastICA's sources) ran at a third of this speed, its
// operands and result spilling out of L2.
func projectRowsAsm[T Float](lvl Level, m, k, n int, w []T, ldw int, x []T, ldx int, mu, dst []T, ldd int) {
	var z T
	size := int(unsafe.Sizeof(z))
	vb, bcp, cpv := 32, 24, 4
	if lvl == AVX512 {
		vb, bcp, cpv = 64, 32, 8
	}
	L, P := vb/size, 8/size
	B := bcp * P // samples per block
	kv := ceilDiv(m, cpv)
	kvL := kv * L
	nb := n / B
	if nb == 0 {
		projectRowsTail(m, k, 0, n, w, ldw, x, ldx, mu, dst, ldd)
		return
	}
	const chunkBlocks = 32
	chunks := ceilDiv(nb, chunkBlocks)
	workers := max(1, min(chunks, Threads()))
	per := k*B + bcp*kvL // one worker's xb and Uᵀ
	buf, release := getScratch[T](k*kvL + k + workers*per)
	defer release()
	wt, mc, wbuf := buf[:k*kvL], buf[k*kvL:k*kvL+k], buf[k*kvL+k:]
	for i := 0; i < m; i++ {
		v, c := i/cpv, i%cpv
		for l := 0; l < k; l++ {
			for p := 0; p < P; p++ {
				wt[l*kvL+v*L+c*P+p] = w[i*ldw+l]
			}
		}
	}
	if mu != nil {
		copy(mc, mu)
	}
	// Uᵀ is written straight into dst when its rows are dst's rows.
	direct := P == 1 && kvL == m && ldd == m
	ewRaceRead(x[:(nb*B-1)*ldx+k])
	ewRaceWrite(dst[:(nb*B-1)*ldd+m])
	parallelForWorker(chunks, func(wk, c int) {
		wb := wbuf[wk*per : (wk+1)*per]
		xb, ut := wb[:k*B], wb[k*B:]
		for b := c * chunkBlocks; b < min(nb, (c+1)*chunkBlocks); b++ {
			j0 := b * B
			u := ut
			if direct {
				u = dst[j0*ldd:]
			}
			pf := &x[min(j0+icaPfBlocks*B, n-1)*ldx]
			projectRowsBlockAsm(lvl, &x[j0*ldx], pf, ldx, k, kv, &mc[0], &xb[0], &wt[0], &u[0])
			if direct {
				continue
			}
			for jp := 0; jp < bcp; jp++ {
				row := ut[jp*kvL : (jp+1)*kvL]
				if P == 1 { // component i in lane i
					copy(dst[(j0+jp)*ldd:(j0+jp)*ldd+m], row)
					continue
				}
				// component v·cpv+c of the pair's two samples in lanes
				// v·L+2c and v·L+2c+1
				d0 := dst[(j0+2*jp)*ldd : (j0+2*jp)*ldd+m]
				d1 := dst[(j0+2*jp+1)*ldd : (j0+2*jp+1)*ldd+m]
				for v := 0; v < kv; v++ {
					i0 := v * cpv
					seg := row[v*L : v*L+2*min(cpv, m-i0)]
					a, b := d0[i0:i0+len(seg)/2], d1[i0:i0+len(seg)/2]
					for c := range a {
						a[c], b[c] = seg[2*c], seg[2*c+1]
					}
				}
			}
		}
	})
	if nb*B < n {
		projectRowsTail(m, k, nb*B, n, w, ldw, x, ldx, mu, dst, ldd)
	}
}

// projectRowsBlockAsm packs and projects the B samples from x0.
func projectRowsBlockAsm[T Float](lvl Level, x0, pf0 *T, ldx, k, kv int, mu, xb, wt, ut *T) {
	if is32[T]() {
		x, m, b, w, u := (*float32)(unsafe.Pointer(x0)), (*float32)(unsafe.Pointer(mu)), (*float32)(unsafe.Pointer(xb)),
			(*float32)(unsafe.Pointer(wt)), (*float32)(unsafe.Pointer(ut))
		pf := (*float32)(unsafe.Pointer(pf0))
		if lvl == AVX512 {
			icaTPackRowsF32AVX512(x, ldx, k, m, b)
			icaTProjRowsF32AVX512(w, b, k, kv, u, pf)
		} else {
			icaTPackRowsF32AVX2(x, ldx, k, m, b)
			icaTProjRowsF32AVX2(w, b, k, kv, u, pf)
		}
		return
	}
	x, m, b, w, u := (*float64)(unsafe.Pointer(x0)), (*float64)(unsafe.Pointer(mu)), (*float64)(unsafe.Pointer(xb)),
		(*float64)(unsafe.Pointer(wt)), (*float64)(unsafe.Pointer(ut))
	pf := (*float64)(unsafe.Pointer(pf0))
	if lvl == AVX512 {
		icaTPackRowsF64AVX512(x, ldx, k, m, b)
		icaTProjRowsF64AVX512(w, b, k, kv, u, pf)
	} else {
		icaTPackRowsF64AVX2(x, ldx, k, m, b)
		icaTProjRowsF64AVX2(w, b, k, kv, u, pf)
	}
}

// projectRowsTail computes rows [r0, r1) one at a time (the samples after
// the last whole block).
func projectRowsTail[T Float](m, k, r0, r1 int, w []T, ldw int, x []T, ldx int, mu, dst []T, ldd int) {
	for j := r0; j < r1; j++ {
		row, d := x[j*ldx:j*ldx+k], dst[j*ldd:j*ldd+m]
		for i := range d {
			wi := w[i*ldw : i*ldw+k]
			var s T
			for l, v := range row {
				c := v
				if mu != nil {
					c -= mu[l]
				}
				s += wi[l] * c
			}
			d[i] = s
		}
	}
}
