package metrics

import (
	"errors"
	"fmt"
	"math"

	"github.com/deepica/deepica/matrix"
)

// Assign solves the linear assignment problem on the r×c cost matrix
// (r ≤ c) with the Hungarian method (shortest augmenting paths with
// potentials, O(r²c)): it returns col with col[i] the column given to row i,
// all distinct, minimising Σ_i cost[i][col[i]]. gonum has no assignment
// solver, hence this one.
func Assign(cost *matrix.Dense[float64]) ([]int, error) {
	r, c := cost.Rows, cost.Cols
	if r == 0 {
		return nil, nil
	}
	if r > c {
		return nil, fmt.Errorf("metrics: assignment of %d rows to %d columns: need rows ≤ columns", r, c)
	}
	if err := cost.CheckFinite(); err != nil {
		return nil, fmt.Errorf("metrics: cost matrix: %w", err)
	}
	// 1-based arrays as in the classical formulation: p[j] is the row
	// matched to column j (0 = none), u and v the row and column potentials.
	u := make([]float64, r+1)
	v := make([]float64, c+1)
	p := make([]int, c+1)
	way := make([]int, c+1)
	minv := make([]float64, c+1)
	used := make([]bool, c+1)
	for i := 1; i <= r; i++ {
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j] = math.Inf(1)
			used[j] = false
		}
		for {
			used[j0] = true
			i0 := p[j0]
			delta := math.Inf(1)
			j1 := 0
			for j := 1; j <= c; j++ {
				if used[j] {
					continue
				}
				cur := cost.At(i0-1, j-1) - u[i0] - v[j]
				if cur < minv[j] {
					minv[j] = cur
					way[j] = j0
				}
				if minv[j] < delta {
					delta = minv[j]
					j1 = j
				}
			}
			for j := 0; j <= c; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	col := make([]int, r)
	for j := 1; j <= c; j++ {
		if p[j] != 0 {
			col[p[j]-1] = j - 1
		}
	}
	return col, nil
}

// Match is the pairing of estimated with true sources.
type Match struct {
	// Est[i] is the estimated source (column of the estimate) paired with
	// true source i.
	Est []int
	// AbsCorr[i] is |Pearson correlation| between true source i and Est[i].
	AbsCorr []float64
	// Mean is the mean of AbsCorr.
	Mean float64
}

// MatchCorrelation pairs each true source (column of truth, n×k) with a
// distinct estimated source (column of est, n×m, m ≥ k) so that the sum of
// absolute correlations is largest (Hungarian assignment), and reports the
// matched absolute correlations.
func MatchCorrelation(est, truth *matrix.Dense[float64]) (Match, error) {
	c, err := absCorr(est, truth)
	if err != nil {
		return Match{}, err
	}
	cost := matrix.New[float64](c.Rows, c.Cols)
	for i := range cost.Data {
		cost.Data[i] = -c.Data[i]
	}
	col, err := Assign(cost)
	if err != nil {
		return Match{}, err
	}
	m := Match{Est: col, AbsCorr: make([]float64, len(col))}
	for i, j := range col {
		m.AbsCorr[i] = c.At(i, j)
		m.Mean += m.AbsCorr[i]
	}
	m.Mean /= float64(len(col))
	return m, nil
}

// absCorr returns the k×m matrix of |corr(truth_i, est_j)|.
func absCorr(est, truth *matrix.Dense[float64]) (*matrix.Dense[float64], error) {
	if est.Rows != truth.Rows {
		return nil, fmt.Errorf("metrics: estimate has %d samples, truth %d", est.Rows, truth.Rows)
	}
	if est.Rows < 2 {
		return nil, errors.New("metrics: need at least 2 samples")
	}
	if truth.Cols == 0 || est.Cols < truth.Cols {
		return nil, fmt.Errorf("metrics: %d estimated sources for %d true ones: need at least as many", est.Cols, truth.Cols)
	}
	if err := est.CheckFinite(); err != nil {
		return nil, fmt.Errorf("metrics: estimate: %w", err)
	}
	if err := truth.CheckFinite(); err != nil {
		return nil, fmt.Errorf("metrics: truth: %w", err)
	}
	ze, err := standardise(est, "estimated")
	if err != nil {
		return nil, err
	}
	zt, err := standardise(truth, "true")
	if err != nil {
		return nil, err
	}
	n := est.Rows
	c := matrix.New[float64](truth.Cols, est.Cols)
	for s := 0; s < n; s++ {
		tr, er := zt.Row(s), ze.Row(s)
		for i, tv := range tr {
			cr := c.Row(i)
			for j, ev := range er {
				cr[j] += tv * ev
			}
		}
	}
	for i := range c.Data {
		c.Data[i] = math.Min(1, math.Abs(c.Data[i]))
	}
	return c, nil
}

// standardise returns the columns of x centred and scaled to unit norm.
func standardise(x *matrix.Dense[float64], what string) (*matrix.Dense[float64], error) {
	n, k := x.Rows, x.Cols
	z := x.Clone()
	for j := 0; j < k; j++ {
		var mean float64
		for i := 0; i < n; i++ {
			mean += z.At(i, j)
		}
		mean /= float64(n)
		var ss float64
		for i := 0; i < n; i++ {
			d := z.At(i, j) - mean
			z.Set(i, j, d)
			ss += d * d
		}
		if ss == 0 {
			return nil, fmt.Errorf("metrics: %s source %d is constant", what, j)
		}
		inv := 1 / math.Sqrt(ss)
		for i := 0; i < n; i++ {
			z.Set(i, j, z.At(i, j)*inv)
		}
	}
	return z, nil
}
