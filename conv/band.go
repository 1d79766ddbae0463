package conv

import "github.com/deepica/deepica/kernels"

// bandBytes is the target size of one band's column matrix. Conv2D works on
// bands of output rows whose column matrix (C·KH·KW × rows·OutW) fits in
// about a quarter of a 2 MB L2 cache, so the GEMM's packing reads it from
// L2 instead of memory: materialising a whole image's column matrix (10 MB
// for a 32-channel 96×96 layer) and then packing it would stream it through
// memory twice.
var bandBytes = 512 << 10

// geom is a convolution's geometry with possibly asymmetric padding (only
// the top and left padding enter the index arithmetic; the bottom and right
// padding are implied by the output size).
type geom struct {
	c, h, w   int // input
	kh, kw    int
	sh, sw    int
	top, left int
	oh, ow    int // output
}

func (g *geom) colRows() int { return g.c * g.kh * g.kw }

// bandRows is how many output rows a band holds for element size esize.
func (g *geom) bandRows(esize int) int {
	r := bandBytes / max(1, g.colRows()*g.ow*esize)
	return min(max(r, 1), g.oh)
}

// im2colBand writes the column matrix of output rows [r0, r1) of one image:
// col is (C·KH·KW)×((r1−r0)·OW) row-major, row (c·KH + p)·KW + q holding,
// for each output (y, x) of the band, the input at
// (c, y·sh − top + p, x·sw − left + q), or 0 in the padding. For
// r0 = 0, r1 = OH and symmetric padding it equals kernels.Im2col.
func im2colBand[T kernels.Float](g *geom, img []T, r0, r1 int, col []T) {
	np := (r1 - r0) * g.ow
	row := 0
	for c := 0; c < g.c; c++ {
		plane := img[c*g.h*g.w : (c+1)*g.h*g.w]
		for p := 0; p < g.kh; p++ {
			for q := 0; q < g.kw; q++ {
				dst := col[row*np : (row+1)*np]
				row++
				x0 := q - g.left
				lo, hi := validRange(x0, g.sw, g.ow, g.w)
				for y := r0; y < r1; y++ {
					out := dst[(y-r0)*g.ow : (y-r0+1)*g.ow]
					iy := y*g.sh - g.top + p
					if iy < 0 || iy >= g.h {
						clear(out)
						continue
					}
					src := plane[iy*g.w : (iy+1)*g.w]
					clear(out[:lo])
					if g.sw == 1 {
						copy(out[lo:hi], src[x0+lo:x0+hi])
					} else {
						for x := lo; x < hi; x++ {
							out[x] = src[x0+x*g.sw]
						}
					}
					clear(out[hi:])
				}
			}
		}
	}
}

// col2imBand is the adjoint of im2colBand: it adds every entry of the
// band's column matrix into the input position it was read from.
func col2imBand[T kernels.Float](g *geom, col []T, r0, r1 int, img []T) {
	np := (r1 - r0) * g.ow
	row := 0
	for c := 0; c < g.c; c++ {
		plane := img[c*g.h*g.w : (c+1)*g.h*g.w]
		for p := 0; p < g.kh; p++ {
			for q := 0; q < g.kw; q++ {
				src := col[row*np : (row+1)*np]
				row++
				x0 := q - g.left
				lo, hi := validRange(x0, g.sw, g.ow, g.w)
				for y := r0; y < r1; y++ {
					iy := y*g.sh - g.top + p
					if iy < 0 || iy >= g.h {
						continue
					}
					in := src[(y-r0)*g.ow : (y-r0+1)*g.ow]
					dst := plane[iy*g.w : (iy+1)*g.w]
					if g.sw == 1 {
						kernels.Axpy(1, in[lo:hi], dst[x0+lo:x0+hi])
						continue
					}
					for x := lo; x < hi; x++ {
						dst[x0+x*g.sw] += in[x]
					}
				}
			}
		}
	}
}

// validRange returns the output columns [lo, hi) whose input column
// x0 + x·stride lies in [0, width).
func validRange(x0, stride, outW, width int) (lo, hi int) {
	if x0 < 0 {
		lo = (-x0 + stride - 1) / stride
	}
	hi = outW
	if last := x0 + (outW-1)*stride; last >= width {
		if width-1-x0 < 0 {
			hi = 0
		} else {
			hi = (width-1-x0)/stride + 1
		}
	}
	lo = min(lo, outW)
	hi = max(hi, lo)
	return lo, hi
}
