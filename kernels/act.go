package kernels

import "fmt"

// Activation names an elementwise non-linearity of the deep model.
//
//	ELU:     y = x for x > 0, α(eˣ − 1) otherwise;  dy/dx = 1 or y + α
//	ReLU:    y = max(x, 0);                        dy/dx = 1 for x > 0, else 0
//	Tanh:    y = tanh(x);                          dy/dx = 1 − y²
//	Sigmoid: y = 1/(1 + e⁻ˣ);                      dy/dx = y(1 − y)
//
// α is used by ELU only (1 is the usual value).
type Activation int

// The activations.
const (
	ELU Activation = iota
	ReLU
	Tanh
	Sigmoid
)

func (a Activation) String() string {
	switch a {
	case ELU:
		return "elu"
	case ReLU:
		return "relu"
	case Tanh:
		return "tanh"
	case Sigmoid:
		return "sigmoid"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// ParseActivation parses "elu", "relu", "tanh" or "sigmoid".
func ParseActivation(s string) (Activation, error) {
	for _, a := range []Activation{ELU, ReLU, Tanh, Sigmoid} {
		if a.String() == s {
			return a, nil
		}
	}
	return 0, fmt.Errorf("kernels: unknown activation %q (want elu, relu, tanh or sigmoid)", s)
}

func (a Activation) check(kernel string) {
	if a < ELU || a > Sigmoid {
		panic(fmt.Sprintf("kernels.%s: unknown activation %d", kernel, int(a)))
	}
}

// ActivationForward computes y[i] = act(x[i]). y may alias x.
func ActivationForward[T Float](act Activation, alpha T, x, y []T) {
	act.check("ActivationForward")
	checkSameLen("ActivationForward", len(x), len(y))
	if is32[T]() {
		actForward32(act, float32(alpha), f32(x), f32(y))
		return
	}
	actForward64(act, float64(alpha), f64(x), f64(y))
}

// ActivationBackward computes dx[i] = dy[i]·act'(x[i]) given the forward
// input x and output y (ELU, tanh and sigmoid use y, ReLU and ELU use x).
// dx may alias dy.
func ActivationBackward[T Float](act Activation, alpha T, x, y, dy, dx []T) {
	act.check("ActivationBackward")
	checkSameLen("ActivationBackward", len(x), len(y))
	checkSameLen("ActivationBackward", len(x), len(dy))
	checkSameLen("ActivationBackward", len(x), len(dx))
	if is32[T]() {
		actBackward32(act, float32(alpha), f32(x), f32(y), f32(dy), f32(dx))
		return
	}
	actBackward64(act, float64(alpha), f64(x), f64(y), f64(dy), f64(dx))
}

// AdamStep applies one Adam update (Kingma & Ba) to the parameters p given
// their gradient g, updating the moment estimates m and v in place:
//
//	m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
//	p ← p − lr·m̂/(√v̂ + ε),  m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
//
// t is the 1-based step count used in the bias correction. All four slices
// have the same length.
func AdamStep[T Float](p, g, m, v []T, lr, beta1, beta2, eps T, t int) {
	checkSameLen("AdamStep", len(p), len(g))
	checkSameLen("AdamStep", len(p), len(m))
	checkSameLen("AdamStep", len(p), len(v))
	if t < 1 {
		panic(fmt.Sprintf("kernels.AdamStep: step count %d, want ≥ 1", t))
	}
	if is32[T]() {
		adam32(f32(p), f32(g), f32(m), f32(v), float32(lr), float32(beta1), float32(beta2), float32(eps), t)
		return
	}
	adam64(f64(p), f64(g), f64(m), f64(v), float64(lr), float64(beta1), float64(beta2), float64(eps), t)
}
