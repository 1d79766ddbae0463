// Package fastica implements FastICA (Hyvärinen & Oja 2000) with the
// semantics of scikit-learn 1.2's sklearn.decomposition.FastICA: the same
// whitening (centering, √n·diag(1/σ)·Vᵀ), fixed-point updates, symmetric or
// Gram–Schmidt decorrelation, convergence test, unit-variance rescaling and
// pseudo-inverse mixing, so that with the same data, w_init, whitening mode
// and algorithm the sources agree with scikit-learn's to rounding.
//
// Where scikit-learn's behaviour is ill-defined deepica differs, and says so:
// the whitening sign rule does not break on (nearly) constant first
// features (see whiten.ForICA), zero-variance directions are dropped with a
// warning, non-convergence is data (Converged, Trace) rather than a warning
// on stderr, and optional canonical ordering and signs make runs
// comparable.
//
// Data matrices are row-major samples × features (rows = samples), as in
// scikit-learn. float32 input runs the fixed-point step in float32 and keeps
// W, its decorrelation and all small matrices in float64.
package fastica

import (
	"fmt"
	"math"

	"github.com/deepica/deepica/kernels"
	"github.com/deepica/deepica/matrix"
	"github.com/deepica/deepica/whiten"
)

// Algorithm selects how the components are estimated.
type Algorithm int

const (
	// Parallel estimates all components at once with symmetric
	// decorrelation W ← (W·Wᵀ)^(−1/2)·W (scikit-learn's "parallel").
	Parallel Algorithm = iota
	// Deflation estimates them one at a time with Gram–Schmidt
	// decorrelation against the ones already found ("deflation").
	Deflation
)

func (a Algorithm) String() string {
	switch a {
	case Parallel:
		return "parallel"
	case Deflation:
		return "deflation"
	}
	return fmt.Sprintf("Algorithm(%d)", int(a))
}

// ParseAlgorithm parses "parallel" or "deflation".
func ParseAlgorithm(s string) (Algorithm, error) {
	for _, a := range []Algorithm{Parallel, Deflation} {
		if a.String() == s {
			return a, nil
		}
	}
	return 0, fmt.Errorf("fastica: unknown algorithm %q (want parallel or deflation)", s)
}

// Whitening selects the preprocessing, as scikit-learn's whiten parameter.
type Whitening int

const (
	// UnitVariance centers and whitens, then rescales the sources to unit
	// variance (scikit-learn's whiten="unit-variance").
	UnitVariance Whitening = iota
	// ArbitraryVariance centers and whitens; the sources keep the variance
	// scikit-learn gives them (1/n_samples) ("arbitrary-variance").
	ArbitraryVariance
	// NoWhitening treats the input as already white: no centering, as many
	// components as features (whiten=False).
	NoWhitening
)

func (w Whitening) String() string {
	switch w {
	case UnitVariance:
		return "unit-variance"
	case ArbitraryVariance:
		return "arbitrary-variance"
	case NoWhitening:
		return "none"
	}
	return fmt.Sprintf("Whitening(%d)", int(w))
}

// ParseWhitening parses "unit-variance", "arbitrary-variance" or "none".
func ParseWhitening(s string) (Whitening, error) {
	for _, w := range []Whitening{UnitVariance, ArbitraryVariance, NoWhitening} {
		if w.String() == s {
			return w, nil
		}
	}
	return 0, fmt.Errorf("fastica: unknown whitening %q (want unit-variance, arbitrary-variance or none)", s)
}

// Order selects an optional canonical order of the components.
type Order int

const (
	// OrderNone keeps the order the algorithm produced (scikit-learn's).
	OrderNone Order = iota
	// OrderKurtosis sorts by decreasing |excess kurtosis| of the sources.
	OrderKurtosis
	// OrderVariance sorts by decreasing variance of the data explained by
	// each component alone, var(sⱼ)·‖mixing column j‖².
	OrderVariance
)

func (o Order) String() string {
	switch o {
	case OrderNone:
		return "none"
	case OrderKurtosis:
		return "kurtosis"
	case OrderVariance:
		return "variance"
	}
	return fmt.Sprintf("Order(%d)", int(o))
}

// ParseOrder parses "none", "kurtosis" or "variance".
func ParseOrder(s string) (Order, error) {
	for _, o := range []Order{OrderNone, OrderKurtosis, OrderVariance} {
		if o.String() == s {
			return o, nil
		}
	}
	return 0, fmt.Errorf("fastica: unknown order %q (want none, kurtosis or variance)", s)
}

