package conv

import (
	"fmt"

	"github.com/deepica/deepica/kernels"
)

// Act applies an elementwise activation (kernels.Activation: ELU, ReLU,
// Tanh, Sigmoid); Alpha is ELU's α (1 if zero).
type Act[T kernels.Float] struct {
	act   kernels.Activation
	alpha T
	shape Shape
	x, y  []T
	dx    []T
	n     int
}

// NewAct builds an activation layer for images of shape s.
func NewAct[T kernels.Float](s Shape, act kernels.Activation, alpha T) (*Act[T], error) {
	if err := s.validate("Act"); err != nil {
		return nil, err
	}
	if act < kernels.ELU || act > kernels.Sigmoid {
		return nil, fmt.Errorf("conv: unknown activation %d", int(act))
	}
	if alpha == 0 {
		alpha = 1
	}
	return &Act[T]{act: act, alpha: alpha, shape: s}, nil
}

// InShape is the per-image shape.
func (l *Act[T]) InShape() Shape { return l.shape }

// OutShape is the per-image shape.
func (l *Act[T]) OutShape() Shape { return l.shape }

// Params is empty.
func (l *Act[T]) Params() []*Param[T] { return nil }

func (l *Act[T]) String() string { return fmt.Sprintf("%v %v", l.act, l.shape) }

// Forward applies the activation image by image.
func (l *Act[T]) Forward(x []T, n int) ([]T, error) {
	if err := checkBatch("Act", x, n, l.shape); err != nil {
		return nil, err
	}
	l.x, l.n = x, n
	l.y = grow(l.y, len(x))
	sz := l.shape.Size()
	parallelFor(n, func(_, i int) {
		kernels.ActivationForward(l.act, l.alpha, x[i*sz:(i+1)*sz], l.y[i*sz:(i+1)*sz])
	})
	return l.y, nil
}

// Backward returns dy·act'(x).
func (l *Act[T]) Backward(dy []T) ([]T, error) {
	if err := checkGrad("Act", dy, l.n, l.shape); err != nil {
		return nil, err
	}
	l.dx = grow(l.dx, len(dy))
	sz := l.shape.Size()
	parallelFor(l.n, func(_, i int) {
		s := i * sz
		kernels.ActivationBackward(l.act, l.alpha, l.x[s:s+sz], l.y[s:s+sz], dy[s:s+sz], l.dx[s:s+sz])
	})
	return l.dx, nil
}
