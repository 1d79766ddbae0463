//go:build !purego

package kernels

// Im2col stays the reference on arm64: it is pure data movement, and its
// unit-stride rows are already copy() calls, which the runtime's memmove
// does with 128-bit NEON/LDP-STP pairs; strided rows (stride > 1) are
// gathers, which NEON cannot do faster than scalar loads. A NEON im2col
// would be the same memmove.
//
// Col2im adds rows of the column matrix into the image; for unit stride each
// row is an axpy with alpha 1, which the NEON axpy does in 128-bit vectors.
// FMA(1, x, y) rounds x + y exactly like the reference's addition, and the
// loop order is the reference's, so the result is bit-identical to it.

func im2col32(g ConvGeom, img, col []float32) { im2colGeneric(g, img, col) }
func im2col64(g ConvGeom, img, col []float64) { im2colGeneric(g, img, col) }

func col2im32(g ConvGeom, col, img []float32) {
	if Impl() != NEON {
		col2imGeneric(g, col, img)
		return
	}
	col2imNEON(g, col, img)
}

func col2im64(g ConvGeom, col, img []float64) {
	if Impl() != NEON {
		col2imGeneric(g, col, img)
		return
	}
	col2imNEON(g, col, img)
}

// col2imNEON is col2imGeneric (im2col_generic.go) with the unit-stride row
// additions done by the NEON axpy.
func col2imNEON[T Float](g ConvGeom, col, img []T) {
	oh, ow := g.OutH(), g.OutW()
	sh, sw, dh, dw := orOne(g.StrideH), orOne(g.StrideW), orOne(g.DilH), orOne(g.DilW)
	row := 0
	for c := 0; c < g.C; c++ {
		plane := img[c*g.H*g.W : (c+1)*g.H*g.W]
		for kh := 0; kh < g.KH; kh++ {
			for kw := 0; kw < g.KW; kw++ {
				src := col[row*oh*ow : (row+1)*oh*ow]
				row++
				x0 := kw*dw - g.PadW
				lo, hi := validRange(x0, sw, ow, g.W)
				for y := 0; y < oh; y++ {
					iy := y*sh - g.PadH + kh*dh
					if iy < 0 || iy >= g.H {
						continue
					}
					in := src[y*ow : (y+1)*ow]
					dst := plane[iy*g.W : (iy+1)*g.W]
					if sw == 1 && hi > lo {
						if is32[T]() {
							axpy32(1, f32(in[lo:hi]), f32(dst[x0+lo:x0+hi]))
						} else {
							axpy64(1, f64(in[lo:hi]), f64(dst[x0+lo:x0+hi]))
						}
						continue
					}
					for x := lo; x < hi; x++ {
						dst[x0+x*sw] += in[x]
					}
				}
			}
		}
	}
}
