// Package matrix holds the row-major dense matrix type shared by every package
// above kernels. It is deliberately small: a header over a slice, so that
// kernels can be called on its storage directly and float64 matrices can be
// handed to gonum without a copy.
package matrix

import (
	"fmt"
	"math"

	"github.com/deepica/deepica/kernels"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Dense is a row-major Rows×Cols matrix. Element (i, j) is Data[i*Stride+j];
// Stride ≥ Cols. The zero value is an empty 0×0 matrix.
type Dense[T kernels.Float] struct {
	Rows, Cols, Stride int
	Data               []T
}

// New returns a zeroed r×c matrix with Stride = c.
func New[T kernels.Float](r, c int) *Dense[T] {
	if r < 0 || c < 0 {
		panic(fmt.Sprintf("matrix: negative dimensions %d×%d", r, c))
	}
	return &Dense[T]{Rows: r, Cols: c, Stride: c, Data: make([]T, r*c)}
}

// FromSlice wraps data (length r*c, row-major) without copying.
func FromSlice[T kernels.Float](r, c int, data []T) (*Dense[T], error) {
	if r < 0 || c < 0 || len(data) != r*c {
		return nil, fmt.Errorf("matrix: %d values do not form a %d×%d matrix", len(data), r, c)
	}
	return &Dense[T]{Rows: r, Cols: c, Stride: c, Data: data}, nil
}

// At returns element (i, j).
func (m *Dense[T]) At(i, j int) T { return m.Data[i*m.Stride+j] }

// Set sets element (i, j).
func (m *Dense[T]) Set(i, j int, v T) { m.Data[i*m.Stride+j] = v }

// Row returns row i as a slice of length Cols sharing storage with m.
func (m *Dense[T]) Row(i int) []T { return m.Data[i*m.Stride : i*m.Stride+m.Cols] }

// Dims returns (Rows, Cols).
func (m *Dense[T]) Dims() (int, int) { return m.Rows, m.Cols }

// Clone returns a compact deep copy (Stride = Cols).
func (m *Dense[T]) Clone() *Dense[T] {
	out := New[T](m.Rows, m.Cols)
	for i := 0; i < m.Rows; i++ {
		copy(out.Row(i), m.Row(i))
	}
	return out
}

// T returns a compact transposed copy.
func (m *Dense[T]) T() *Dense[T] {
	out := New[T](m.Cols, m.Rows)
	for i := 0; i < m.Rows; i++ {
		r := m.Row(i)
		for j, v := range r {
			out.Data[j*out.Stride+i] = v
		}
	}
	return out
}

// Slice returns the view of rows [r0, r1) and columns [c0, c1), sharing storage.
func (m *Dense[T]) Slice(r0, r1, c0, c1 int) *Dense[T] {
	if r0 < 0 || r1 > m.Rows || r0 > r1 || c0 < 0 || c1 > m.Cols || c0 > c1 {
		panic(fmt.Sprintf("matrix: slice [%d:%d, %d:%d] out of %d×%d", r0, r1, c0, c1, m.Rows, m.Cols))
	}
	if r0 == r1 || c0 == c1 {
		return &Dense[T]{Rows: r1 - r0, Cols: c1 - c0, Stride: m.Stride}
	}
	start := r0*m.Stride + c0
	end := (r1-1)*m.Stride + c1
	return &Dense[T]{Rows: r1 - r0, Cols: c1 - c0, Stride: m.Stride, Data: m.Data[start:end]}
}

// CheckFinite returns an error naming the first NaN or ±Inf element, if any.
func (m *Dense[T]) CheckFinite() error {
	for i := 0; i < m.Rows; i++ {
		for j, v := range m.Row(i) {
			f := float64(v)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("element (%d, %d) is %v", i, j, f)
			}
		}
	}
	return nil
}

// Convert returns a compact copy of m with element type U.
func Convert[U, T kernels.Float](m *Dense[T]) *Dense[U] {
	out := New[U](m.Rows, m.Cols)
	for i := 0; i < m.Rows; i++ {
		dst := out.Row(i)
		for j, v := range m.Row(i) {
			dst[j] = U(v)
		}
	}
	return out
}

// Gonum returns a *mat.Dense sharing m's storage: writes through either are
// seen by both. An empty matrix is returned as nil, since gonum has no 0×0
// Dense.
func Gonum(m *Dense[float64]) *mat.Dense {
	if m.Rows == 0 || m.Cols == 0 {
		return nil
	}
	var d mat.Dense
	d.SetRawMatrix(blas64.General{Rows: m.Rows, Cols: m.Cols, Stride: m.Stride, Data: m.Data})
	return &d
}

// FromGonum returns a Dense sharing the storage of a gonum matrix.
func FromGonum(d *mat.Dense) *Dense[float64] {
	raw := d.RawMatrix()
	return &Dense[float64]{Rows: raw.Rows, Cols: raw.Cols, Stride: raw.Stride, Data: raw.Data}
}
