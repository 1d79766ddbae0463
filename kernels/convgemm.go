package kernels

import "fmt"

// ConvShape is the geometry of a stride-1 2-D cross-correlation of one
// C×H×W image (NCHW, one batch element) with O filters of C×KH×KW: the
// output is O×OH×OW, output (i, j) reading input rows i+p−Top and columns
// j+q−Left for p < KH, q < KW, zero outside the image. Top and Left may be
// negative (a crop) or exceed the kernel; the padding below and at the
// right is whatever OH and OW imply.
type ConvShape struct {
	C, H, W   int
	O         int
	KH, KW    int
	Top, Left int
	OH, OW    int
}

// Validate reports a shape that describes no convolution.
func (s ConvShape) Validate() error {
	switch {
	case s.C <= 0 || s.H <= 0 || s.W <= 0:
		return fmt.Errorf("kernels: image shape %d×%d×%d is empty", s.C, s.H, s.W)
	case s.O <= 0 || s.KH <= 0 || s.KW <= 0:
		return fmt.Errorf("kernels: %d filters of %d×%d", s.O, s.KH, s.KW)
	case s.OH <= 0 || s.OW <= 0:
		return fmt.Errorf("kernels: output shape %d×%d is empty", s.OH, s.OW)
	}
	return nil
}

func (s ConvShape) check(kernel string, lw, lb, limg, ly int, wName, yName string, hasBias bool) {
	if err := s.Validate(); err != nil {
		panic(fmt.Sprintf("kernels.%s: %v", kernel, err))
	}
	k := s.C * s.KH * s.KW
	switch {
	case lw < s.O*k:
		panic(fmt.Sprintf("kernels.%s: %s needs %d elements, has %d", kernel, wName, s.O*k, lw))
	case hasBias && lb < s.O:
		panic(fmt.Sprintf("kernels.%s: bias needs %d elements, has %d", kernel, s.O, lb))
	case limg < s.C*s.H*s.W:
		panic(fmt.Sprintf("kernels.%s: image needs %d elements, has %d", kernel, s.C*s.H*s.W, limg))
	case ly < s.O*s.OH*s.OW:
		panic(fmt.Sprintf("kernels.%s: %s needs %d elements, has %d", kernel, yName, s.O*s.OH*s.OW, ly))
	}
}

// ConvForward computes one image's stride-1 convolution without a column
// matrix:
//
//	y[o, i, j] = bias[o] + Σ_{c,p,q} w[o, (c·KH + p)·KW + q] · img[c, i+p−Top, j+q−Left]
//
// w is O×(C·KH·KW) row-major (OIHW), bias has O elements or is nil, img is
// C×H×W and y O×OH×OW (overwritten). Each output sums its C·KH·KW terms in
// an order fixed by the shape alone. Floating-point operations: 2·O·OH·OW·C·KH·KW.
func ConvForward[T Float](s ConvShape, w, bias, img, y []T) {
	s.check("ConvForward", len(w), len(bias), len(img), len(y), "w", "y", bias != nil)
	if is32[T]() && convForward32(s, f32(w), f32(bias), f32(img), f32(y)) {
		return
	}
	convForwardGeneric(s, w, bias, img, y)
}

// ConvWeightGrad computes one image's weight gradient of a stride-1
// convolution, in HWIO order (kernel row, kernel column, input channel,
// output channel):
//
//	dw[((p·KW + q)·C + c)·O + o] = Σ_{i,j} dy[o, i, j] · img[c, i+p−Top, j+q−Left]
//
// img is C×H×W, dy is O×OH×OW and dw has KH·KW·C·O elements (overwritten).
// Floating-point operations: 2·O·OH·OW·C·KH·KW.
func ConvWeightGrad[T Float](s ConvShape, img, dy, dw []T) {
	s.check("ConvWeightGrad", len(dw), 0, len(img), len(dy), "dw", "dy", false)
	if is32[T]() && convWeightGrad32(s, f32(img), f32(dy), f32(dw)) {
		return
	}
	convWeightGradGeneric(s, img, dy, dw)
}

// ConvAccelerated reports whether ConvForward and ConvWeightGrad run an
// assembly kernel for this shape and element type at the current level;
// when false they run the pure-Go reference, which is exact but slow (an
// im2col + Gemm is then the faster way).
func ConvAccelerated[T Float](s ConvShape) (forward, weightGrad bool) {
	if !is32[T]() || s.Validate() != nil {
		return false, false
	}
	return convAccel32(s)
}

// convForwardGeneric is the reference: for each output, the C·KH·KW terms
// in (c, p, q) order, added to the bias last.
func convForwardGeneric[T Float](s ConvShape, w, bias, img, y []T) {
	k := s.C * s.KH * s.KW
	for o := 0; o < s.O; o++ {
		wo := w[o*k : (o+1)*k]
		for i := 0; i < s.OH; i++ {
			for j := 0; j < s.OW; j++ {
				var acc T
				for c := 0; c < s.C; c++ {
					for p := 0; p < s.KH; p++ {
						y0 := i + p - s.Top
						if y0 < 0 || y0 >= s.H {
							continue
						}
						row := img[(c*s.H+y0)*s.W : (c*s.H+y0+1)*s.W]
						for q := 0; q < s.KW; q++ {
							x0 := j + q - s.Left
							if x0 < 0 || x0 >= s.W {
								continue
							}
							acc += wo[(c*s.KH+p)*s.KW+q] * row[x0]
						}
					}
				}
				if bias != nil {
					acc += bias[o]
				}
				y[(o*s.OH+i)*s.OW+j] = acc
			}
		}
	}
}

// convWeightGradGeneric is the reference: each entry sums over (i, j) in
// row-major order.
func convWeightGradGeneric[T Float](s ConvShape, img, dy, dw []T) {
	for p := 0; p < s.KH; p++ {
		for q := 0; q < s.KW; q++ {
			for c := 0; c < s.C; c++ {
				for o := 0; o < s.O; o++ {
					var acc T
					for i := 0; i < s.OH; i++ {
						y0 := i + p - s.Top
						if y0 < 0 || y0 >= s.H {
							continue
						}
						row := img[(c*s.H+y0)*s.W : (c*s.H+y0+1)*s.W]
						g := dy[(o*s.OH+i)*s.OW : (o*s.OH+i+1)*s.OW]
						for j := 0; j < s.OW; j++ {
							x0 := j + q - s.Left
							if x0 < 0 || x0 >= s.W {
								continue
							}
							acc += g[j] * row[x0]
						}
					}
					dw[((p*s.KW+q)*s.C+c)*s.O+o] = acc
				}
			}
		}
	}
}
