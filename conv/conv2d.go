package conv

import (
	"fmt"
	"strings"

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
// input. Forward is im2col + GEMM per image; Backward recomputes each image's
// column matrix (trading a cheap copy for memory), then
// ∂W += ∂Y·colᵀ, ∂b += row sums of ∂Y and ∂x = col2im(Wᵀ·∂Y).
type Conv2D[T kernels.Float] struct {
	cfg              ConvConfig
	in, out          Shape
	geom             kernels.ConvGeom // im2col geometry (on the pre-padded image when asymmetric)
	top, bottom      int
	left, right      int
	prepad           bool // asymmetric padding: copy into a padded buffer first
	direct           bool // 1×1, stride 1, unpadded: the image is its own column matrix
	weight, bias     *Param[T]
	x                []T // last forward input
	n                int
	y, dx            []T
	col, pad         [][]T // per-worker scratch
	dwPart, dbPart   []T   // per-image gradient partials, summed in image order
	colRows, colCols int
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
	switch cfg.Pad {
	case PadValid:
	case PadSame:
		l.top, l.bottom = samePad(in.H, cfg.KH, cfg.StrideH)
		l.left, l.right = samePad(in.W, cfg.KW, cfg.StrideW)
	case PadExplicit:
		l.top, l.bottom, l.left, l.right = cfg.PadH, cfg.PadH, cfg.PadW, cfg.PadW
	default:
		return nil, fmt.Errorf("conv: Conv2D: unknown padding mode %d", int(cfg.Pad))
	}
	g := kernels.ConvGeom{C: in.C, H: in.H, W: in.W, KH: cfg.KH, KW: cfg.KW,
		StrideH: cfg.StrideH, StrideW: cfg.StrideW, PadH: l.top, PadW: l.left}
	if l.top != l.bottom || l.left != l.right {
		l.prepad = true
		g.H, g.W = in.H+l.top+l.bottom, in.W+l.left+l.right
		g.PadH, g.PadW = 0, 0
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("conv: Conv2D on %v: %w", in, err)
	}
	l.geom = g
	l.out = Shape{C: cfg.OutC, H: g.OutH(), W: g.OutW()}
	l.colRows, l.colCols = g.ColRows(), g.ColCols()
	l.direct = cfg.KH == 1 && cfg.KW == 1 && cfg.StrideH == 1 && cfg.StrideW == 1 && l.top == 0 && l.left == 0 && !l.prepad
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
	return l.top, l.bottom, l.left, l.right
}

func (l *Conv2D[T]) String() string {
	return fmt.Sprintf("conv %dx%d/%dx%d %s %v→%v", l.cfg.KH, l.cfg.KW, l.cfg.StrideH, l.cfg.StrideW, l.cfg.Pad, l.in, l.out)
}

// scratch sizes the per-worker buffers for t workers.
func (l *Conv2D[T]) scratch(t int) {
	for len(l.col) < t {
		l.col = append(l.col, nil)
		l.pad = append(l.pad, nil)
	}
	for w := 0; w < t; w++ {
		if !l.direct {
			l.col[w] = grow(l.col[w], l.colRows*l.colCols)
		}
		if l.prepad {
			l.pad[w] = grow(l.pad[w], l.geom.C*l.geom.H*l.geom.W)
		}
	}
}

// padInto copies one image into the zero-padded buffer dst.
func (l *Conv2D[T]) padInto(dst, src []T) {
	clear(dst)
	ph, pw := l.geom.H, l.geom.W
	for c := 0; c < l.in.C; c++ {
		for h := 0; h < l.in.H; h++ {
			s := src[(c*l.in.H+h)*l.in.W : (c*l.in.H+h+1)*l.in.W]
			copy(dst[(c*ph+h+l.top)*pw+l.left:], s)
		}
	}
}

// columns returns the column matrix of image i for worker w.
func (l *Conv2D[T]) columns(w, i int) []T {
	src := l.x[i*l.in.Size() : (i+1)*l.in.Size()]
	if l.direct {
		return src
	}
	if l.prepad {
		l.padInto(l.pad[w], src)
		src = l.pad[w]
	}
	kernels.Im2col(l.geom, src, l.col[w])
	return l.col[w]
}

// Forward computes the convolution of the n images of x.
func (l *Conv2D[T]) Forward(x []T, n int) ([]T, error) {
	if err := checkBatch("Conv2D", x, n, l.in); err != nil {
		return nil, err
	}
	l.x, l.n = x, n
	l.y = grow(l.y, n*l.out.Size())
	l.scratch(workers(n))
	o, k, p := l.cfg.OutC, l.colRows, l.colCols
	parallelFor(n, func(w, i int) {
		col := l.columns(w, i)
		y := l.y[i*l.out.Size() : (i+1)*l.out.Size()]
		kernels.Gemm(kernels.NoTrans, kernels.NoTrans, o, p, k, 1, l.weight.Value, k, col, p, 0, y, p)
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
	o, k, p := l.cfg.OutC, l.colRows, l.colCols
	l.scratch(workers(n))
	l.dwPart = grow(l.dwPart, n*o*k)
	if l.bias != nil {
		l.dbPart = grow(l.dbPart, n*o)
	}
	needDx := !l.cfg.SkipInputGrad
	if needDx {
		l.dx = grow(l.dx, n*l.in.Size())
	}
	parallelFor(n, func(w, i int) {
		g := dy[i*l.out.Size() : (i+1)*l.out.Size()]
		col := l.columns(w, i)
		kernels.Gemm(kernels.NoTrans, kernels.Trans, o, k, p, 1, g, p, col, p, 0, l.dwPart[i*o*k:(i+1)*o*k], k)
		if l.bias != nil {
			for c := 0; c < o; c++ {
				l.dbPart[i*o+c] = kernels.Sum(g[c*p : (c+1)*p])
			}
		}
		if !needDx {
			return
		}
		dx := l.dx[i*l.in.Size() : (i+1)*l.in.Size()]
		if l.direct {
			kernels.Gemm(kernels.Trans, kernels.NoTrans, k, p, o, 1, l.weight.Value, k, g, p, 0, dx, p)
			return
		}
		dcol := l.col[w] // the column matrix is no longer needed
		kernels.Gemm(kernels.Trans, kernels.NoTrans, k, p, o, 1, l.weight.Value, k, g, p, 0, dcol, p)
		if !l.prepad {
			clear(dx)
			kernels.Col2im(l.geom, dcol, dx)
			return
		}
		buf := l.pad[w]
		clear(buf)
		kernels.Col2im(l.geom, dcol, buf)
		ph, pw := l.geom.H, l.geom.W
		for c := 0; c < l.in.C; c++ {
			for h := 0; h < l.in.H; h++ {
				copy(dx[(c*l.in.H+h)*l.in.W:(c*l.in.H+h+1)*l.in.W], buf[(c*ph+h+l.top)*pw+l.left:])
			}
		}
	})
	for i := 0; i < n; i++ {
		kernels.Axpy(1, l.dwPart[i*o*k:(i+1)*o*k], l.weight.Grad)
		if l.bias != nil {
			kernels.Axpy(1, l.dbPart[i*o:(i+1)*o], l.bias.Grad)
		}
	}
	if !needDx {
		return nil, nil
	}
	return l.dx, nil
}
