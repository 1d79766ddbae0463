package fastica

import (
	"fmt"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// Transform returns the sources of x (samples × NFeatures):
// (x − Mean)·Componentsᵀ, samples × NComponents, as scikit-learn's
// transform.
func Transform[T kernels.Float](m *Model, x *matrix.Dense[T]) (*matrix.Dense[T], error) {
	if err := checkTransformInput(x, m.NFeatures, "features"); err != nil {
		return nil, err
	}
	return project(x, m.Mean, m.Components), nil
}

// project returns (x − mean)·cᵀ (rows of x × rows of c) in T; mean may be
// nil (no centring).
func project[T kernels.Float](x *matrix.Dense[T], mean []float64, c *matrix.Dense[float64]) *matrix.Dense[T] {
	n, p, k := x.Rows, x.Cols, c.Rows
	comps := matrix.Convert[T](c)
	mt := make([]T, p)
	for i, v := range mean {
		mt[i] = T(v)
	}
	out := matrix.New[T](n, k)
	var mu []T
	if mean != nil {
		mu = mt
	}
	kernels.ProjectRows(k, p, n, comps.Data, p, x.Data, x.Stride, mu, out.Data, k)
	return out
}

// InverseTransform maps sources (samples × NComponents) back to the data
// space: s·Mixingᵀ + Mean (samples × NFeatures).
func InverseTransform[T kernels.Float](m *Model, s *matrix.Dense[T]) (*matrix.Dense[T], error) {
	if err := checkTransformInput(s, m.NComponents, "components"); err != nil {
		return nil, err
	}
	n, k, p := s.Rows, s.Cols, m.NFeatures
	mix := matrix.Convert[T](m.Mixing)
	out := matrix.New[T](n, p)
	kernels.Gemm(kernels.NoTrans, kernels.Trans, n, p, k, 1, s.Data, s.Stride, mix.Data, k, 0, out.Data, p)
	if m.Mean != nil {
		mean := make([]T, p)
		for i, v := range m.Mean {
			mean[i] = T(v)
		}
		for i := 0; i < n; i++ {
			r := out.Row(i)
			for j := range r {
				r[j] += mean[j]
			}
		}
	}
	return out, nil
}

func checkTransformInput[T kernels.Float](x *matrix.Dense[T], cols int, what string) error {
	if x == nil {
		return fmt.Errorf("fastica: input is nil")
	}
	if x.Cols != cols {
		return fmt.Errorf("fastica: model has %d %s, input has %d columns", cols, what, x.Cols)
	}
	if x.Rows < 1 {
		return fmt.Errorf("fastica: input has no samples")
	}
	if x.Stride < x.Cols || len(x.Data) < (x.Rows-1)*x.Stride+x.Cols {
		return fmt.Errorf("fastica: input (%d×%d, stride %d) has inconsistent storage", x.Rows, x.Cols, x.Stride)
	}
	if err := x.CheckFinite(); err != nil {
		return fmt.Errorf("fastica: input %w", err)
	}
	return nil
}
