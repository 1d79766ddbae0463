package kernels

// im2colGeneric is the reference Im2col. For each (c, kh, kw) row it works
// out once which output columns fall inside the image, so the inner loop is
// a plain strided copy with no bounds tests.
func im2colGeneric[T Float](g ConvGeom, img, col []T) {
	oh, ow := g.OutH(), g.OutW()
	sh, sw, dh, dw := orOne(g.StrideH), orOne(g.StrideW), orOne(g.DilH), orOne(g.DilW)
	row := 0
	for c := 0; c < g.C; c++ {
		plane := img[c*g.H*g.W : (c+1)*g.H*g.W]
		for kh := 0; kh < g.KH; kh++ {
			for kw := 0; kw < g.KW; kw++ {
				dst := col[row*oh*ow : (row+1)*oh*ow]
				row++
				x0 := kw*dw - g.PadW
				lo, hi := validRange(x0, sw, ow, g.W)
				for y := 0; y < oh; y++ {
					out := dst[y*ow : (y+1)*ow]
					iy := y*sh - g.PadH + kh*dh
					if iy < 0 || iy >= g.H {
						clear(out)
						continue
					}
					src := plane[iy*g.W : (iy+1)*g.W]
					clear(out[:lo])
					if sw == 1 {
						if lo < hi { // x0+lo < 0 when the tap misses the image entirely
							copy(out[lo:hi], src[x0+lo:x0+hi])
						}
					} else {
						for x := lo; x < hi; x++ {
							out[x] = src[x0+x*sw]
						}
					}
					clear(out[hi:])
				}
			}
		}
	}
}

// validRange returns the output columns [lo, hi) whose input column
// x0 + x·stride lies in [0, width).
func validRange(x0, stride, outW, width int) (lo, hi int) {
	lo = 0
	if x0 < 0 {
		lo = (-x0 + stride - 1) / stride
	}
	hi = outW
	if last := x0 + (outW-1)*stride; last >= width {
		hi = (width-1-x0)/stride + 1
		if width-1-x0 < 0 {
			hi = 0
		}
	}
	if lo > outW {
		lo = outW
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

// col2imGeneric is the reference Col2im.
func col2imGeneric[T Float](g ConvGeom, col, img []T) {
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
					for x := lo; x < hi; x++ {
						dst[x0+x*sw] += in[x]
					}
				}
			}
		}
	}
}