// ContrastFunc is a user-supplied non-linearity: it returns g(u) and its
// derivative g'(u). It must be deterministic and safe for concurrent use.
// It runs on a slower path than the built-in contrasts (one Go call per
// element, in float64).
type ContrastFunc func(u float64) (g, dg float64)

// Default values used where Options leaves a field zero.
const (
	DefaultMaxIter = 200
	DefaultTol     = 1e-4
)

// Options configures Fit. The zero value is scikit-learn's defaults with
// whiten="unit-variance": parallel, logcosh with α = 1, 200 iterations,
// tol 1e-4, all components, random w_init from seed 0.
type Options struct {
	// Components is the number of components k; 0 keeps min(n_samples,
	// n_features) (clipped to the data's rank with a warning). An explicit
	// count above the rank is an error. With NoWhitening it must be 0 or
	// n_features.
	Components int
	Algorithm  Algorithm
	// Fun is the built-in contrast (kernels.LogCosh, Exp or Cube), ignored
	// when Custom is set.
	Fun kernels.Contrast
	// Alpha is logcosh's α in [1, 2]; 0 means 1.
	Alpha float64
	// Custom, when not nil, replaces Fun.
	Custom ContrastFunc
	// Whiten selects the preprocessing.
	Whiten Whitening
	// WhitenSolver picks covariance (p×p) or Gram (n×n) whitening;
	// whiten.SolverAuto takes the smaller matrix.
	WhitenSolver whiten.Solver
	// MaxIter is the iteration limit (per component for Deflation); 0
	// means DefaultMaxIter.
	MaxIter int
	// Tol is the convergence tolerance; 0 means DefaultTol. Parallel stops
	// when max_i | |⟨w₁ᵢ, wᵢ⟩| − 1 | < Tol, deflation when | |⟨w₁, w⟩| − 1 |
	// < Tol for the current component, exactly as scikit-learn.
	Tol float64
	// WInit is the k×k initial unmixing matrix; nil draws it from a standard
	// normal distribution seeded by Seed (not NumPy's generator).
	WInit *matrix.Dense[float64]
	Seed  uint64
	// Order and FixSign make results canonical: components sorted by Order,
	// and each component's sign chosen so that the largest-magnitude entry
	// of its mixing column is positive.
	Order   Order
	FixSign bool
}

// resolved holds validated options with defaults applied.
type resolved struct {
	Options
	alpha   float64
	maxIter int
	tol     float64
}

func (o Options) resolve() (resolved, error) {
	r := resolved{Options: o, alpha: o.Alpha, maxIter: o.MaxIter, tol: o.Tol}
	if r.alpha == 0 {
		r.alpha = 1
	}
	if r.maxIter == 0 {
		r.maxIter = DefaultMaxIter
	}
	if r.tol == 0 {
		r.tol = DefaultTol
	}
	switch {
	case o.Algorithm != Parallel && o.Algorithm != Deflation:
		return r, fmt.Errorf("fastica: unknown algorithm %v", o.Algorithm)
	case o.Whiten < UnitVariance || o.Whiten > NoWhitening:
		return r, fmt.Errorf("fastica: unknown whitening %v", o.Whiten)
	case o.Order < OrderNone || o.Order > OrderVariance:
		return r, fmt.Errorf("fastica: unknown order %v", o.Order)
	case o.Custom == nil && (o.Fun < kernels.LogCosh || o.Fun > kernels.Cube):
		return r, fmt.Errorf("fastica: unknown contrast %v", o.Fun)
	case o.Custom == nil && o.Fun == kernels.LogCosh && !(r.alpha >= 1 && r.alpha <= 2):
		return r, fmt.Errorf("fastica: alpha must be in [1, 2], got %v", o.Alpha)
	case r.maxIter < 0:
		return r, fmt.Errorf("fastica: max_iter must be positive, got %d", o.MaxIter)
	case !(r.tol > 0) || math.IsInf(r.tol, 0):
		return r, fmt.Errorf("fastica: tol must be positive and finite, got %v", o.Tol)
	case o.Components < 0:
		return r, fmt.Errorf("fastica: negative number of components %d", o.Components)
	}
	return r, nil
}

func (r resolved) contrastName() string {
	if r.Custom != nil {
		return "custom"
	}
	return r.Fun.String()
}
