package fastica

import (
	"math"
	"sort"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
)

// canonicalise reorders the components by order and, with fixSign, flips
// each so that the largest-magnitude entry of its mixing column (the first
// one on ties) is positive. Sources, Components, Unmixing rows and Mixing
// columns move together, so every identity of Model still holds. s may be
// nil when order is OrderNone.
func canonicalise[T kernels.Float](m *Model, s *matrix.Dense[T], order Order, fixSign bool) {
	k := m.NComponents
	perm := make([]int, k)
	for i := range perm {
		perm[i] = i
	}
	switch order {
	case OrderKurtosis:
		key := kurtosis(s)
		for i := range key {
			key[i] = math.Abs(key[i])
		}
		sort.SliceStable(perm, func(a, b int) bool { return key[perm[a]] > key[perm[b]] })
	case OrderVariance:
		std := columnStd(s)
		key := make([]float64, k)
		for j := 0; j < k; j++ {
			var a2 float64
			for i := 0; i < m.Mixing.Rows; i++ {
				a2 += m.Mixing.At(i, j) * m.Mixing.At(i, j)
			}
			key[j] = std[j] * std[j] * a2
		}
		sort.SliceStable(perm, func(a, b int) bool { return key[perm[a]] > key[perm[b]] })
	}
	sign := make([]float64, k)
	for j := range sign {
		sign[j] = 1
		if !fixSign {
			continue
		}
		big, v := -1.0, 0.0
		for i := 0; i < m.Mixing.Rows; i++ {
			if a := math.Abs(m.Mixing.At(i, perm[j])); a > big {
				big, v = a, m.Mixing.At(i, perm[j])
			}
		}
		if v < 0 {
			sign[j] = -1
		}
	}
	identity := true
	for j := range perm {
		identity = identity && perm[j] == j && sign[j] == 1
	}
	if identity {
		return
	}
	permRows(m.Components, perm, sign)
	permRows(m.Unmixing, perm, sign)
	mt := m.Mixing.T()
	permRows(mt, perm, sign)
	m.Mixing = mt.T()
	if s == nil { // FitStream computes the sources from the final Unmixing
		return
	}
	row := make([]T, k)
	for i := 0; i < s.Rows; i++ {
		r := s.Row(i)
		for j, p := range perm {
			row[j] = r[p] * T(sign[j])
		}
		copy(r, row)
	}
}

// permRows replaces row j of a by sign[j]·(old row perm[j]).
func permRows(a *matrix.Dense[float64], perm []int, sign []float64) {
	old := a.Clone()
	for j, p := range perm {
		dst := a.Row(j)
		for c, v := range old.Row(p) {
			dst[c] = v * sign[j]
		}
	}
}

// kurtosis returns the excess kurtosis E[(s−μ)⁴]/E[(s−μ)²]² − 3 of each
// column, accumulated in float64.
func kurtosis[T kernels.Float](s *matrix.Dense[T]) []float64 {
	n, k := s.Rows, s.Cols
	mean := make([]float64, k)
	for i := 0; i < n; i++ {
		for j, v := range s.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	m2 := make([]float64, k)
	m4 := make([]float64, k)
	for i := 0; i < n; i++ {
		for j, v := range s.Row(i) {
			d := float64(v) - mean[j]
			d2 := d * d
			m2[j] += d2
			m4[j] += d2 * d2
		}
	}
	out := make([]float64, k)
	for j := range out {
		v := m2[j] / float64(n)
		if v == 0 {
			continue
		}
		out[j] = m4[j]/float64(n)/(v*v) - 3
	}
	return out
}
