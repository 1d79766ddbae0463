package conv

import (
	"fmt"

	"github.com/deepica/deepica/kernels"
)

// PoolMode selects average or max pooling.
type PoolMode int

// The pooling modes.
const (
	PoolMax PoolMode = iota
	PoolAvg
)

func (m PoolMode) String() string {
	switch m {
	case PoolMax:
		return "max"
	case PoolAvg:
		return "avg"
	}
	return fmt.Sprintf("PoolMode(%d)", int(m))
}

// ParsePoolMode parses "max" or "avg".
func ParsePoolMode(s string) (PoolMode, error) {
	switch s {
	case "max":
		return PoolMax, nil
	case "avg", "average":
		return PoolAvg, nil
	}
	return 0, fmt.Errorf("conv: unknown pooling %q (want max or avg)", s)
}

// Pool is 2×2 pooling with stride 2. The output is ⌊H/2⌋×⌊W/2⌋; an odd last
// row or column is dropped (as PyTorch's default). Max pooling routes the
// gradient to the first maximum of each window in row-major order; a NaN in a window is its
// maximum (so NaN propagates) and receives the gradient.
type Pool[T kernels.Float] struct {
	mode    PoolMode
	in, out Shape
	arg     []int32 // max: offset within the image of each output's maximum
	y, dx   []T
	n       int
}

// NewPool builds a 2×2 stride-2 pooling layer for images of shape in.
func NewPool[T kernels.Float](in Shape, mode PoolMode) (*Pool[T], error) {
	if err := in.validate("Pool"); err != nil {
		return nil, err
	}
	if in.H < 2 || in.W < 2 {
		return nil, fmt.Errorf("conv: 2×2 pooling of a %v image", in)
	}
	if mode != PoolMax && mode != PoolAvg {
		return nil, fmt.Errorf("conv: unknown pooling mode %d", int(mode))
	}
	return &Pool[T]{mode: mode, in: in, out: Shape{C: in.C, H: in.H / 2, W: in.W / 2}}, nil
}

// InShape is the per-image input shape.
func (l *Pool[T]) InShape() Shape { return l.in }

// OutShape is the per-image output shape.
func (l *Pool[T]) OutShape() Shape { return l.out }

// Params is empty.
func (l *Pool[T]) Params() []*Param[T] { return nil }

func (l *Pool[T]) String() string { return fmt.Sprintf("%vpool 2x2 %v→%v", l.mode, l.in, l.out) }

// Forward pools the n images of x.
func (l *Pool[T]) Forward(x []T, n int) ([]T, error) {
	if err := checkBatch("Pool", x, n, l.in); err != nil {
		return nil, err
	}
	l.n = n
	is, os := l.in.Size(), l.out.Size()
	l.y = grow(l.y, n*os)
	if l.mode == PoolMax {
		l.arg = grow(l.arg, n*os)
	}
	W, oh, ow := l.in.W, l.out.H, l.out.W
	parallelFor(n, func(_, i int) {
		img, y := x[i*is:(i+1)*is], l.y[i*os:(i+1)*os]
		for c := 0; c < l.in.C; c++ {
			for r := 0; r < oh; r++ {
				r0 := (c*l.in.H + 2*r) * W
				r1 := r0 + W
				yr := y[(c*oh+r)*ow : (c*oh+r+1)*ow]
				if l.mode == PoolAvg {
					for j := range yr {
						yr[j] = (img[r0+2*j] + img[r0+2*j+1] + img[r1+2*j] + img[r1+2*j+1]) * 0.25
					}
					continue
				}
				ar := l.arg[i*os+(c*oh+r)*ow : i*os+(c*oh+r+1)*ow]
				top, bot := img[r0:r0+2*len(yr)], img[r1:r1+2*len(yr)]
				for j := range yr {
					a, b, c, d := top[2*j], top[2*j+1], bot[2*j], bot[2*j+1]
					// Branch-free: on feature maps the position of the
					// maximum is random, and data-dependent branches
					// mispredicted at ~30 ns per window.
					best := max(max(a, b), max(c, d))
					at := r1 + 2*j + 1
					if c >= best {
						at = r1 + 2*j
					}
					if b >= best {
						at = r0 + 2*j + 1
					}
					if a >= best {
						at = r0 + 2*j
					}
					if best != best { // a NaN (max propagates it): route to the first NaN
						at = firstNaN(a, b, c, d, r0+2*j, r1+2*j)
					}
					yr[j], ar[j] = best, int32(at)
				}
			}
		}
	})
	return l.y, nil
}

// Backward returns ∂L/∂x.
func (l *Pool[T]) Backward(dy []T) ([]T, error) {
	if err := checkGrad("Pool", dy, l.n, l.out); err != nil {
		return nil, err
	}
	is, os := l.in.Size(), l.out.Size()
	l.dx = grow(l.dx, l.n*is)
	W, oh, ow := l.in.W, l.out.H, l.out.W
	parallelFor(l.n, func(_, i int) {
		dx, g := l.dx[i*is:(i+1)*is], dy[i*os:(i+1)*os]
		clear(dx)
		if l.mode == PoolMax {
			for j, at := range l.arg[i*os : (i+1)*os] {
				dx[at] += g[j]
			}
			return
		}
		for c := 0; c < l.in.C; c++ {
			for r := 0; r < oh; r++ {
				r0 := (c*l.in.H + 2*r) * W
				r1 := r0 + W
				gr := g[(c*oh+r)*ow : (c*oh+r+1)*ow]
				for j, v := range gr {
					v *= 0.25
					dx[r0+2*j], dx[r0+2*j+1], dx[r1+2*j], dx[r1+2*j+1] = v, v, v, v
				}
			}
		}
	})
	return l.dx, nil
}

// firstNaN returns the offset of the first NaN of the window a b / c d whose
// rows start at offsets top and bot.
func firstNaN[T kernels.Float](a, b, c, d T, top, bot int) int {
	switch {
	case a != a:
		return top
	case b != b:
		return top + 1
	case c != c:
		return bot
	}
	return bot + 1
}
