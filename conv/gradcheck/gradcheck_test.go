package gradcheck

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The checker must accept the exact gradient of a smooth function and
// reject one that is wrong by a part in a thousand.
func TestCheckHasTeeth(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	v := make([]float64, 50)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	// L = Σ sin(vᵢ)·vᵢ², ∂L/∂vᵢ = cos(vᵢ)·vᵢ² + 2·sin(vᵢ)·vᵢ
	loss := func() (float64, float64) {
		var l, s float64
		for _, x := range v {
			t := math.Sin(x) * x * x
			l += t
			s += math.Abs(t)
		}
		return l, s
	}
	grad := make([]float64, len(v))
	for i, x := range v {
		grad[i] = math.Cos(x)*x*x + 2*math.Sin(x)*x
	}
	idx := Pick(rng, len(v), 20)
	if _, err := Check(loss, v, grad, idx); err != nil {
		t.Fatalf("exact gradient rejected: %v", err)
	}
	saved := append([]float64(nil), v...)
	for _, i := range idx {
		if v[i] != saved[i] {
			t.Fatalf("v[%d] not restored", i)
		}
	}
	wrong := append([]float64(nil), grad...)
	for i := range wrong {
		wrong[i] *= 1.001
	}
	// every coordinate with a gradient well above the absolute tolerance
	// (Gamma·ε·Scale/H ≈ 2e-7·Scale) must be flagged
	res, err := Check(loss, v, wrong, idx)
	if err == nil {
		t.Fatal("gradient off by 0.1% accepted")
	}
	for _, r := range res {
		if math.Abs(r.Analytic) > 1 && r.Err <= r.Tol {
			t.Errorf("0.1%% error passed at %v", r)
		}
	}
}
