package metrics

import (
	"fmt"
	"math"

	"github.com/deepica/deepica/matrix"
	"gonum.org/v1/gonum/mat"
)

// SIR returns the signal-to-interference ratio in dB of each true source
// (column of truth, n×k), measured on the estimated source paired with it by
// MatchCorrelation, as defined by BSS Eval (Vincent, Gribonval & Févotte
// 2006) for time-invariant gains: with ŝ and all sources centred,
//
//	s_target = ⟨ŝ, s_i⟩ s_i / ‖s_i‖²,   e_interf = P_S ŝ − s_target,
//	SIR_i    = 10·log10(‖s_target‖² / ‖e_interf‖²),
//
// where P_S projects onto the span of all true sources. A perfect estimate
// gives +Inf. The true sources must be linearly independent.
func SIR(est, truth *matrix.Dense[float64]) ([]float64, Match, error) {
	m, err := MatchCorrelation(est, truth)
	if err != nil {
		return nil, m, err
	}
	zt, _ := standardise(truth, "true") // unit-norm, centred: checked above
	ze, _ := standardise(est, "estimated")
	n, k := truth.Rows, truth.Cols
	g := mat.NewSymDense(k, nil) // Gram of the unit-norm true sources
	for a := 0; a < k; a++ {
		for b := a; b < k; b++ {
			var s float64
			for t := 0; t < n; t++ {
				s += zt.At(t, a) * zt.At(t, b)
			}
			g.SetSym(a, b, s)
		}
	}
	var chol mat.Cholesky
	if ok := chol.Factorize(g); !ok {
		return nil, m, fmt.Errorf("metrics: true sources are linearly dependent; SIR is undefined")
	}
	out := make([]float64, k)
	for i, j := range m.Est {
		c := mat.NewVecDense(k, nil) // ⟨s_a, ŝ⟩
		for a := 0; a < k; a++ {
			var s float64
			for t := 0; t < n; t++ {
				s += zt.At(t, a) * ze.At(t, j)
			}
			c.SetVec(a, s)
		}
		var coef mat.VecDense // P_S ŝ = Σ_a coef_a s_a
		if err := chol.SolveVecTo(&coef, c); err != nil {
			return nil, m, fmt.Errorf("metrics: %w", err)
		}
		// ‖P_S ŝ‖² = coefᵀ G coef = coefᵀ c; ‖s_target‖² = c_i² (unit s_i).
		proj := mat.Dot(&coef, c)
		target := c.AtVec(i) * c.AtVec(i)
		interf := proj - target
		if interf <= 0 {
			out[i] = math.Inf(1)
			continue
		}
		out[i] = 10 * math.Log10(target/interf)
	}
	return out, m, nil
}
