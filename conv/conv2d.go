package conv

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/deepica/deepica/kernels"
)

// PadMode selects how a Conv2D pads its input.
type PadMode int

// The padding modes.
const (
	// PadValid uses no padding: the kernel only visits positions inside the image.
	PadValid PadMode = iota
	// PadSame pads so that the output has ⌈H/stride⌉×⌈W/stride⌉ positions (as
	// TensorFlow's "SAME"): the total padding max((out−1)·stride + K − H, 0)
	// is split with the extra row/column, if odd, at the bottom/right.
	PadSame
	// PadExplicit pads PadH rows at the top and bottom and PadW columns at the
	// left and right.
	PadExplicit
)

func (p PadMode) String() string {
	switch p {
	case PadValid:
		return "valid"
	case PadSame:
		return "same"
	case PadExplicit:
		return "explicit"
	}
	return fmt.Sprintf("PadMode(%d)", int(p))
}

// ParsePadMode parses "valid", "same" or "explicit".
func ParsePadMode(s string) (PadMode, error) {
	for _, p := range []PadMode{PadValid, PadSame, PadExplicit} {
		if strings.EqualFold(s, p.String()) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("conv: unknown padding %q (want valid, same or explicit)", s)
}

// ConvConfig describes a Conv2D layer.
type ConvConfig struct {
	OutC             int     // output channels
	KH, KW           int     // kernel height and width
	StrideH, StrideW int     // strides; 0 means 1
	Pad              PadMode // padding mode
	PadH, PadW       int     // padding per side for PadExplicit
	NoBias           bool    // omit the bias
	Init             Init    // weight initialisation
	// SkipInputGrad makes Backward skip ∂L/∂x (returning nil): for a first
	// layer, whose input is data, this saves the transposed product and
	// col2im.
	SkipInputGrad bool
}

// Conv2D is a 2-D cross-correlation (the "convolution" of deep learning):
//
//	y[n, o, i, j] = b[o] + Σ_{c,p,q} W[o, c, p, q] · xpad[n, c, i·sH + p, j·sW + q]
//
// with W stored as OutC×(C·KH·KW) row-major (OIHW) and xpad the zero-padded
// input. Forward is im2col + GEMM, per image and per band of output rows
// (see bandBytes); Backward recomputes each band's column matrix (trading a
// cheap copy for memory), then ∂W += ∂Y·colᵀ and ∂b += row sums of ∂Y; ∂x
// is, for stride 1, the forward convolution of ∂Y with the flipped kernel
// (see dxGeom), otherwise col2im(Wᵀ·∂Y).
type Conv2D[T kernels.Float] struct {
	cfg            ConvConfig
	in, out        Shape
	g              geom
	bottom, right  int
	direct         bool // 1×1, stride 1, unpadded: the image is its own column matrix
	weight, bias   *Param[T]
	x              []T // last forward input
	n              int
	y, dx          []T
	col            [][]T // per-worker scratch
	dwPart, dbPart []T   // per-image gradient partials (∂Wᵀ, ∂b), summed in image order
	wT             []T   // flipped, transposed weights for ∂x as a convolution (see dxGeom)
	dwHWIO         bool  // dwPart holds HWIO images (kernels.ConvWeightGrad), not ∂Wᵀ
}

// NewConv2D builds a Conv2D for input images of shape in, initialising its
// weights with cfg.Init from the seeded generator seed.
func NewConv2D[T kernels.Float](in Shape, cfg ConvConfig, seed uint64) (*Conv2D[T], error) {
	if err := in.validate("Conv2D"); err != nil {
		return nil, err
	}
	if cfg.OutC <= 0 || cfg.KH <= 0 || cfg.KW <= 0 {
		return nil, fmt.Errorf("conv: Conv2D: %d output channels with a %d×%d kernel", cfg.OutC, cfg.KH, cfg.KW)
	}
	if cfg.StrideH < 0 || cfg.StrideW < 0 || cfg.PadH < 0 || cfg.PadW < 0 {
		return nil, fmt.Errorf("conv: Conv2D: negative stride (%d, %d) or padding (%d, %d)", cfg.StrideH, cfg.StrideW, cfg.PadH, cfg.PadW)
	}
	cfg.StrideH, cfg.StrideW = max(cfg.StrideH, 1), max(cfg.StrideW, 1)
	l := &Conv2D[T]{cfg: cfg, in: in}
	var top, left int
	switch cfg.Pad {
	case PadValid:
	case PadSame:
		top, l.bottom = samePad(in.H, cfg.KH, cfg.StrideH)
		left, l.right = samePad(in.W, cfg.KW, cfg.StrideW)
	case PadExplicit:
		top, l.bottom, left, l.right = cfg.PadH, cfg.PadH, cfg.PadW, cfg.PadW
	default:
		return nil, fmt.Errorf("conv: Conv2D: unknown padding mode %d", int(cfg.Pad))
	}
	ph, pw := in.H+top+l.bottom, in.W+left+l.right
	if ph < cfg.KH || pw < cfg.KW {
		return nil, fmt.Errorf("conv: Conv2D: a %d×%d kernel does not fit the padded %d×%d input (%v)", cfg.KH, cfg.KW, ph, pw, in)
	}
	l.g = geom{c: in.C, h: in.H, w: in.W, kh: cfg.KH, kw: cfg.KW, sh: cfg.StrideH, sw: cfg.StrideW,
		top: top, left: left, oh: (ph-cfg.KH)/cfg.StrideH + 1, ow: (pw-cfg.KW)/cfg.StrideW + 1}
	l.out = Shape{C: cfg.OutC, H: l.g.oh, W: l.g.ow}
	l.direct = cfg.KH == 1 && cfg.KW == 1 && cfg.StrideH == 1 && cfg.StrideW == 1 && top == 0 && left == 0 && l.bottom == 0 && l.right == 0
	fanIn, fanOut := in.C*cfg.KH*cfg.KW, cfg.OutC*cfg.KH*cfg.KW
	w := make([]T, cfg.OutC*fanIn)
	if err := fillInit(cfg.Init, w, fanIn, fanOut, seed); err != nil {
		return nil, err
	}
	l.weight = &Param[T]{Name: "weight", Value: w, Grad: make([]T, len(w))}
	if !cfg.NoBias {
		l.bias = &Param[T]{Name: "bias", Value: make([]T, cfg.OutC), Grad: make([]T, cfg.OutC)}
	}
	return l, nil
}

// samePad returns the (before, after) padding of TensorFlow's SAME rule.
func samePad(size, k, stride int) (int, int) {
	out := (size + stride - 1) / stride
	total := max((out-1)*stride+k-size, 0)
	return total / 2, total - total/2
}

// InShape is the per-image input shape.
func (l *Conv2D[T]) InShape() Shape { return l.in }

// OutShape is the per-image output shape.
func (l *Conv2D[T]) OutShape() Shape { return l.out }

// Weight is the OutC×(C·KH·KW) weight matrix (OIHW order) and its gradient.
func (l *Conv2D[T]) Weight() *Param[T] { return l.weight }

// Bias is the bias (length OutC) and its gradient, nil with NoBias.
func (l *Conv2D[T]) Bias() *Param[T] { return l.bias }

// Params lists the weight and, unless NoBias, the bias.
func (l *Conv2D[T]) Params() []*Param[T] {
	if l.bias == nil {
		return []*Param[T]{l.weight}
	}
	return []*Param[T]{l.weight, l.bias}
}

// Padding returns the padding actually applied (top, bottom, left, right).
func (l *Conv2D[T]) Padding() (top, bottom, left, right int) {
	return l.g.top, l.bottom, l.g.left, l.right
}

func (l *Conv2D[T]) String() string {
	return fmt.Sprintf("conv %dx%d/%dx%d %s %v→%v", l.cfg.KH, l.cfg.KW, l.cfg.StrideH, l.cfg.StrideW, l.cfg.Pad, l.in, l.out)
}

// scratch sizes the per-worker column buffers for t workers.
func (l *Conv2D[T]) scratch(t int) {
	for len(l.col) < t {
		l.col = append(l.col, nil)
	}
	if l.direct {
		return
	}
	var z T
	n := l.g.colRows() * l.g.bandRows(int(unsafe.Sizeof(z))) * l.g.ow
	if gt, ok := l.dxGeom(); ok {
		n = max(n, gt.colRows()*gt.bandRows(int(unsafe.Sizeof(z)))*gt.ow)
	}
	for w := 0; w < t; w++ {
		l.col[w] = grow(l.col[w], n)
	}
}

// bands calls body for each band [r0, r1) of output rows, in order.
func (l *Conv2D[T]) bands(body func(r0, r1 int)) {
	if l.direct {
		body(0, l.g.oh)
		return
	}
	geomBands[T](&l.g, body)
}

// geomBands calls body for each band [r0, r1) of g's output rows, in order.
func geomBands[T kernels.Float](g *geom, body func(r0, r1 int)) {
	var z T
	br := g.bandRows(int(unsafe.Sizeof(z)))
	for r0 := 0; r0 < g.oh; r0 += br {
		body(r0, min(g.oh, r0+br))
	}
}

// dxGeom is the geometry of ∂x as a convolution of ∂y, valid for stride 1:
// ∂x[c, i, j] = Σ_{o,p,q} W[o, c, p, q]·∂y[o, i + top − p, j + left − q],
// a cross-correlation of ∂y (zero outside it) with the kernel flipped in
// both axes and channels swapped, padded by KH−1−top and KW−1−left. As a
// forward convolution its GEMM (C × O·KH·KW times a column matrix of ∂y)
// has the few input channels as m, so the column matrix is read in place
// rather than packed, the reduction is O·KH·KW long instead of O, and no
// col2im pass is needed: on the 16- and 32-channel 3×3 layers this is
// markedly cheaper than ∂col = Wᵀ·∂Y followed by col2im.
func (l *Conv2D[T]) dxGeom() (geom, bool) {
	if l.direct || l.cfg.SkipInputGrad || l.g.sh != 1 || l.g.sw != 1 {
		return geom{}, false
	}
	g := &l.g
	return geom{c: l.cfg.OutC, h: g.oh, w: g.ow, kh: g.kh, kw: g.kw, sh: 1, sw: 1,
		top: g.kh - 1 - g.top, left: g.kw - 1 - g.left, oh: g.h, ow: g.w}, true
}

// flipWeights fills l.wT, C × (O·KH·KW) row-major, with
// wT[c, (o·KH + p)·KW + q] = W[o, c, KH−1−p, KW−1−q].
func (l *Conv2D[T]) flipWeights() {
	o, c, kh, kw := l.cfg.OutC, l.in.C, l.g.kh, l.g.kw
	l.wT = grow(l.wT, c*o*kh*kw)
	w := l.weight.Value
	for ci := 0; ci < c; ci++ {
		for oi := 0; oi < o; oi++ {
			for p := 0; p < kh; p++ {
				for q := 0; q < kw; q++ {
					l.wT[((ci*o+oi)*kh+p)*kw+q] = w[((oi*c+ci)*kh+kh-1-p)*kw+kw-1-q]
				}
			}
		}
	}
}

// columns returns the column matrix of output rows [r0, r1) of image i,
// built in worker w's buffer (the image itself for a direct 1×1 layer).
func (l *Conv2D[T]) columns(w, i, r0, r1 int) []T {
	src := l.x[i*l.in.Size() : (i+1)*l.in.Size()]
	if l.direct {
		return src
	}
	col := l.col[w][:l.g.colRows()*(r1-r0)*l.g.ow]
	im2colBand(&l.g, src, r0, r1, col)
	return col
}

// implicit is the layer's geometry for the kernels' implicit-GEMM
// convolution, which takes stride 1 only.
func (l *Conv2D[T]) implicit() (kernels.ConvShape, bool) {
	g := &l.g
	if g.sh != 1 || g.sw != 1 {
		return kernels.ConvShape{}, false
	}
	return kernels.ConvShape{C: g.c, H: g.h, W: g.w, O: l.cfg.OutC, KH: g.kh, KW: g.kw,
		Top: g.top, Left: g.left, OH: g.oh, OW: g.ow}, true
}

// Forward computes the convolution of the n images of x.
func (l *Conv2D[T]) Forward(x []T, n int) ([]T, error) {
	if err := checkBatch("Conv2D", x, n, l.in); err != nil {
		return nil, err
	}
	l.x, l.n = x, n
	l.y = grow(l.y, n*l.out.Size())
	if s, ok := l.implicit(); ok {
		if fwd, _ := kernels.ConvAccelerated[T](s); fwd {
			var bias []T
			if l.bias != nil {
				bias = l.bias.Value
			}
			parallelFor(n, func(_, i int) {
				kernels.ConvForward(s, l.weight.Value, bias, x[i*l.in.Size():(i+1)*l.in.Size()], l.y[i*l.out.Size():(i+1)*l.out.Size()])
			})
			return l.y, nil
		}
	}
	l.scratch(workers(n))
	o, k, p := l.cfg.OutC, l.g.colRows(), l.out.H*l.out.W
	parallelFor(n, func(w, i int) {
		y := l.y[i*l.out.Size() : (i+1)*l.out.Size()]
		l.bands(func(r0, r1 int) {
			col := l.columns(w, i, r0, r1)
			np := (r1 - r0) * l.g.ow
			kernels.Gemm(kernels.NoTrans, kernels.NoTrans, o, np, k, 1, l.weight.Value, k, col, np, 0, y[r0*l.g.ow:], p)
		})
		if l.bias != nil {
			for c := 0; c < o; c++ {
				addConst(y[c*p:(c+1)*p], l.bias.Value[c])
			}
		}
	})
	return l.y, nil
}

func addConst[T kernels.Float](x []T, b T) {
	if b == 0 {
		return
	}
	for i := range x {
		x[i] += b
	}
}

// Backward returns ∂L/∂x (nil with SkipInputGrad) and adds ∂L/∂W, ∂L/∂b.
func (l *Conv2D[T]) Backward(dy []T) ([]T, error) {
	if err := checkGrad("Conv2D", dy, l.n, l.out); err != nil {
		return nil, err
	}
	n := l.n
	o, k, p := l.cfg.OutC, l.g.colRows(), l.out.H*l.out.W
	l.scratch(workers(n))
	l.dwPart = grow(l.dwPart, n*o*k)
	if l.bias != nil {
		l.dbPart = grow(l.dbPart, n*o)
	}
	needDx := !l.cfg.SkipInputGrad
	if needDx {
		l.dx = grow(l.dx, n*l.in.Size())
	}
	gt, dxConv := l.dxGeom()
	if dxConv {
		l.flipWeights()
	}
	// The kernels' implicit GEMMs where they are accelerated: no column
	// matrix for ∂W (per-image partials in HWIO order) nor for ∂x.
	s, implicit := l.implicit()
	_, fastW := kernels.ConvAccelerated[T](s)
	fastW = implicit && fastW
	var sx kernels.ConvShape
	fastDx := false
	if dxConv {
		sx = kernels.ConvShape{C: o, H: l.out.H, W: l.out.W, O: l.in.C, KH: gt.kh, KW: gt.kw,
			Top: gt.top, Left: gt.left, OH: gt.oh, OW: gt.ow}
		fastDx, _ = kernels.ConvAccelerated[T](sx)
	}
	l.dwHWIO = fastW
	bandDw := !fastW
	bandDx := needDx && !dxConv
	parallelFor(n, func(w, i int) {
		g := dy[i*l.out.Size() : (i+1)*l.out.Size()]
		dw := l.dwPart[i*o*k : (i+1)*o*k]
		if l.bias != nil {
			for c := 0; c < o; c++ {
				l.dbPart[i*o+c] = kernels.Sum(g[c*p : (c+1)*p])
			}
		}
		var dx []T
		if needDx {
			dx = l.dx[i*l.in.Size() : (i+1)*l.in.Size()]
			if bandDx && !l.direct {
				clear(dx)
			}
		}
		if fastW {
			kernels.ConvWeightGrad(s, l.x[i*l.in.Size():(i+1)*l.in.Size()], g, dw)
		}
		if bandDw || bandDx {
			var beta T
			l.bands(func(r0, r1 int) {
				np := (r1 - r0) * l.g.ow
				gb := g[r0*l.g.ow:]
				var col []T
				if bandDw {
					col = l.columns(w, i, r0, r1)
					// ∂Wᵀ (k×o) = col·∂Yᵀ: with the long col side as GEMM's m and o
					// as its n, the whole tile width serves OutC = 32 and col's
					// 14-row A panels are packed by the AVX-512 register transpose
					// (an im2row layout built in Go, read unpacked with ∂Y as A,
					// measured slower). Bands are added in order, so the sum does
					// not depend on threads.
					kernels.Gemm(kernels.NoTrans, kernels.Trans, k, o, np, 1, col, np, gb, p, beta, dw, o)
					beta = 1
				}
				if !bandDx {
					return
				}
				if l.direct {
					kernels.Gemm(kernels.Trans, kernels.NoTrans, k, p, o, 1, l.weight.Value, k, g, p, 0, dx, p)
					return
				}
				// the band's column matrix is no longer needed: reuse it for ∂col
				col = l.col[w][:k*np]
				kernels.Gemm(kernels.Trans, kernels.NoTrans, k, np, o, 1, l.weight.Value, k, gb, p, 0, col, np)
				col2imBand(&l.g, col, r0, r1, dx)
			})
		}
		if !needDx || !dxConv {
			return
		}
		if fastDx {
			kernels.ConvForward(sx, l.wT, nil, g, dx)
			return
		}
		okk := o * l.g.kh * l.g.kw
		hw := l.in.H * l.in.W
		geomBands[T](&gt, func(r0, r1 int) {
			np := (r1 - r0) * gt.ow
			col := l.col[w][:okk*np]
			im2colBand(&gt, g, r0, r1, col)
			kernels.Gemm(kernels.NoTrans, kernels.NoTrans, l.in.C, np, okk, 1, l.wT, okk, col, np, 0, dx[r0*gt.ow:], hw)
		})
	})
	// image partials are summed in image order, then permuted into ∂W
	sum := l.dwPart[:o*k]
	for i := 1; i < n; i++ {
		kernels.Axpy(1, l.dwPart[i*o*k:(i+1)*o*k], sum)
	}
	if l.dwHWIO {
		c, kh, kw := l.in.C, l.g.kh, l.g.kw
		for pq := 0; pq < kh*kw; pq++ {
			for ci := 0; ci < c; ci++ {
				src := sum[(pq*c+ci)*o : (pq*c+ci+1)*o]
				for oi, v := range src {
					l.weight.Grad[oi*k+ci*kh*kw+pq] += v
				}
			}
		}
	} else {
		for r := 0; r < k; r++ {
			for c := 0; c < o; c++ {
				l.weight.Grad[c*k+r] += sum[r*o+c]
			}
		}
	}
	if l.bias != nil {
		for i := 0; i < n; i++ {
			kernels.Axpy(1, l.dbPart[i*o:(i+1)*o], l.bias.Grad)
		}
	}
	if !needDx {
		return nil, nil
	}
	return l.dx, nil
}
