//go:build !purego

package kernels

// Im2col stays the reference at every level: for stride 1 each output row
// is a copy (memmove), which already moves data at memory speed (see
// bench/BENCHMARKS.md). Col2im's stride-1 rows are additions y += x, done
// by the level's axpy kernel with a = 1 (fma(1, x, y) rounds exactly like
// x + y, so results equal the reference's bit for bit).

func im2col32(g ConvGeom, img, col []float32) { im2colGeneric(g, img, col) }
func im2col64(g ConvGeom, img, col []float64) { im2colGeneric(g, img, col) }

func col2im32(g ConvGeom, col, img []float32) {
	if Impl() == Generic || orOne(g.StrideW) != 1 {
		col2imGeneric(g, col, img)
		return
	}
	col2imUnitStride(g, col, img)
}

func col2im64(g ConvGeom, col, img []float64) {
	if Impl() == Generic || orOne(g.StrideW) != 1 {
		col2imGeneric(g, col, img)
		return
	}
	col2imUnitStride(g, col, img)
}

// col2imUnitStride is col2imGeneric for StrideW = 1, one axpy per row.
func col2imUnitStride[T Float](g ConvGeom, col, img []T) {
	oh, ow := g.OutH(), g.OutW()
	sh, dh, dw := orOne(g.StrideH), orOne(g.DilH), orOne(g.DilW)
	row := 0
	for c := 0; c < g.C; c++ {
		plane := img[c*g.H*g.W : (c+1)*g.H*g.W]
		for kh := 0; kh < g.KH; kh++ {
			for kw := 0; kw < g.KW; kw++ {
				src := col[row*oh*ow : (row+1)*oh*ow]
				row++
				x0 := kw*dw - g.PadW
				lo, hi := validRange(x0, 1, ow, g.W)
				if lo >= hi {
					continue
				}
				for y := 0; y < oh; y++ {
					iy := y*sh - g.PadH + kh*dh
					if iy < 0 || iy >= g.H {
						continue
					}
					in := src[y*ow+lo : y*ow+hi]
					dst := plane[iy*g.W+x0+lo : iy*g.W+x0+hi]
					if is32[T]() {
						axpy32(1, f32(in), f32(dst))
					} else {
						axpy64(1, f64(in), f64(dst))
					}
				}
			}
		}
	}
}
