package kernels

import "fmt"

// ConvGeom describes a 2-D convolution over one C×H×W image (NCHW, one batch
// element): a KH×KW kernel, strides, zero padding and dilation. Zero strides
// and dilations mean 1.
type ConvGeom struct {
	C, H, W          int
	KH, KW           int
	StrideH, StrideW int
	PadH, PadW       int
	DilH, DilW       int
}

func orOne(v int) int {
	if v == 0 {
		return 1
	}
	return v
}

// OutH is the output height: (H + 2·PadH − DilH·(KH−1) − 1)/StrideH + 1.
func (g ConvGeom) OutH() int {
	return (g.H+2*g.PadH-orOne(g.DilH)*(g.KH-1)-1)/orOne(g.StrideH) + 1
}

// OutW is the output width, as OutH.
func (g ConvGeom) OutW() int {
	return (g.W+2*g.PadW-orOne(g.DilW)*(g.KW-1)-1)/orOne(g.StrideW) + 1
}

// ColRows is the number of rows of the column matrix: C·KH·KW.
func (g ConvGeom) ColRows() int { return g.C * g.KH * g.KW }

// ColCols is the number of columns of the column matrix: OutH·OutW.
func (g ConvGeom) ColCols() int { return g.OutH() * g.OutW() }

// Validate reports a geometry that cannot describe a convolution.
func (g ConvGeom) Validate() error {
	switch {
	case g.C <= 0 || g.H <= 0 || g.W <= 0:
		return fmt.Errorf("kernels: image shape %d×%d×%d is empty", g.C, g.H, g.W)
	case g.KH <= 0 || g.KW <= 0:
		return fmt.Errorf("kernels: kernel shape %d×%d is empty", g.KH, g.KW)
	case g.StrideH < 0 || g.StrideW < 0 || g.DilH < 0 || g.DilW < 0 || g.PadH < 0 || g.PadW < 0:
		return fmt.Errorf("kernels: negative stride, padding or dilation in %+v", g)
	case g.OutH() <= 0 || g.OutW() <= 0:
		return fmt.Errorf("kernels: a %d×%d kernel (dilation %d×%d) does not fit a padded %d×%d image",
			g.KH, g.KW, orOne(g.DilH), orOne(g.DilW), g.H+2*g.PadH, g.W+2*g.PadW)
	}
	return nil
}

func (g ConvGeom) check(kernel string, img, col int) {
	if err := g.Validate(); err != nil {
		panic(fmt.Sprintf("kernels.%s: %v", kernel, err))
	}
	if img < g.C*g.H*g.W {
		panic(fmt.Sprintf("kernels.%s: image needs %d elements, has %d", kernel, g.C*g.H*g.W, img))
	}
	if col < g.ColRows()*g.ColCols() {
		panic(fmt.Sprintf("kernels.%s: column matrix needs %d elements, has %d", kernel, g.ColRows()*g.ColCols(), col))
	}
}

// Im2col writes the column matrix of one image: col is (C·KH·KW)×(OutH·OutW)
// row-major, row (c·KH + kh)·KW + kw holding, for every output position
// (oh, ow), the input value at (c, oh·StrideH − PadH + kh·DilH,
// ow·StrideW − PadW + kw·DilW), or 0 where that falls in the padding. A
// convolution is then Wmat·col with Wmat the Cout×(C·KH·KW) weights.
func Im2col[T Float](g ConvGeom, img, col []T) {
	g.check("Im2col", len(img), len(col))
	if is32[T]() {
		im2col32(g, f32(img), f32(col))
		return
	}
	im2col64(g, f64(img), f64(col))
}

// Col2im is the adjoint of Im2col: it adds every entry of the column matrix
// back into the image position it came from (entries from padding are
// dropped). img is accumulated into, not overwritten: clear it first for a
// plain transpose. It turns the column-matrix gradient into the input
// gradient.
func Col2im[T Float](g ConvGeom, col, img []T) {
	g.check("Col2im", len(img), len(col))
	if is32[T]() {
		col2im32(g, f32(col), f32(img))
		return
	}
	col2im64(g, f64(col), f64(img))
}
