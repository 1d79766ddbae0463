// Package gradcheck compares analytic gradients with central finite
// differences, in float64. It is a test helper for conv and deep.
//
// For a scalar loss L(v) and a coordinate i, the central difference
//
//	d = (L(v + h·eᵢ) − L(v − h·eᵢ)) / ((vᵢ+h) − (vᵢ−h))
//
// differs from ∂L/∂vᵢ by a truncation error ≤ h²·|L⁽³⁾|/6 and a rounding
// error ≤ 2·δ/(2h), where δ bounds the absolute rounding error of one
// evaluation of L. The denominator uses the representable perturbed values,
// so perturbing vᵢ adds no error of its own. With h = 1e-6 the truncation
// term is ~1e-12·|L”'|, negligible next to the tolerance below for the
// smooth losses checked here. δ is estimated as Gamma·ε·Scale, where Scale
// is Σ|terms| of the final reduction of L (returned by the loss) and
// Gamma = 1e3 covers the depth of the computation behind each term (sums
// of up to a few hundred products, an eigendecomposition in the PCA layer),
// still a gross overestimate for randomly signed rounding errors.
//
// The check passes when |d − g| ≤ RelTol·max(|d|, |g|) + Gamma·ε·Scale/h,
// RelTol = 1e-6: an error of either sign in the analytic formula (a missing
// term, a wrong factor) shows up as a relative error of order 1, far above
// both terms.
package gradcheck

import (
	"fmt"
	"math"
	"math/rand/v2"
)

const (
	// H is the finite-difference step.
	H = 1e-6
	// RelTol is the relative part of the tolerance.
	RelTol = 1e-6
	// Gamma multiplies ε·Scale/H in the absolute part of the tolerance.
	Gamma = 1e3
)

// Loss evaluates the scalar loss at the current parameter values and
// returns it with Scale = Σ|terms| of its final sum.
type Loss func() (loss, scale float64)

// Result is one compared coordinate.
type Result struct {
	Index              int
	Analytic, Numeric  float64
	Err, Tol, RelError float64
}

func (r Result) String() string {
	return fmt.Sprintf("[%d] analytic %.12g numeric %.12g |err| %.3g tol %.3g rel %.3g",
		r.Index, r.Analytic, r.Numeric, r.Err, r.Tol, r.RelError)
}

// Check perturbs v at the coordinates idx (v is the live parameter array
// that loss reads), compares with grad and returns every result and the
// first failure, if any. v is restored exactly.
func Check(loss Loss, v, grad []float64, idx []int) ([]Result, error) {
	var res []Result
	var first error
	for _, i := range idx {
		orig := v[i]
		xp, xm := orig+H, orig-H
		v[i] = xp
		lp, sp := loss()
		v[i] = xm
		lm, sm := loss()
		v[i] = orig
		num := (lp - lm) / (xp - xm)
		scale := math.Max(sp, sm)
		tol := RelTol*math.Max(math.Abs(num), math.Abs(grad[i])) + Gamma*0x1p-52*scale/H
		e := math.Abs(num - grad[i])
		r := Result{Index: i, Analytic: grad[i], Numeric: num, Err: e, Tol: tol,
			RelError: e / math.Max(math.Max(math.Abs(num), math.Abs(grad[i])), 1e-300)}
		res = append(res, r)
		if (e > tol || math.IsNaN(e)) && first == nil {
			first = fmt.Errorf("gradient mismatch %v", r)
		}
	}
	return res, first
}

// Pick returns k distinct random coordinates of an array of length n (all of
// them when n ≤ k), drawn with the seeded generator rng.
func Pick(rng *rand.Rand, n, k int) []int {
	if n <= k {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	return rng.Perm(n)[:k]
}

// Dot returns Σ r[i]·y[i] and Σ|r[i]·y[i]|: the linear loss whose gradient
// with respect to y is r.
func Dot(r, y []float64) (loss, scale float64) {
	for i := range r {
		t := r[i] * y[i]
		loss += t
		scale += math.Abs(t)
	}
	return loss, scale
}
