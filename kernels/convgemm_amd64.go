//go:build !purego

package kernels

import (
	"math"
	"sync"
)

// Implicit-GEMM convolution on the AVX-512 float32 register tiles, with no
// column matrix.
//
// Forward: the input rows of a band of output rows are copied, zero-padded,
// into a row-interleaved buffer xs, row ((r·C + c)·S + s) holding padded
// input row r of channel c shifted left by s columns (S = 1, or S = KW for
// few channels). In it the reduction index k = (p·C + c)·S + s of output row
// i lies at a constant stride: the B operand of the 8×32 tile (32 output
// pixels of one row) is xs itself, read in place with ldb = the row length,
// one micro-kernel call per group of S kernel columns. The 8-row A panels
// are the weights, packed once per call. Results go straight into the NCHW
// output.
//
// Weight gradient: ∂W[p, q, c, o] = Σ_pixels x[c, pixel + (p, q)]·∂y[o, pixel].
// With both operands transposed to pixel-major rows of 32 channels (the
// AVX-512 gather transpose) on a grid as wide as the padded input (∂y zero
// in the extra columns), a shift (p, q) is a constant offset, and the Gram
// tile (A and B both with rows of 32) reads both in place: 8 input channels
// × 32 output channels per call, reduced over pixels.

func convAccel32(s ConvShape) (fwd, wg bool) {
	if Impl() != AVX512 {
		return false, false
	}
	return true, convWGradOK(s)
}

func convWGradOK(s ConvShape) bool {
	// 32 output channels per B row; 8 input channels per A tile; the gather
	// kernel's int32 byte offsets.
	return s.O%32 == 0 && s.C%8 == 0 && int64(16)*int64(s.OH*s.OW)*4 <= math.MaxInt32 &&
		int64(16)*int64(s.OW+s.KW)*4 <= math.MaxInt32
}

// convBandBytes is the target size of a band's copied input: about an
// eighth of L2, so the copy, the transposes and the tiles stay in L2.
const convBandBytes = 256 << 10

type convScratch struct {
	a, xs, xt, dyt []float32
}

var convPool sync.Pool

func getConvScratch() *convScratch {
	if p, _ := convPool.Get().(*convScratch); p != nil {
		return p
	}
	return new(convScratch)
}

