package conv

import (
	"fmt"

	"github.com/deepica/deepica/kernels"
)

// Shape is the shape of one image: C channels of H rows by W columns.
type Shape struct{ C, H, W int }

// Size is C·H·W, the number of elements of one image.
func (s Shape) Size() int { return s.C * s.H * s.W }

func (s Shape) String() string { return fmt.Sprintf("%d×%d×%d", s.C, s.H, s.W) }

func (s Shape) validate(who string) error {
	if s.C <= 0 || s.H <= 0 || s.W <= 0 {
		return fmt.Errorf("conv: %s: input shape %v is empty", who, s)
	}
	return nil
}

// Param is one trainable array with its gradient (same length). Value and
// Grad are owned by the layer; optimisers update Value in place.
type Param[T kernels.Float] struct {
	Name  string
	Value []T
	Grad  []T
}

// Layer is a differentiable map from a batch of InShape images to a batch of
// OutShape images.
type Layer[T kernels.Float] interface {
	InShape() Shape
	OutShape() Shape
	// Forward computes y for the n images of x (len n·InShape().Size()).
	Forward(x []T, n int) ([]T, error)
	// Backward takes ∂L/∂y (len n·OutShape().Size()) for the last Forward
	// and returns ∂L/∂x, accumulating parameter gradients.
	Backward(dy []T) ([]T, error)
	// Params lists the trainable parameters (none for activations, pooling).
	Params() []*Param[T]
	// String describes the layer in one line.
	String() string
}

// ZeroGrad clears the gradients of every parameter of the layers.
func ZeroGrad[T kernels.Float](layers ...Layer[T]) {
	for _, l := range layers {
		for _, p := range l.Params() {
			clear(p.Grad)
		}
	}
}

// checkBatch validates a forward input.
func checkBatch[T kernels.Float](who string, x []T, n int, s Shape) error {
	if n <= 0 {
		return fmt.Errorf("conv: %s: batch of %d images", who, n)
	}
	if len(x) != n*s.Size() {
		return fmt.Errorf("conv: %s: %d values for %d images of %v (want %d)", who, len(x), n, s, n*s.Size())
	}
	return nil
}

// checkGrad validates a backward input against the last forward batch.
func checkGrad[T kernels.Float](who string, dy []T, n int, s Shape) error {
	if n == 0 {
		return fmt.Errorf("conv: %s: Backward before Forward", who)
	}
	if len(dy) != n*s.Size() {
		return fmt.Errorf("conv: %s: gradient has %d values, the last batch's output has %d", who, len(dy), n*s.Size())
	}
	return nil
}

// grow returns buf resized to n, reallocating only when it is too small.
func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}