func growF32(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

var convOnes = func() (o [32]float32) {
	for i := range o {
		o[i] = 1
	}
	return
}()

func convForward32(s ConvShape, w, bias, img, y []float32) bool {
	if Impl() != AVX512 {
		return false
	}
	const mr, nr = 8, 32
	ewRaceRead(w[:s.O*s.C*s.KH*s.KW])
	ewRaceRead(img[:s.C*s.H*s.W])
	ewRaceWrite(y[:s.O*s.OH*s.OW])
	sc := getConvScratch()
	defer convPool.Put(sc)

	sh := 1 // shifted copies per input row
	if s.KH*s.C < 32 {
		sh = s.KW
	}
	nq := s.KW / sh
	kc := s.KH * s.C * sh
	nt := ceilDiv(s.O, mr)
	// A panels: tile t, call qi: a[k·8 + i] = W[t·8+i, c, p, qi·sh + s].
	k := s.C * s.KH * s.KW
	panel := kc * mr
	na := nt * nq * panel
	if bias != nil {
		na += nt * mr
	}
	sc.a = growF32(sc.a, na)
	a := sc.a
	clear(a)
	for t := 0; t < nt; t++ {
		for i := 0; i < min(mr, s.O-t*mr); i++ {
			wo := w[(t*mr+i)*k : (t*mr+i+1)*k]
			for qi := 0; qi < nq; qi++ {
				dst := a[(t*nq+qi)*panel : (t*nq+qi+1)*panel]
				for p := 0; p < s.KH; p++ {
					for c := 0; c < s.C; c++ {
						for ss := 0; ss < sh; ss++ {
							dst[((p*s.C+c)*sh+ss)*mr+i] = wo[(c*s.KH+p)*s.KW+qi*sh+ss]
						}
					}
				}
			}
		}
	}
	var biasA []float32
	if bias != nil {
		biasA = a[nt*nq*panel:]
		for o := 0; o < s.O; o++ {
			biasA[o] = bias[o]
		}
	}

	jt := ceilDiv(s.OW, nr)
	wp := jt*nr + s.KW - sh // xs row length: tile reads reach x = j0 + q0 + 31
	rowBytes := s.C * sh * wp * 4
	band := min(max(convBandBytes/rowBytes-(s.KH-1), 1), s.OH)
	sc.xs = growF32(sc.xs, (band+s.KH-1)*s.C*sh*wp)
	xs := sc.xs
	plane := s.OH * s.OW
	var tmp [mr * nr]float32
	for i0 := 0; i0 < s.OH; i0 += band {
		i1 := min(s.OH, i0+band)
		convFillRows(s, img, xs, i0, i1+s.KH-1, sh, wp)
		for i := i0; i < i1; i++ {
			bRow := (i - i0) * s.C * sh * wp
			for j0 := 0; j0 < s.OW; j0 += nr {
				cols := min(nr, s.OW-j0)
				for t := 0; t < nt; t++ {
					rows := min(mr, s.O-t*mr)
					full := rows == mr && cols == nr
					cp, ldc := &tmp[0], nr
					if full {
						cp, ldc = &y[t*mr*plane+i*s.OW+j0], plane
					}
					accum := 0
					if biasA != nil {
						gemmMicroShortF32AVX512(1, &biasA[t*mr], &convOnes[0], nr, cp, ldc, 1, 0, 0)
						accum = 1
					}
					for qi := 0; qi < nq; qi++ {
						gemmMicroShortF32AVX512(kc, &a[(t*nq+qi)*panel], &xs[bRow+j0+qi*sh], wp, cp, ldc, 1, 1, accum)
						accum = 1
					}
					if !full {
						for r := 0; r < rows; r++ {
							copy(y[(t*mr+r)*plane+i*s.OW+j0:(t*mr+r)*plane+i*s.OW+j0+cols], tmp[r*nr:r*nr+cols])
						}
					}
				}
			}
		}
	}
	return true
}

// convFillRows writes padded input rows [r0, r1) into xs (row length wp):
// row ((r−r0)·C + c)·sh + s holds, at x, img[c, r−Top, x+s−Left] or 0.
//
// Channels are the outer loop: a channel's rows are contiguous in img, so
// the source is read in one sequential run per channel (the image comes
// from memory; C interleaved short streams defeat the prefetcher).
func convFillRows(s ConvShape, img, xs []float32, r0, r1, sh, wp int) {
	for c := 0; c < s.C; c++ {
		for r := r0; r < r1; r++ {
			y0 := r - s.Top
			for ss := 0; ss < sh; ss++ {
				dst := xs[(((r-r0)*s.C+c)*sh+ss)*wp : (((r-r0)*s.C+c)*sh+ss+1)*wp]
				if y0 < 0 || y0 >= s.H {
					clear(dst)
					continue
				}
				src := img[(c*s.H+y0)*s.W : (c*s.H+y0+1)*s.W]
				// dst[x] = src[x + ss − Left] for x in [lo, hi)
				off := ss - s.Left
				lo, hi := max(0, -off), min(wp, s.W-off)
				if hi <= lo {
					clear(dst)
					continue
				}
				clear(dst[:lo])
				copy(dst[lo:hi], src[lo+off:hi+off])
				clear(dst[hi:])
			}
		}
	}
}

// convTranspose32 writes the first n columns of 32 rows of src (ld
// elements apart) pixel-major into dst: dst[x·32 + q] = src[q·ld + x].
// Whole groups of 16 columns go through the register transpose
// (packTransB's kernel); the gather kernel, whose vgatherdps is slow on
// some cores (AMD Zen 4: several times the shuffles' cost), takes only the
// remaining columns. idx holds the gather's byte offsets q·ld·4. The
// caller has checked that the 32 rows are in src (a gather or transpose of
// 32 rows reads exactly those elements).
func convTranspose32(src []float32, ld int, idx *[16]int32, dst []float32, n int) {
	const lanes = 32
	_ = src[31*ld+n-1]
	_ = dst[n*lanes-1]
	g := n / 16
	if g > 0 {
		packTransBF32AVX512(&src[0], ld, &dst[0], g, &packZeros32[0])
	}
	if r := n - 16*g; r > 0 {
		packGatherF32AVX512(&src[16*g], &idx[0], &dst[16*g*lanes], r, &packZeros32[0])
	}
}

func convWeightGrad32(s ConvShape, img, dy, dw []float32) bool {
	if Impl() != AVX512 || !convWGradOK(s) {
		return false
	}
	ewRaceRead(img[:s.C*s.H*s.W])
	ewRaceRead(dy[:s.O*s.OH*s.OW])
	ewRaceWrite(dw[:s.KH*s.KW*s.C*s.O])
	sc := getConvScratch()
	defer convPool.Put(sc)
	const lanes = 32
	wpx := s.OW + s.KW - 1 // pixels per grid row
	ncb, nob := ceilDiv(s.C, lanes), s.O/lanes
	// per band of output rows: xs (rows of the padded input, channel-
	// interleaved), Xt (its pixel-major transpose, per block of 32
	// channels), ∂Yt (∂y's, per block of 32 output channels)
	perRow := (s.C*wpx + ncb*wpx*lanes + nob*wpx*lanes) * 4
	band := min(max(convBandBytes*2/perRow-(s.KH-1), 1), s.OH)
	rowsX := band + s.KH - 1
	sc.xs = growF32(sc.xs, (rowsX*s.C+lanes)*wpx) // + slack: the gather reads 32 rows
	xtBlk := (rowsX*wpx + s.KW) * lanes           // + slack: shifts read past the last row
	sc.xt = growF32(sc.xt, ncb*xtBlk)
	dytBlk := band * wpx * lanes
	sc.dyt = growF32(sc.dyt, nob*dytBlk)
	xs, xt, dyt := sc.xs, sc.xt, sc.dyt
	clear(xs[rowsX*s.C*wpx:])
	for cb := 0; cb < ncb; cb++ {
		clear(xt[cb*xtBlk+rowsX*wpx*lanes : (cb+1)*xtBlk])
	}
	var idxX, idxY [16]int32
	for q := range idxX {
		idxX[q] = int32(q * wpx * 4)
		idxY[q] = int32(q * s.OH * s.OW * 4)
	}
	const kcMax = 128
	first := true
	for i0 := 0; i0 < s.OH; i0 += band {
		i1 := min(s.OH, i0+band)
		nr := i1 - i0 + s.KH - 1
		convFillRows(s, img, xs, i0, i0+nr, 1, wpx)
		for cb := 0; cb < ncb; cb++ {
			for r := 0; r < nr; r++ {
				convTranspose32(xs[(r*s.C+cb*lanes)*wpx:], wpx, &idxX, xt[cb*xtBlk+r*wpx*lanes:], wpx)
			}
			if nr < rowsX {
				clear(xt[cb*xtBlk+nr*wpx*lanes : cb*xtBlk+rowsX*wpx*lanes])
			}
		}
		for ob := 0; ob < nob; ob++ {
			for i := i0; i < i1; i++ {
				d := dyt[ob*dytBlk+(i-i0)*wpx*lanes:]
				convTranspose32(dy[ob*lanes*s.OH*s.OW+i*s.OW:], s.OH*s.OW, &idxY, d, s.OW)
				clear(d[s.OW*lanes : wpx*lanes])
			}
		}
		npx := (i1 - i0) * wpx
		for p := 0; p < s.KH; p++ {
			for pc := 0; pc < npx; pc += kcMax {
				kc := min(kcMax, npx-pc)
				accum := 1
				if first && pc == 0 {
					accum = 0
				}
				for q := 0; q < s.KW; q++ {
					for ob := 0; ob < nob; ob++ {
						b := &dyt[ob*dytBlk+pc*lanes]
						for c0 := 0; c0 < s.C; c0 += 8 {
							a := &xt[(c0/lanes)*xtBlk+(pc+p*wpx+q)*lanes+c0%lanes]
							gramMicroF32AVX512(kc, a, b, &dw[((p*s.KW+q)*s.C+c0)*s.O+ob*lanes], s.O, 1, 1, accum)
						}
					}
				}
			}
		}
		first = false
	}
	return true
}
